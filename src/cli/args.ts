// Small helpers over node:util parseArgs for the `ocpi-sessions` commands.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parsePartyKey } from '../domain/session.js';

export class UsageError extends Error {}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({
      args: joinOptionValues(argv, options),
      allowPositionals: true,
      options,
      strict: true,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * `--token -abc` → `--token=-abc`: a value-taking option always takes the next argument, even one that
 * starts with a dash (Base64url tokens and negative numbers do), where parseArgs would call it ambiguous.
 */
function joinOptionValues(argv: string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const takesValue = new Set<string>();
  for (const [name, option] of Object.entries(options)) {
    if (option.type !== 'string') continue;
    takesValue.add(`--${name}`);
    if (option.short) takesValue.add(`-${option.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    if (takesValue.has(arg) && next !== undefined && next.startsWith('-')) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

export function intOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a non-negative integer, got '${value}'`);
  return Number(value);
}

export function partiesOption(name: string, value: string): { countryCode: string; partyId: string }[] {
  return value.split(',').map((item) => {
    const party = parsePartyKey(item);
    if (!party) throw new UsageError(`--${name}: '${item}' is not a party (CC-PID, e.g. NL-EMS)`);
    return party;
  });
}

export function dbOption(value: string | undefined): string {
  const db = value ?? process.env.DATABASE_URL ?? process.env.DATABASE;
  if (!db) throw new UsageError('--db <file|postgres://…> is required (or DATABASE / DATABASE_URL)');
  return db;
}
