// Versioned schema migrations of the SQLite store, as PostgreSQL has (../postgres/migrations.ts): the file's
// `PRAGMA user_version` is the last migration applied. Files written by builds before this mechanism have
// user_version 0 and any of the earlier layouts, so every step is idempotent (IF NOT EXISTS, or a check of what
// is there): migration 1 creates what is missing in the layout of the release that introduced this mechanism, the
// later ones bring an older layout to the current one and do nothing on a file they have brought there already.
// Append-only: never edit a migration that has shipped (migration 1 included: the current layout of a table it
// creates may be a later migration's, e.g. outbox and push_state from migration 5).
import type Database from 'better-sqlite3';
import {
  addOutboxClaim,
  consoleIndexes,
  hasColumn,
  keyOutboxByModule,
  leanSessionIndexes,
  moveBodiesToPageOrder,
  PULL_STATE_PER_MODULE,
  PUSH_LANES,
  SQLITE_SCHEMA,
  SQLITE_UPGRADES,
  sessionHistory,
} from './schema.js';

// Wire format 4 (ocpi-2.3.0, domain/wire-format.ts) was added after sessions were stored: their 2.3.0 bodies are
// rendered by the application when a server opens the store (renderPendingBodies; SQL cannot render a session).
const PENDING_RENDERS = `
CREATE TABLE IF NOT EXISTS pending_renders (fmt INTEGER PRIMARY KEY);
INSERT OR IGNORE INTO pending_renders (fmt) SELECT 4 WHERE EXISTS (SELECT 1 FROM sessions);
`;

// The wire formats the store keeps bodies of (issue 16): one row holding the set as a bit mask over WIRE_FORMATS
// indexes (domain/wire-format.ts), read inside every write transaction. A file with sessions keeps every format it
// stored so far (pending_renders lists those whose bodies are not all written yet); a new one starts with none:
// the formats its partners read are added as they are registered. OR IGNORE: a file brought back to an earlier
// user_version keeps its set.
const STORED_FORMATS = `
CREATE TABLE IF NOT EXISTS stored_formats (one INTEGER PRIMARY KEY CHECK (one = 1), mask INTEGER NOT NULL);
INSERT OR IGNORE INTO stored_formats (one, mask)
  SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM sessions) THEN 31 ELSE 0 END;
`;

// OCPI 2.3.0 credentials: the platform's hub_party_id and the parties its roles list (a hub's reachable parties),
// as a JSON array of {role, key} (domain/party.ts ReachedParty). Each column only when missing: a file of an
// earlier build that says user_version 0 may have them already.
function addPartnerParties(db: Database.Database): void {
  if (!hasColumn(db, 'partners', 'hub_party_id'))
    db.exec('ALTER TABLE partners ADD COLUMN hub_party_id TEXT');
  if (!hasColumn(db, 'partners', 'parties'))
    db.exec("ALTER TABLE partners ADD COLUMN parties TEXT NOT NULL DEFAULT '[]'");
}

export interface SqliteMigration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  { version: 1, name: 'tables and indexes', up: (db) => db.exec(SQLITE_SCHEMA) },
  { version: 2, name: 'partners_version triggers, locks', up: (db) => db.exec(SQLITE_UPGRADES) },
  { version: 3, name: 'bodies in page order (owners numbered)', up: moveBodiesToPageOrder },
  { version: 4, name: 'fenced outbox claims (outbox.claim)', up: addOutboxClaim },
  { version: 5, name: 'outbox and push_state keyed by module', up: keyOutboxByModule },
  { version: 6, name: 'pull sync state per module', up: (db) => db.exec(PULL_STATE_PER_MODULE) },
  { version: 7, name: 'push lanes (lane index, lane state)', up: (db) => db.exec(PUSH_LANES) },
  { version: 8, name: 'operator console (list indexes, operator pause)', up: consoleIndexes },
  { version: 9, name: 'ocpi-2.3.0 bodies to render (pending_renders)', up: (db) => db.exec(PENDING_RENDERS) },
  { version: 10, name: 'partner hub party and parties', up: addPartnerParties },
  { version: 11, name: 'session history, digest, acknowledged revision', up: sessionHistory },
  { version: 12, name: 'stored wire formats', up: (db) => db.exec(STORED_FORMATS) },
  { version: 13, name: 'session start column, one owner index by last_updated', up: leanSessionIndexes },
];

const LATEST = SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1]!.version;
const current = (db: Database.Database) => db.pragma('user_version', { simple: true }) as number;

/**
 * Applies the migrations this file lacks, in order, up to `target` (default: the latest; an earlier one builds the
 * layout of an earlier release), in one transaction; returns the versions applied.
 */
export function migrateSqlite(db: Database.Database, target = LATEST): number[] {
  if (current(db) >= target) return []; // the usual open: nothing to do, no write lock taken
  const applied: number[] = [];
  // IMMEDIATE: the write lock first, then the version again under it, so two processes opening the same old file
  // cannot both migrate it. user_version is part of the transaction: a crash leaves the file as it was.
  db.transaction(() => {
    for (const m of SQLITE_MIGRATIONS) {
      if (current(db) >= m.version || m.version > target) continue;
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
      applied.push(m.version);
    }
  }).immediate();
  return applied;
}
