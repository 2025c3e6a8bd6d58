// `ocpi-sessions migrate --db <file|postgres://…>`: applies pending schema migrations and exits.
// (Opening a store migrates too; this command lets an operator do it ahead of a rolling deploy.)
import { openStore } from '../../store/open.js';
import { dbOption, parse } from '../args.js';

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { db: { type: 'string' } });
  const store = await openStore(dbOption(values.db));
  try {
    await store.ping();
    console.log(`schema of the ${store.kind} store is up to date`);
    return 0;
  } finally {
    await store.close();
  }
}
