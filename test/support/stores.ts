// Both stores for a test that runs the same cases on each: a fresh SQLite file and a fresh PostgreSQL database
// (dropped by `done`).
import type { SessionStore } from '../../src/store/contract.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { dropDatabase, postgresUrl } from './postgres.js';
import { tempDb } from './server.js';

export interface OpenedStore {
  store: SessionStore;
  /** The SQLite file (SQLite only). */
  file?: string;
  done: () => Promise<void>;
}

/** [name, open] for SQLite (a temporary file named `dbName`) and PostgreSQL. */
export function bothStores(dbName: string): Array<[string, () => Promise<OpenedStore>]> {
  return [
    [
      'sqlite',
      async () => {
        const file = tempDb(dbName);
        return { store: new SqliteStore(file), file, done: async () => {} };
      },
    ],
    [
      'postgres',
      async () => {
        const url = await postgresUrl();
        return { store: await PostgresStore.connect(url), done: () => dropDatabase(url) };
      },
    ],
  ];
}
