// Shared pieces of the `ocpi-sessions` commands (parsed by commander, program.ts): option values checked the same
// way everywhere, the `--db` option, and actions whose result is the exit code.
import { Option, type Command } from 'commander';
import { parsePartyKey } from '../domain/session.js';
import { PartnerError } from '../service/partners.js';

/** A command line that cannot be run as given: exit code 2, the message on stderr. */
export class UsageError extends Error {}

export function intOption(name: string, value: string | number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return value;
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

export const DB_ENV = 'DATABASE_URL or DATABASE';

/** `--db`: a SQLite file or a PostgreSQL URL (the environment's when not given: see dbOption). */
export function dbFlag(description = 'SQLite file or postgres:// URL'): Option {
  return new Option('--db <file|url>', `${description} (env: ${DB_ENV})`);
}

export function dbOption(value: string | undefined): string {
  const db = value ?? process.env.DATABASE_URL ?? process.env.DATABASE;
  if (!db) throw new UsageError('--db <file|postgres://…> is required (or DATABASE / DATABASE_URL)');
  return db;
}

/** `--json`: the result as one JSON document on stdout. */
export const jsonFlag = () => new Option('--json', 'print the result as JSON');

/** A subcommand of `parent` whose usage errors point to its own --help. */
export function subcommand(parent: Command, name: string, description: string): Command {
  const path = [...ancestry(parent), name].join(' ');
  return parent.command(name).description(description).showHelpAfterError(`(see '${path} --help')`);
}

function ancestry(c: Command | null): string[] {
  return c ? [...ancestry(c.parent), c.name()] : [];
}

/** Examples appended to a command's --help. */
export function examples(command: Command, lines: string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}

/**
 * A command's action whose result is the process's exit code (undefined: the process keeps running, e.g. a server).
 * A UsageError (or a refused partner change) is reported like commander's own errors: on stderr, exit code 2.
 */
export function action<A extends unknown[]>(
  run: (...args: A) => Promise<number | undefined> | number | undefined,
) {
  return async function (this: Command, ...args: A): Promise<void> {
    try {
      const code = await run(...args);
      if (code !== undefined) process.exitCode = code;
    } catch (e) {
      if (e instanceof UsageError || e instanceof PartnerError)
        this.error(`error: ${e.message}`, { exitCode: 2, code: 'ocpi-sessions.usage' });
      throw e;
    }
  };
}
