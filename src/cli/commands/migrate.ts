// `ocpi-sessions migrate --db <file|postgres://…>`: applies pending schema migrations and exits.
// (Opening a store migrates too; this command lets an operator do it ahead of a rolling deploy.)
import type { Command } from 'commander';
import { action, dbFlag, dbOption, examples, subcommand } from '../args.js';
import { openDb } from '../open-db.js';

async function migrate(options: { db?: string }): Promise<number> {
  const store = await openDb(dbOption(options.db), { command: 'migrate', create: true });
  try {
    await store.ping();
    console.log(`schema of the ${store.kind} store is up to date`);
    return 0;
  } finally {
    await store.close();
  }
}

export function addMigrateCommand(program: Command): void {
  const cmd = subcommand(
    program,
    'migrate',
    'create the database or apply pending schema migrations (also done when a server starts)',
  )
    .addOption(dbFlag('SQLite file (created if missing) or postgres:// URL'))
    .action(action(migrate));
  examples(cmd, [
    'ocpi-sessions migrate --db ./ocpi.db',
    'DATABASE_URL=postgres://ocpi@db/ocpi ocpi-sessions migrate',
  ]);
}
