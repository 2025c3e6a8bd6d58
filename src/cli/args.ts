// Small helpers over node:util parseArgs for the `ocpi-sessions` commands.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parsePartyKey } from '../domain/session.js';

export class UsageError extends Error {}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
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
