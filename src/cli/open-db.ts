// How the commands open `--db`: only the commands that set up an instance may create a SQLite file (saying so on
// stderr); the others refuse a missing file, so a mistyped --db never becomes a new, empty store. No command
// creates a directory, except `start` for its default ./data.
import type { SessionStore } from '../store/contract.js';
import { MissingDatabaseError, openStore } from '../store/open.js';

export interface OpenDb {
  /** The command, as the user would type it (for the message on a missing file). */
  command: string;
  /** May this command create the database? */
  create: boolean;
  /** May it create the file's directory too? (Only `start`, for its default ./data.) */
  createDirectory?: boolean;
  /** Does it write in bulk? (demo, pull, import: OpenOptions.bulk.) */
  bulk?: boolean;
}

/** The commands that may create a SQLite file: they set up an instance (or its first data). */
export const CREATING_COMMANDS = [
  'migrate',
  'serve',
  'start',
  'demo',
  'import',
  'party set',
  'pull --url',
] as const;

export async function openDb(db: string, how: OpenDb): Promise<SessionStore> {
  try {
    return await openStore(db, {
      create: how.create,
      createDirectory: how.createDirectory,
      bulk: how.bulk,
      onCreate: (file) => console.error(`created new database ${file}`),
    });
  } catch (e) {
    if (!(e instanceof MissingDatabaseError)) throw e;
    if (e.missingDirectory)
      throw new Error(`${e.message}; create the directory first (ocpi-sessions creates no directories)`);
    throw new Error(
      `${how.command}: no database at ${e.file} (this command does not create one). Check --db, or create the ` +
        `database with 'ocpi-sessions migrate --db ${e.file}' (${CREATING_COMMANDS.slice(1).join(', ')} create one too).`,
    );
  }
}
