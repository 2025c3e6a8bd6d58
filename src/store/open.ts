// Opens the store a `--db` value names: a postgres:// URL or a SQLite file path.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { SessionStore } from './contract.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

export interface OpenOptions {
  /** May a missing SQLite file be created? If not, a missing file is a MissingDatabaseError. */
  create: boolean;
  /** May the SQLite file's directory be created too? If not, a missing directory is a MissingDatabaseError. */
  createDirectory?: boolean;
  /** Called with the absolute path of a SQLite file this call created. */
  onCreate?: (file: string) => void;
  /** The caller writes in bulk (demo, pull, import): see SqliteOptions.bulk (PostgreSQL: no difference). */
  bulk?: boolean;
}

/** A SQLite file that does not exist and may not be created, or whose directory does not exist. */
export class MissingDatabaseError extends Error {
  constructor(
    /** The database file (absolute). */
    readonly file: string,
    /** Set when the file may be created but its directory does not exist (and may not be created). */
    readonly missingDirectory?: string,
  ) {
    super(
      missingDirectory
        ? `cannot create the SQLite database ${file}: the directory ${missingDirectory} does not exist`
        : `no SQLite database at ${file}`,
    );
  }
}

export async function openStore(db: string, options: OpenOptions): Promise<SessionStore> {
  if (/^postgres(ql)?:\/\//.test(db)) {
    const { PostgresStore } = await import('./postgres/postgres-store.js');
    return PostgresStore.connect(db);
  }
  if (db === ':memory:') return new SqliteStore(db, { bulk: options.bulk });
  const file = path.resolve(db);
  const existed = existsSync(file);
  if (!existed) {
    if (!options.create) throw new MissingDatabaseError(file);
    const dir = path.dirname(file);
    if (!existsSync(dir)) {
      if (!options.createDirectory) throw new MissingDatabaseError(file, dir);
      mkdirSync(dir, { recursive: true });
    }
  }
  const store = new SqliteStore(db, { bulk: options.bulk });
  if (!existed) options.onCreate?.(file);
  return store;
}
