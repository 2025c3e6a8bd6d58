// PostgreSQL schema migrations. They run on every connect and are safe when several processes start at once:
// the whole check-and-apply runs in one transaction holding a transaction-level advisory lock, so concurrent
// starters queue behind the first one and then find nothing left to do (and a failed migration leaves nothing
// half-applied: PostgreSQL DDL is transactional). `migrate(pool)` is exported for a future
// `ocpi-sessions migrate` command. Migrations are append-only: never edit one that has shipped.
import type pg from 'pg';
import { inTransaction } from './transaction.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Advisory lock key (two-int form, scoped to the database): 'ocpi' in ASCII, then 1 for "schema migrations". */
const LOCK_KEY: [number, number] = [0x6f637069, 1];

// See src/store/paging.ts for what `ord` and `session_counts` are for. The layout matches src/store/sqlite/schema.ts.
// Key columns use COLLATE "C": byte-wise comparison (like SQLite's BINARY), cheaper index comparisons and an
// ORDER BY that does not depend on the server's locale.
const V1_SCHEMA = `
CREATE TABLE meta (key text COLLATE "C" PRIMARY KEY, value text NOT NULL);

-- party_key is NULL while a partner is only invited (token A handed out, party not known yet).
-- their_token: the token we send to them; it must be kept in clear to be usable. Ours are stored as hashes only.
CREATE TABLE partners (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  country_code text NOT NULL,
  party_id text NOT NULL,
  party_key text COLLATE "C" UNIQUE,
  roles text NOT NULL,
  format text NOT NULL,
  state text NOT NULL,
  token_hash text COLLATE "C" NOT NULL UNIQUE,
  created_at bigint NOT NULL,
  business_name text,
  version text,
  versions_url text,
  endpoints text NOT NULL DEFAULT '[]',
  token_encoding text,
  their_token text
);

-- One row per session, keyed (case-insensitively: the store upper-cases both) by CPO party key and session id.
-- ord: the owner's creation ordinal (listing order); last_updated: epoch milliseconds; doc: canonical JSON;
-- rev: incremented on every write of the session (what the push outbox delivers).
CREATE TABLE sessions (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cpo text COLLATE "C" NOT NULL,
  id_ci text COLLATE "C" NOT NULL,
  owner text COLLATE "C" NOT NULL,
  ord bigint NOT NULL,
  last_updated bigint NOT NULL,
  doc text NOT NULL,
  rev integer NOT NULL DEFAULT 1,
  UNIQUE (cpo, id_ci)
);
-- Pages: one ordered range scan from (owner, first ord of a block). INCLUDE (last_updated, seq) lets that scan
-- test the date window and compute the body key from the index alone (index-only scan, no heap visit), so the
-- at most 1 023 rows skipped inside a block cost little. Unique: an owner never hands out the same ord twice.
CREATE UNIQUE INDEX sessions_owner_ord ON sessions (owner, ord) INCLUDE (last_updated, seq);
-- Counts for the partial edge days of a window: a range scan over at most one day of one owner, grouped by
-- block (ord >> BLOCK_BITS, read from the index).
CREATE INDEX sessions_owner_updated ON sessions (owner, last_updated, ord);

-- One rendered body per session and wire format: id = seq * 8 + format index (src/domain/wire-format.ts).
CREATE TABLE session_bodies (id bigint PRIMARY KEY, body text NOT NULL);

-- Matches per (owner, UTC day of last_updated, block = ord >> BLOCK_BITS), maintained at write time.
-- Primary key (owner, day, block): the whole days of a window are one contiguous range of the key.
CREATE TABLE session_counts (
  owner text COLLATE "C" NOT NULL,
  block bigint NOT NULL,
  day bigint NOT NULL,
  n integer NOT NULL,
  PRIMARY KEY (owner, day, block)
);

-- Push outbox (OCPI 2.2.1 §9.2: the CPO pushes sessions to the owning eMSP): one row per partner and session with
-- changes not yet delivered; rev is the session revision to deliver. Workers claim due rows with
-- FOR UPDATE SKIP LOCKED (several processes never get the same row) and lease them by moving next_attempt_at;
-- outbox_due serves that claim (due rows, oldest first). push_state keeps what was delivered last, so a later
-- delivery can be a PATCH with only what changed.
CREATE TABLE outbox (
  partner_key text COLLATE "C" NOT NULL,
  session_seq bigint NOT NULL,
  rev integer NOT NULL,
  enqueued_at bigint NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at bigint NOT NULL,
  last_error text,
  PRIMARY KEY (partner_key, session_seq)
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, enqueued_at);
CREATE TABLE push_state (
  partner_key text COLLATE "C" NOT NULL,
  session_seq bigint NOT NULL,
  delivered text NOT NULL,
  PRIMARY KEY (partner_key, session_seq)
);

-- Per owner: the last ord handed out and a version bumped by every write that changes the owner's listing (it
-- revalidates the planners' cached block tables, in every process). Writers lock these rows (see putSessions).
CREATE TABLE owners (
  owner text COLLATE "C" PRIMARY KEY,
  next_ord bigint NOT NULL,
  version bigint NOT NULL
);
`;

// partners_version: bumped by every change to partners, in the changing transaction, whoever makes it. A page read
// returns it from its own snapshot, so a process may authenticate the sessions sender's GET from an in-memory
// token cache and still refuse a token removed a moment ago by any process (src/service/token-cache.ts).
const V2_PARTNERS_VERSION = `
CREATE TABLE partners_version (id integer PRIMARY KEY CHECK (id = 1), v bigint NOT NULL);
INSERT INTO partners_version (id, v) VALUES (1, 0);
CREATE FUNCTION bump_partners_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE partners_version SET v = v + 1 WHERE id = 1;
  RETURN NULL;
END $$;
CREATE TRIGGER partners_changed AFTER INSERT OR UPDATE OR DELETE ON partners
  FOR EACH STATEMENT EXECUTE FUNCTION bump_partners_version();
`;

// Named leases (e.g. one pull per partner at a time, src/service/pull-lock.ts).
const V3_LOCKS = `
CREATE TABLE locks (name text COLLATE "C" PRIMARY KEY, holder text NOT NULL, expires_at bigint NOT NULL);
`;

// Bodies in page order: one owner's bodies in one format are adjacent entries of the primary key, so a page without
// a date window is one index range scan, and a windowed page's lookups land side by side (session_bodies, keyed by
// seq * 8 + format, spread one owner's page over the whole table).
const V4_PAGE_BODIES = `
CREATE TABLE page_bodies (
  owner text COLLATE "C" NOT NULL,
  fmt smallint NOT NULL,
  ord bigint NOT NULL,
  body text NOT NULL,
  PRIMARY KEY (owner, fmt, ord)
);
-- Rows up to a heap page stay inline and uncompressed: a 2.1.1 body with its location (~2.4 KB) would otherwise be
-- compressed past the default 2 KB target, and every page read would decompress it (measured: 1.2 ms of database
-- CPU per 2.1.1 limit=100 page against 0.5 ms for 2.2.1). Larger bodies are still compressed and moved out of line.
ALTER TABLE page_bodies SET (toast_tuple_target = 8160);
INSERT INTO page_bodies (owner, fmt, ord, body)
  SELECT s.owner, (b.id - s.seq * 8)::smallint, s.ord, b.body
  FROM sessions s JOIN session_bodies b ON b.id BETWEEN s.seq * 8 AND s.seq * 8 + 7
  ORDER BY 1, 2, 3;
DROP TABLE session_bodies;
`;

// Fenced outbox claims: claim is the fencing token of the worker's claim (NULL when unclaimed; see Delivery.claim in
// src/store/contract.ts). A row leased by an older build is claimed again once its lease ends.
const V5_OUTBOX_CLAIM = `
ALTER TABLE outbox ADD COLUMN claim text;
`;

// The outbox and push_state keyed by (partner_key, module, object_seq) instead of (partner_key, session_seq), so that
// every module's objects (sessions, later CDRs, tariffs…) share them (Delivery/OutboxKey in src/store/contract.ts).
// Existing rows are sessions (a constant default: no table rewrite; then dropped, every writer names the module).
// The column is renamed: a catalogue change. The primary keys are rebuilt (one index build per table); outbox_due,
// the claim index, stays as it is.
const V6_OUTBOX_BY_MODULE = `
ALTER TABLE outbox ADD COLUMN module text COLLATE "C" NOT NULL DEFAULT 'sessions';
ALTER TABLE outbox ALTER COLUMN module DROP DEFAULT;
ALTER TABLE outbox RENAME COLUMN session_seq TO object_seq;
ALTER TABLE outbox DROP CONSTRAINT outbox_pkey, ADD PRIMARY KEY (partner_key, module, object_seq);
ALTER TABLE push_state ADD COLUMN module text COLLATE "C" NOT NULL DEFAULT 'sessions';
ALTER TABLE push_state ALTER COLUMN module DROP DEFAULT;
ALTER TABLE push_state RENAME COLUMN session_seq TO object_seq;
ALTER TABLE push_state DROP CONSTRAINT push_state_pkey, ADD PRIMARY KEY (partner_key, module, object_seq);
`;

// A pull's sync state is kept per (pull key, module) (src/service/pull-state.ts): the setting `pull.<key>.state` of
// earlier releases becomes `pull.<key>.sessions.state`. Pull keys never end in `.sessions` (a party key, or a URL
// key ending in a token hash). The token encoding and the saved configuration describe the peer and stay as they are.
const V7_PULL_STATE_PER_MODULE = `
UPDATE meta SET key = left(key, -length('.state')) || '.sessions.state'
WHERE key LIKE 'pull.%.state' AND key NOT LIKE 'pull.%.sessions.state';
`;

// Push lanes (src/store/push-lanes.ts): outbox_lane serves the per-partner claims and the skip scan of the partners
// with entries; push_lanes keeps each lane's consecutive failures, pause, last error and last success.
const V8_PUSH_LANES = `
CREATE INDEX outbox_lane ON outbox (partner_key, next_attempt_at);
CREATE TABLE push_lanes (
  partner_key text COLLATE "C" PRIMARY KEY,
  failures integer NOT NULL DEFAULT 0,
  paused_until bigint NOT NULL DEFAULT 0,
  last_error text,
  last_error_at bigint,
  last_success_at bigint
);
`;

// The operator console (src/store/console.ts): its sessions list walks an index in (sort key, seq) order (the
// start time is an expression index: the list's ORDER BY uses the same expression); push_lanes.operator_paused is
// the console's pause of a partner's lane, apart from the failure pause.
const V9_CONSOLE = `
CREATE INDEX sessions_console_updated ON sessions (last_updated, seq);
CREATE INDEX sessions_console_owner ON sessions (owner, last_updated, seq);
CREATE INDEX sessions_console_start ON sessions (((doc::jsonb ->> 'startDateTime')::numeric), seq);
ALTER TABLE push_lanes ADD COLUMN operator_paused smallint NOT NULL DEFAULT 0;
`;

// Wire format 4 (ocpi-2.3.0, domain/wire-format.ts) was added after sessions were stored: their 2.3.0 bodies are
// rendered by the application when a server opens the store (renderPendingBodies; SQL cannot render a session).
const V10_PENDING_RENDERS = `
CREATE TABLE pending_renders (fmt smallint PRIMARY KEY);
INSERT INTO pending_renders (fmt) SELECT 4 WHERE EXISTS (SELECT 1 FROM sessions);
`;

// OCPI 2.3.0 credentials: the platform's hub_party_id and the parties its roles list (a hub's reachable parties),
// as a JSON array of {role, key} (domain/party.ts ReachedParty).
const V11_PARTNER_PARTIES = `
ALTER TABLE partners ADD COLUMN IF NOT EXISTS hub_party_id text;
ALTER TABLE partners ADD COLUMN IF NOT EXISTS parties text NOT NULL DEFAULT '[]';
`;

// A session's history of changes (src/domain/session-change.ts, store/write-plan.ts): per session (seq) its last
// HISTORY_LIMIT revisions with write time, last_updated, source and change summary, no body; the primary key makes
// a session's history one range and its trim (the write passing the limit deletes what falls out) one range delete.
// sessions.digest: the few fields the next write's summary compares (NULL for sessions written before: the next
// write computes it from the document). push_state.rev: the revision a partner acknowledged (NULL before). Both
// columns are nullable without a default: a catalogue change, no table rewrite.
const V12_SESSION_HISTORY = `
CREATE TABLE session_history (
  seq bigint NOT NULL,
  rev integer NOT NULL,
  written_at bigint NOT NULL,
  last_updated bigint NOT NULL,
  source text,
  summary text NOT NULL,
  PRIMARY KEY (seq, rev)
);
ALTER TABLE sessions ADD COLUMN digest text;
ALTER TABLE push_state ADD COLUMN rev integer;
`;

// The wire formats the store keeps bodies of (issue 16): one row holding the set as a bit mask over WIRE_FORMATS
// indexes (domain/wire-format.ts), so that a writer reads and share-locks it in one statement (putBatch) and an
// addition (addStoredFormats, which updates the row) waits for the writers in flight. A store with sessions keeps
// every format it stored so far (pending_renders lists those whose bodies are not all written yet); a new one
// starts with none: the formats its partners read are added as they are registered.
const V13_STORED_FORMATS = `
CREATE TABLE stored_formats (one smallint PRIMARY KEY CHECK (one = 1), mask integer NOT NULL);
INSERT INTO stored_formats (one, mask) SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM sessions) THEN 31 ELSE 0 END;
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', sql: V1_SCHEMA },
  { version: 2, name: 'partners version', sql: V2_PARTNERS_VERSION },
  { version: 3, name: 'locks', sql: V3_LOCKS },
  { version: 4, name: 'page bodies', sql: V4_PAGE_BODIES },
  { version: 5, name: 'outbox claim', sql: V5_OUTBOX_CLAIM },
  { version: 6, name: 'outbox keyed by module', sql: V6_OUTBOX_BY_MODULE },
  { version: 7, name: 'pull sync state per module', sql: V7_PULL_STATE_PER_MODULE },
  { version: 8, name: 'push lanes', sql: V8_PUSH_LANES },
  { version: 9, name: 'operator console', sql: V9_CONSOLE },
  { version: 10, name: 'ocpi-2.3.0 bodies to render', sql: V10_PENDING_RENDERS },
  { version: 11, name: 'partner hub party and parties', sql: V11_PARTNER_PARTIES },
  { version: 12, name: 'session history', sql: V12_SESSION_HISTORY },
  { version: 13, name: 'stored wire formats', sql: V13_STORED_FORMATS },
];

/**
 * Applies the migrations this database lacks, in order, up to `target` (default: all; an earlier one builds the
 * schema of an earlier release); returns the versions applied (empty when up to date).
 */
export async function migrate(pool: pg.Pool, target = Infinity): Promise<number[]> {
  return inTransaction(pool, async (client) => {
    const applied: number[] = [];
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', LOCK_KEY);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const have = new Set(done.rows.map((r) => Number(r.version)));
    for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
      if (have.has(m.version) || m.version > target) continue;
      // Some migrations move every stored session (minutes on large databases): say what is being done.
      if (have.size > 0)
        process.stderr.write(`ocpi-sessions: applying schema migration ${m.version} (${m.name})\n`);
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
      applied.push(m.version);
    }
    return applied;
  });
}
