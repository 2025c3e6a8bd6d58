// Opens the store a `--db` value names: a postgres:// URL or a SQLite file path.
import type { SessionStore } from './contract.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

export async function openStore(db: string): Promise<SessionStore> {
  if (/^postgres(ql)?:\/\//.test(db)) {
    const { PostgresStore } = await import('./postgres/postgres-store.js');
    return PostgresStore.connect(db);
  }
  return new SqliteStore(db);
}
