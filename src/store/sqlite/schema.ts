import type Database from 'better-sqlite3';

// SQLite schema, applied by the versioned migrations in migrations.ts. See src/store/paging.ts for what `ord` and
// `session_counts` are for. Migration 1 as shipped (never edited): outbox and push_state are keyed by module since
// migration 5 (keyOutboxByModule below), which holds their current layout.
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

-- party_key is NULL while a partner is only invited (token A handed out, party not known yet).
-- their_token: the token we send to them; it must be kept in clear to be usable. Ours are stored as hashes only.
CREATE TABLE IF NOT EXISTS partners (
  id INTEGER PRIMARY KEY,
  country_code TEXT NOT NULL,
  party_id TEXT NOT NULL,
  party_key TEXT UNIQUE,
  roles TEXT NOT NULL,
  format TEXT NOT NULL,
  state TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  business_name TEXT,
  version TEXT,
  versions_url TEXT,
  endpoints TEXT NOT NULL DEFAULT '[]',
  token_encoding TEXT,
  their_token TEXT
);

CREATE TABLE IF NOT EXISTS sessions (
  seq INTEGER PRIMARY KEY,
  cpo TEXT NOT NULL,
  id_ci TEXT NOT NULL,
  owner TEXT NOT NULL,
  ord INTEGER NOT NULL,
  last_updated INTEGER NOT NULL,
  doc TEXT NOT NULL,
  rev INTEGER NOT NULL DEFAULT 1,
  UNIQUE (cpo, id_ci)
);
CREATE UNIQUE INDEX IF NOT EXISTS sessions_owner_ord ON sessions (owner, ord, last_updated, seq);
CREATE INDEX IF NOT EXISTS sessions_owner_updated ON sessions (owner, last_updated, ord);

-- One rendered body per session and wire format, stored in page order: id = owners.no << 44 | format index << 40 |
-- ord, so the bodies of one owner's page in one format are adjacent rows of one B-tree (a page without a date window
-- is one range scan; with a window, its lookups land side by side). ord < 2^40, format < 16, owners < 2^19.
CREATE TABLE IF NOT EXISTS page_bodies (id INTEGER PRIMARY KEY, body TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS session_counts (
  owner TEXT NOT NULL, block INTEGER NOT NULL, day INTEGER NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (owner, day, block)
) WITHOUT ROWID;

-- Push outbox (OCPI 2.2.1 §9.2: the CPO pushes sessions to the owning eMSP): one row per partner and session that
-- has changes not yet delivered; rev is the session revision to deliver. push_state keeps what was delivered last,
-- so a later delivery is a PATCH with only what changed (new charging periods only). claim: the fencing token of
-- the worker's claim (NULL when unclaimed; see Delivery.claim in src/store/contract.ts).
CREATE TABLE IF NOT EXISTS outbox (
  partner_key TEXT NOT NULL, session_seq INTEGER NOT NULL, rev INTEGER NOT NULL, enqueued_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL, last_error TEXT, claim TEXT,
  PRIMARY KEY (partner_key, session_seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_attempt_at, enqueued_at);
CREATE TABLE IF NOT EXISTS push_state (
  partner_key TEXT NOT NULL, session_seq INTEGER NOT NULL, delivered TEXT NOT NULL,
  PRIMARY KEY (partner_key, session_seq)
) WITHOUT ROWID;

-- no: the owner's number in page_bodies ids (files from before page_bodies receive it in upgradeBodies).
CREATE TABLE IF NOT EXISTS owners (
  owner TEXT PRIMARY KEY, next_ord INTEGER NOT NULL, version INTEGER NOT NULL, no INTEGER NOT NULL
) WITHOUT ROWID;
`;

/**
 * Migration 2 (migrations.ts): partners_version and locks (every statement is IF NOT EXISTS / OR IGNORE).
 *
 * partners_version: bumped by every change to partners, in the changing transaction, whoever makes it (this
 * process, another server process, the CLI). A page read returns it from its own snapshot, which lets a process
 * authenticate the sessions sender's GET from an in-memory token cache and still refuse a token removed a moment ago
 * anywhere (src/service/token-cache.ts).
 */
export const SQLITE_UPGRADES = `
CREATE TABLE IF NOT EXISTS partners_version (id INTEGER PRIMARY KEY CHECK (id = 1), v INTEGER NOT NULL);
INSERT OR IGNORE INTO partners_version (id, v) VALUES (1, 0);
CREATE TRIGGER IF NOT EXISTS partners_inserted AFTER INSERT ON partners
  BEGIN UPDATE partners_version SET v = v + 1; END;
CREATE TRIGGER IF NOT EXISTS partners_updated AFTER UPDATE ON partners
  BEGIN UPDATE partners_version SET v = v + 1; END;
CREATE TRIGGER IF NOT EXISTS partners_deleted AFTER DELETE ON partners
  BEGIN UPDATE partners_version SET v = v + 1; END;

-- Named leases (e.g. one pull per partner at a time, src/service/pull-lock.ts).
CREATE TABLE IF NOT EXISTS locks (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL)
  WITHOUT ROWID;
`;

/**
 * Files written before fenced outbox claims have no outbox.claim: add it (NULL: unclaimed; a row leased by an older
 * build is claimed again once its lease ends).
 */
export function addOutboxClaim(db: Database.Database): void {
  if (!hasColumn(db, 'outbox', 'claim')) db.exec('ALTER TABLE outbox ADD COLUMN claim TEXT');
}

/**
 * Files written before page_bodies kept bodies under id = seq * 8 + format in `session_bodies`: number the owners
 * and move every body to its page-order id (in the migration's transaction: a crash leaves the old layout, redone
 * on the next open).
 */
export function moveBodiesToPageOrder(db: Database.Database): void {
  const old =
    db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'session_bodies'").get() !==
    undefined;
  if (!hasColumn(db, 'owners', 'no')) {
    db.exec('ALTER TABLE owners ADD COLUMN no INTEGER NOT NULL DEFAULT 0');
    db.exec('UPDATE owners SET no = (SELECT COUNT(*) FROM owners o WHERE o.owner <= owners.owner)');
  }
  if (old) {
    // A one-time move that takes minutes on large files (measured ~0.4 s per 1 000 sessions): say so.
    process.stderr.write(
      `ocpi-sessions: ${db.name}: moving stored bodies to page order (once; may take minutes)\n`,
    );
    db.exec(`INSERT OR REPLACE INTO page_bodies (id, body)
      SELECT (o.no << 44) | ((b.id & 7) << 40) | s.ord, b.body
      FROM sessions s JOIN owners o ON o.owner = s.owner JOIN session_bodies b ON b.id BETWEEN s.seq * 8 AND s.seq * 8 + 7
      ORDER BY 1`);
    db.exec('DROP TABLE session_bodies');
  }
  db.exec('CREATE UNIQUE INDEX IF NOT EXISTS owners_no ON owners (no)');
}

/**
 * Migration 5: the outbox and push_state keyed by (partner_key, module, object_seq) instead of (partner_key,
 * session_seq), so that every module's objects (sessions, later CDRs, tariffs…) share them; Delivery/OutboxKey in
 * src/store/contract.ts. A primary key cannot be altered in SQLite, so both tables are rebuilt (the column gets its
 * new name on the way); existing rows are sessions. The claim index and order stay as they were. Done once per
 * file: a file that has outbox.module already (e.g. an older user_version set by hand) is left as it is.
 */
export function keyOutboxByModule(db: Database.Database): void {
  if (hasColumn(db, 'outbox', 'module')) return;
  db.exec(`
CREATE TABLE outbox_by_module (
  partner_key TEXT NOT NULL, module TEXT NOT NULL, object_seq INTEGER NOT NULL, rev INTEGER NOT NULL,
  enqueued_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL,
  last_error TEXT, claim TEXT,
  PRIMARY KEY (partner_key, module, object_seq)
) WITHOUT ROWID;
INSERT INTO outbox_by_module
  (partner_key, module, object_seq, rev, enqueued_at, attempts, next_attempt_at, last_error, claim)
  SELECT partner_key, 'sessions', session_seq, rev, enqueued_at, attempts, next_attempt_at, last_error, claim
  FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_by_module RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (next_attempt_at, enqueued_at);

CREATE TABLE push_state_by_module (
  partner_key TEXT NOT NULL, module TEXT NOT NULL, object_seq INTEGER NOT NULL, delivered TEXT NOT NULL,
  PRIMARY KEY (partner_key, module, object_seq)
) WITHOUT ROWID;
INSERT INTO push_state_by_module (partner_key, module, object_seq, delivered)
  SELECT partner_key, 'sessions', session_seq, delivered FROM push_state;
DROP TABLE push_state;
ALTER TABLE push_state_by_module RENAME TO push_state;
`);
}

/**
 * Migration 6: a pull's sync state is kept per (pull key, module) (src/service/pull-state.ts): the setting
 * `pull.<key>.state` of earlier releases becomes `pull.<key>.sessions.state`. Pull keys never end in `.sessions`
 * (a party key, or a URL key ending in a token hash), so a key renamed already is not renamed again. The token
 * encoding and the saved configuration (`pull.<key>.encoding`, `.config`) describe the peer and stay as they are.
 */
export const PULL_STATE_PER_MODULE = `
UPDATE meta SET key = substr(key, 1, length(key) - length('.state')) || '.sessions.state'
WHERE key GLOB 'pull.*.state' AND key NOT GLOB 'pull.*.sessions.state';
`;

/**
 * Migration 7: push lanes (src/store/push-lanes.ts). outbox_lane serves the per-partner claims and the skip scan
 * of the partners with entries; push_lanes keeps each lane's consecutive failures, pause, last error and success.
 */
export const PUSH_LANES = `
CREATE INDEX IF NOT EXISTS outbox_lane ON outbox (partner_key, next_attempt_at);
CREATE TABLE IF NOT EXISTS push_lanes (
  partner_key TEXT PRIMARY KEY, failures INTEGER NOT NULL DEFAULT 0, paused_until INTEGER NOT NULL DEFAULT 0,
  last_error TEXT, last_error_at INTEGER, last_success_at INTEGER
) WITHOUT ROWID;
`;

/**
 * Migration 8: the operator console (src/store/console.ts). Its sessions list walks an index in (sort key, seq)
 * order: last_updated, the owner's last_updated, the canonical start time (an expression index: the list's
 * ORDER BY uses the same expression). push_lanes.operator_paused: the console's pause of a partner's lane, kept
 * apart from the failure pause (the push worker claims nothing for the lane while it is 1).
 */
export function consoleIndexes(db: Database.Database): void {
  db.exec(`
CREATE INDEX IF NOT EXISTS sessions_console_updated ON sessions (last_updated, seq);
CREATE INDEX IF NOT EXISTS sessions_console_owner ON sessions (owner, last_updated, seq);
CREATE INDEX IF NOT EXISTS sessions_console_start ON sessions (json_extract(doc, '$.startDateTime'), seq);
`);
  if (!hasColumn(db, 'push_lanes', 'operator_paused'))
    db.exec('ALTER TABLE push_lanes ADD COLUMN operator_paused INTEGER NOT NULL DEFAULT 0');
}

/**
 * Migration 11: a session's history of changes (src/domain/session-change.ts, store/write-plan.ts). session_history
 * keeps per session (seq) its last HISTORY_LIMIT revisions: write time, last_updated, source and change summary,
 * no body. Keyed (seq, rev) without rowid: a session's history is one range, and trimming it (the write that passes
 * the limit deletes the revision that falls out) is one range delete. sessions.digest: the few fields the next
 * write's summary compares (NULL for sessions written before: the next write computes it from the document).
 * push_state.rev: the revision a partner acknowledged (NULL for what was delivered before).
 */
export function sessionHistory(db: Database.Database): void {
  db.exec(`
CREATE TABLE IF NOT EXISTS session_history (
  seq INTEGER NOT NULL, rev INTEGER NOT NULL, written_at INTEGER NOT NULL, last_updated INTEGER NOT NULL,
  source TEXT, summary TEXT NOT NULL,
  PRIMARY KEY (seq, rev)
) WITHOUT ROWID;
`);
  for (const [table, column, type] of [
    ['sessions', 'digest', 'TEXT'],
    ['push_state', 'rev', 'INTEGER'],
  ] as const) {
    if (!hasColumn(db, table, column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  }
}

/**
 * Migration 13 (issue 16, a cheaper session write): two fewer index entries to compute per written session.
 * - sessions.start_ms: the start time (epoch ms) as a plain column the writer sets, indexed for the console's
 *   start-time sort instead of the expression index on json_extract(doc, '$.startDateTime'), which parsed the ~3 KB
 *   document on every insert and update. Existing rows get it from their document (one pass, in the migration's
 *   transaction).
 * - One index for an owner's sessions by last_updated: sessions_console_owner becomes (owner, last_updated, seq,
 *   ord) and sessions_owner_updated (owner, last_updated, ord) is dropped. The console's owner list walks it in
 *   (last_updated, seq) order as before; the sender's counts of a date window's partial days (sqlite-store.ts
 *   `range`: ord by owner and last_updated) read it as a covering index, as they read the dropped one.
 * Each step checks what is there (a file at an earlier user_version set by hand may have it already).
 */
export function leanSessionIndexes(db: Database.Database): void {
  const columns = (index: string) =>
    db
      .prepare<[string], { name: string | null }>('SELECT name FROM pragma_index_info(?) ORDER BY seqno')
      .all(index)
      .map((c) => c.name)
      .join(',');
  if (!hasColumn(db, 'sessions', 'start_ms')) {
    // Before the backfill: the expression index is not needed for it, and the new index is built once after it.
    db.exec('DROP INDEX IF EXISTS sessions_console_start');
    db.exec('ALTER TABLE sessions ADD COLUMN start_ms INTEGER');
    if (db.prepare('SELECT 1 FROM sessions LIMIT 1').get() !== undefined) {
      // Rewrites every session row, once per file: 14–26 s for 200 000 sessions (docs/performance.md, seventh
      // round, lead): say so.
      process.stderr.write(
        `ocpi-sessions: ${db.name}: indexing session start times (once; may take minutes)\n`,
      );
      db.exec("UPDATE sessions SET start_ms = json_extract(doc, '$.startDateTime')");
    }
  }
  if (columns('sessions_console_start') !== 'start_ms,seq') {
    db.exec('DROP INDEX IF EXISTS sessions_console_start');
    db.exec('CREATE INDEX sessions_console_start ON sessions (start_ms, seq)');
  }
  if (columns('sessions_console_owner') !== 'owner,last_updated,seq,ord') {
    db.exec('DROP INDEX IF EXISTS sessions_console_owner');
    db.exec('CREATE INDEX sessions_console_owner ON sessions (owner, last_updated, seq, ord)');
  }
  db.exec('DROP INDEX IF EXISTS sessions_owner_updated');
}

/** Whether `table` has `column` (the migrations add columns only where an earlier build left them out). */
export function hasColumn(db: Database.Database, table: string, column: string): boolean {
  return (
    db
      .prepare<[string, string], 1>('SELECT 1 FROM pragma_table_info(?) WHERE name = ?')
      .pluck()
      .get(table, column) !== undefined
  );
}
