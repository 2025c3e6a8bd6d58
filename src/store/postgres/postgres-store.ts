// SessionStore on PostgreSQL (node-postgres pool). Same layout and semantics as the SQLite store, and safe when
// several processes (machines) write and read one database:
//
// - putSessions runs in ONE transaction and takes its locks in one global order, so two writers never wait on
//   each other in a cycle: first the existing session rows (SELECT ... FOR UPDATE, sorted by key), then the
//   `owners` rows of every owner involved, old and new (INSERT ... ON CONFLICT (owner) DO UPDATE ... RETURNING,
//   sorted), which serializes the writers of one owner and makes next_ord allocation safe. Holding those locks
//   it replays the batch in memory, executing each record's write plan (src/store/write-plan.ts, the one SQLite's
//   putOne executes: ord allocation, counter deltas, outcomes), and writes the result with a few multi-row
//   statements (a large batch's new sessions and bodies with COPY into staging tables first: bulk-copy.ts). A session that another process created after our read shows up as an INSERT ... ON CONFLICT
//   (cpo, id_ci) DO NOTHING that returned no row: the transaction is rolled back and replayed, and the replay
//   finds and locks that row, so a session is never duplicated.
//   Deadlock and serialization failures (not expected, given the lock order) are replayed the same way.
// - Listing uses the shared PagePlanner; its block tables are revalidated with owners.version, which every write
//   bumps in the same transaction as its counters, so a cache in one process sees writes from all others.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ModuleId } from '../../domain/module-id.js';
import type { PageQuery, RenderedPage, SessionScope } from '../../domain/page.js';
import { formatsReadBy, type Partner, type PartnerUpdate } from '../../domain/party.js';
import { partyKey, type PartyKey, type Session, type SessionRef } from '../../domain/session.js';
import { WIRE_FORMATS, type WireFormat } from '../../domain/wire-format.js';
import { RevisionConflict } from '../contract.js';
import type { Setting } from '../settings.js';
import type {
  Completed,
  ConsoleListQuery,
  ConsoleListRow,
  DeliveredState,
  OutboxEntryState,
  ClaimedDelivery,
  SessionHistoryEntry,
  Delivery,
  PushRead,
  FoundPartner,
  LaneClaim,
  LaneState,
  NewPartner,
  OutboxKey,
  OutboxSummary,
  PutOptions,
  PutOutcome,
  RenderBody,
  SessionRecord,
  SessionStore,
  StoredFormats,
  StoredSession,
} from '../contract.js';
import {
  BLOCK_BITS,
  MAX,
  MIN,
  PagePlanner,
  renderDocs,
  type BlockCounts,
  type PageBodies,
  type PagingBackend,
} from '../paging.js';
import { queryRawRows } from './raw-rows.js';
import { outboxSummarySql, summaryFromRows, type OutboxSummaryRow } from '../outbox-summary.js';
import {
  consoleSql,
  historyFromRow,
  listStatement,
  outboxEntryFromRow,
  POSTGRES_CONSOLE,
  recentFromRow,
  type HistoryRow,
  type OutboxEntryRow,
  type RecentRow,
} from '../console.js';
import { laneFromRow, laneSql, MAX_ERROR_CHARS, postgresPlaceholder, type LaneRow } from '../push-lanes.js';
import { partnerFromRow, partnerUpdateColumns, type PartnerRow } from '../rows.js';
import {
  formatsOfMask,
  storedFormatsOf,
  maskOfFormats,
  placeWrite,
  planWrite,
  sessionKey,
  storedDigest,
  type BodyWrite,
  type CountDelta,
  type HistoryEntry,
  type Position,
} from '../write-plan.js';
import type { SessionDigest } from '../../domain/session-change.js';
import { copyRows, type Staging } from './bulk-copy.js';
import { migrate } from './migrations.js';
import { inTransaction } from './transaction.js';

export interface PostgresOptions {
  /** Pool size; default PGPOOL_MAX from the environment, else 10. */
  poolSize?: number;
  /** Give up connecting after this long; default PG_CONNECT_TIMEOUT_MS, else 5 000 (0: wait forever). */
  connectTimeoutMs?: number;
  /** Give up waiting for a query's answer after this long; default PG_QUERY_TIMEOUT_MS, else 30 000 (0: never). */
  queryTimeoutMs?: number;
}

const INT8_OID = 20;
/** deadlock_detected, serialization_failure: the transaction was rolled back and can be replayed. */
const RETRY_CODES = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 10;
/** Sessions per multi-row statement: at most 10 000 parameters (5 bodies each); PostgreSQL allows 65 535. */
const CHUNK = 500;
/** Sessions written from which a batch goes through COPY (bulk-copy.ts); a smaller one pays its extra round trips. */
const BULK_MIN = 200;
/** Refresh planner statistics when this process has created this many sessions, then at each doubling. */
const FIRST_ANALYZE = 5000;

/**
 * The setting of the page pool's connections, which run one statement: the page read without a date window
 * (SQL.pageAll), prepared once per connection. In the default mode (auto) PostgreSQL re-plans a prepared statement
 * for every execution unless its generic plan is estimated no dearer than the custom ones, and the generic plan of
 * a `LIMIT $n` is costed as reading 10 % of the rows: so every page was planned anew (about 1.2 ms of planning the
 * first time, then the bulk of the backend's CPU per page) for a plan that is always the same range of
 * page_bodies' primary key. Not set for the main pool: its other statements (a date window, the write batch's
 * unnest joins) need plans made for their actual values. Set by a SET on each new connection (pg-pool's
 * `onConnect`, awaited before the connection is handed out: the `connect` event's SET ran beside the first page
 * query, which pg deprecates), not a startup `options` parameter, which PgBouncer refuses unless told to ignore it:
 * behind a pooler in transaction mode the SET may not stick, and the page is then planned per execution, as
 * before, but never fails.
 */
const GENERIC_PLANS = 'SET plan_cache_mode = force_generic_plan';

async function setGenericPlans(client: pg.ClientBase): Promise<void> {
  await client.query(GENERIC_PLANS);
}

/** Another transaction created one of our new sessions after we looked: replay the batch. */
class ConcurrentCreate extends Error {}

interface ExistingRow {
  seq: number;
  cpo: string;
  id_ci: string;
  owner: string;
  ord: number;
  last_updated: number;
  rev: number;
  digest: string | null;
  /** The document, only when no digest is stored (a session written before digests were kept). */
  doc: string | null;
}

/** An owner's row as lockRows answers it (after the sessions' rows). */
interface LockedOwner {
  seq: null;
  owner: string;
  next_ord: number;
}

interface SessionRow {
  seq: number;
  owner: string;
  doc: string;
  rev: number;
}

interface DeliveryRow {
  partner_key: string;
  module: ModuleId;
  object_seq: number;
  rev: number;
  attempts: number;
  enqueued_at: number;
  claim: string;
}

/** The state of one session key as the batch leaves it. */
interface Pending {
  seq?: number; // undefined until inserted
  cpo: string;
  idCi: string;
  owner: string;
  ord: number;
  lastUpdated: number;
  rev: number;
  /** The digest of the session as the batch leaves it (the next record's change summary compares with it). */
  digest?: SessionDigest;
  doc?: string;
  /** The new digest (JSON), written with the session. */
  digestText?: string;
  bodies?: BodyWrite[];
  dirty: boolean;
}

interface OwnerState {
  nextOrd: number;
  allocated: boolean;
}

/** An outbox or push_state key: always the first three parameters ($1-$3, from `key`). */
const KEY_IS = 'partner_key = $1 AND module = $2 AND object_seq = $3';
const key = (k: OutboxKey): [string, ModuleId, number] => [k.partnerKey, k.module, k.objectSeq];

const LANES = laneSql(postgresPlaceholder);
const CONSOLE = consoleSql(POSTGRES_CONSOLE);

const SQL_BODIES = (rows: number) => `INSERT INTO page_bodies (owner, fmt, ord, body)
    VALUES ${valuesList(rows, ['text', 'smallint', 'bigint', 'text'])}
    ON CONFLICT (owner, fmt, ord) DO UPDATE SET body = excluded.body`;

/** Staging tables of the bulk path (bulk-copy.ts): new sessions (k: their order) and bodies. */
const STAGE_SESSIONS: Staging = {
  table: 'bulk_sessions',
  columns: [
    ['k', 'integer'],
    ['cpo', 'text'],
    ['id_ci', 'text'],
    ['owner', 'text'],
    ['ord', 'bigint'],
    ['last_updated', 'bigint'],
    ['rev', 'integer'],
    ['doc', 'text'],
    ['digest', 'text'],
  ],
};
const STAGE_BODIES: Staging = {
  table: 'bulk_bodies',
  columns: [
    ['owner', 'text'],
    ['fmt', 'smallint'],
    ['ord', 'bigint'],
    ['body', 'text'],
  ],
};

/**
 * The CTEs that end a batch, carried by its first bodies statement (one round trip instead of three; an ingest
 * write alone in its transaction measured 15-20 % more CPU with a history statement of its own):
 * - the batch's history (migration 12), one row per revision written, and the revisions that fall out of the last
 *   HISTORY_LIMIT deleted. The DELETE sees the table as it was before the statement: the batch leaves out the
 *   revisions it would delete itself (see tailParams);
 * - the count deltas (session_counts) and the owners' next ords allocated by the batch (their rows are locked
 *   since lockRows).
 * The parameters after the statement's own `n` (tailParams): the history entries (5 arrays, the write time one
 * value), the deltas (4 arrays), the next ords (2 arrays), then, only when the batch trims (`trim`), the trims (2
 * arrays). Data-modifying CTEs always run to completion, whether read or not.
 */
function tailWith(n: number, trim: boolean): string {
  const h = (i: number, type: string) => `$${n + i}::${type}`;
  const trimmed = `, trimmed AS (
        DELETE FROM session_history x USING unnest(${h(13, 'bigint[]')}, ${h(14, 'integer[]')}) AS v(seq, rev)
        WHERE x.seq = v.seq AND x.rev <= v.rev
      )`;
  return `WITH history AS (
        INSERT INTO session_history (seq, rev, written_at, last_updated, source, summary)
        SELECT v.seq, v.rev, ${h(3, 'bigint')}, v.lu, v.source, v.summary
        FROM unnest(${h(1, 'bigint[]')}, ${h(2, 'integer[]')}, ${h(4, 'bigint[]')}, ${h(5, 'text[]')},
          ${h(6, 'text[]')}) AS v(seq, rev, lu, source, summary)
      ), counted AS (
        INSERT INTO session_counts (owner, block, day, n)
        SELECT * FROM unnest(${h(7, 'text[]')}, ${h(8, 'bigint[]')}, ${h(9, 'bigint[]')}, ${h(10, 'integer[]')})
        ON CONFLICT (owner, day, block) DO UPDATE SET n = session_counts.n + excluded.n
      ), ords AS (
        UPDATE owners o SET next_ord = v.next_ord FROM unnest(${h(11, 'text[]')}, ${h(12, 'bigint[]')}) AS v(owner, next_ord)
        WHERE o.owner = v.owner
      )${trim ? trimmed : ''}`;
}

const SQL = {
  // The rows a batch writes, locked in one round trip, in a fixed order (two batches wait on each other in one
  // direction): the stored sessions of its keys ($1, $2) in key order, then the owners of its records ($3) and of
  // those sessions in name order, created when absent, their versions bumped. The owners' INSERT reads all of
  // `found` (sorted) before it locks an owner. Answered as `found`'s rows, then one row per owner (seq null).
  lockRows: `WITH found AS MATERIALIZED (
      SELECT s.seq, s.cpo, s.id_ci, s.owner, s.ord, s.last_updated, s.rev, s.digest,
        CASE WHEN s.digest IS NULL THEN s.doc END AS doc
      FROM sessions s JOIN unnest($1::text[], $2::text[]) AS k(cpo, id_ci) ON s.cpo = k.cpo AND s.id_ci = k.id_ci
      ORDER BY s.cpo, s.id_ci FOR UPDATE OF s
    ), locked AS (
      INSERT INTO owners (owner, next_ord, version)
      SELECT o, 0, 1 FROM (SELECT unnest($3::text[]) UNION SELECT owner FROM found) AS w(o) ORDER BY o COLLATE "C"
      ON CONFLICT (owner) DO UPDATE SET version = owners.version + 1
      RETURNING owner, next_ord
    )
    SELECT f.*, NULL::bigint AS next_ord FROM found f
    UNION ALL SELECT NULL, NULL, NULL, l.owner, NULL, NULL, NULL, NULL, NULL, l.next_ord FROM locked l`,
  // Statements carrying documents and bodies use VALUES lists (see valuesList): a text parameter goes over the
  // wire as is, whereas a text[] parameter would first be escaped into an array literal (slow for KBs of JSON).
  insert: (rows: number) => `INSERT INTO sessions (cpo, id_ci, owner, ord, last_updated, rev, doc, digest)
    VALUES ${valuesList(rows, ['text', 'text', 'text', 'bigint', 'bigint', 'integer', 'text', 'text'])}
    ON CONFLICT (cpo, id_ci) DO NOTHING RETURNING seq, cpo, id_ci`,
  update: (rows: number) => `UPDATE sessions s
    SET owner = v.owner, ord = v.ord, last_updated = v.last_updated, rev = v.rev, doc = v.doc, digest = v.digest
    FROM (VALUES ${valuesList(rows, ['bigint', 'text', 'bigint', 'bigint', 'integer', 'text', 'text'])})
      AS v(seq, owner, ord, last_updated, rev, doc, digest)
    WHERE s.seq = v.seq`,
  bodies: SQL_BODIES,
  // The first bodies statement of a batch also ends it (tailWith).
  bodiesWithTail: (rows: number, trim: boolean) => `${tailWith(rows * 4, trim)}
      ${SQL_BODIES(rows)}`,
  // A batch with no body to write (no stored format): its tail alone (a data-modifying CTE always runs).
  tailOnly: (trim: boolean) => `${tailWith(0, trim)} SELECT 1`,
  // The stored formats (migration 13), share-locked by every write transaction first (ROW SHARE on the table, a
  // share lock on the row): addStoredFormats locks the table EXCLUSIVE, so it waits for the writers in flight, and
  // a writer arriving meanwhile waits for it and then reads the row as it committed it.
  formatsForWrite: 'SELECT mask FROM stored_formats FOR SHARE',
  formatsForAdd: 'SELECT mask FROM stored_formats FOR UPDATE',
  storedFormats: `SELECT mask, ARRAY(SELECT fmt FROM pending_renders ORDER BY fmt) AS pending FROM stored_formats`,
  // A page of a format that is not ready: the documents of the page's positions, with the versions as in `page`.
  docsPage: `SELECT ord, doc, (SELECT version FROM owners WHERE owner = $1), (SELECT v FROM partners_version)
    FROM sessions WHERE owner = $1 AND ord >= $2 AND last_updated >= $3 AND last_updated < $4
    ORDER BY ord LIMIT $5 OFFSET $6`,
  // A large batch (bulk-copy.ts): the rows come from the staging tables, with the same conflict clauses.
  bulkInsert: `INSERT INTO sessions (cpo, id_ci, owner, ord, last_updated, rev, doc, digest)
    SELECT cpo, id_ci, owner, ord, last_updated, rev, doc, digest FROM ${STAGE_SESSIONS.table} ORDER BY k
    ON CONFLICT (cpo, id_ci) DO NOTHING RETURNING seq, cpo, id_ci`,
  bulkBodiesWithTail: (trim: boolean) => `${tailWith(0, trim)}
      INSERT INTO page_bodies (owner, fmt, ord, body) SELECT owner, fmt, ord, body FROM ${STAGE_BODIES.table}
      ON CONFLICT (owner, fmt, ord) DO UPDATE SET body = excluded.body`,
  // The bodies of sessions that moved to another owner leave the old owner's pages (every format).
  dropBodies: `DELETE FROM page_bodies b
    USING unnest($1::text[], $2::bigint[]) AS v(owner, ord), generate_series(0, $3::smallint) AS f(fmt)
    WHERE b.owner = v.owner AND b.fmt = f.fmt AND b.ord = v.ord`,
  readHistory: `SELECT rev, written_at, last_updated, source, summary FROM session_history WHERE seq = $1
    ORDER BY rev DESC LIMIT $2`,
  deliveredState: `SELECT delivered, rev FROM push_state WHERE ${KEY_IS}`,
  // Outbox rows and push_state are keyed by (partner_key, module, object_seq): OutboxKey.
  // A change arriving while an earlier revision is leased only raises rev: the lease and attempts stand.
  enqueue: (
    rows: number,
  ) => `INSERT INTO outbox (partner_key, module, object_seq, rev, enqueued_at, next_attempt_at)
    VALUES ${valuesList(rows, ['text', 'text', 'bigint', 'integer', 'bigint', 'bigint'])}
    ON CONFLICT (partner_key, module, object_seq) DO UPDATE SET rev = excluded.rev`,
  get: 'SELECT seq, owner, doc, rev FROM sessions WHERE cpo = $1 AND id_ci = $2',
  // k.i: the key's place in the asked list (1-based).
  getMany: `SELECT k.i::int AS i, s.seq, s.owner, s.doc, s.rev
    FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(cpo, id_ci, i)
    JOIN sessions s ON s.cpo = k.cpo AND s.id_ci = k.id_ci`,
  bySeq: 'SELECT seq, owner, doc, rev FROM sessions WHERE seq = $1',
  scan: 'SELECT seq, owner, doc, rev FROM sessions WHERE seq > $1 ORDER BY seq LIMIT $2',
  version: 'SELECT version FROM owners WHERE owner = $1',
  ownerState: 'SELECT version, next_ord FROM owners WHERE owner = $1',
  fullDays: `SELECT block, SUM(n)::bigint AS n FROM session_counts WHERE owner = $1 AND day >= $2 AND day < $3
    GROUP BY block ORDER BY block`,
  range: `SELECT ord >> ${BLOCK_BITS} AS block, COUNT(*) AS n FROM sessions
    WHERE owner = $1 AND last_updated >= $2 AND last_updated < $3 GROUP BY 1 ORDER BY 1`,
  // The page is chosen from sessions alone (small index tuples), and only its rows fetch their bodies; the owner's
  // write version comes from the same statement, hence the same snapshot (see src/store/paging.ts).
  // Bodies as text, measured per limit=100 page against the alternatives: bytea (convert_to) costs the database
  // 25-35 % more CPU (hex output) and the client 10-35 % more; string_agg into one value 2.5x the latency.
  page: `SELECT p.ord, b.body, (SELECT version FROM owners WHERE owner = $2), (SELECT v FROM partners_version) FROM (
      SELECT ord FROM sessions
      WHERE owner = $2 AND ord >= $3 AND last_updated >= $4 AND last_updated < $5
      ORDER BY ord LIMIT $6 OFFSET $7
    ) AS p JOIN page_bodies b ON b.owner = $2 AND b.fmt = $1 AND b.ord = p.ord
    ORDER BY p.ord`,
  // Without a date window the page is one range of page_bodies' primary key (no join, no sessions index), so it is
  // prepared once per connection.
  pageAll: `SELECT ord, body, (SELECT version FROM owners WHERE owner = $2), (SELECT v FROM partners_version)
    FROM page_bodies WHERE owner = $2 AND fmt = $1 AND ord >= $3 ORDER BY ord LIMIT $4 OFFSET $5`,
  addPartner: `INSERT INTO partners (country_code, party_id, party_key, roles, format, state, token_hash, created_at,
      version)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
  addInvite: `INSERT INTO partners (country_code, party_id, party_key, roles, format, state, token_hash, created_at)
    VALUES ('', '', NULL, '', 'ocpi', 'invited', $1, $2) RETURNING *`,
  partnerByHash:
    'SELECT *, (SELECT v FROM partners_version) AS partners_version FROM partners WHERE token_hash = $1',
  partnerByKey: 'SELECT * FROM partners WHERE party_key = $1',
  theirToken: 'SELECT their_token FROM partners WHERE id = $1',
  // NULLS FIRST: invited partners (no party key yet) come first, as in SQLite.
  partners: 'SELECT * FROM partners ORDER BY party_key NULLS FIRST, id',
  removePartner: 'DELETE FROM partners WHERE party_key = $1',
  removePartnerById: 'DELETE FROM partners WHERE id = $1',
  // One statement: concurrent workers skip each other's rows instead of waiting or taking the same ones, and a
  // row whose lease another worker just moved is re-checked against the WHERE before it is taken.
  claim: `UPDATE outbox o SET next_attempt_at = $2, claim = $4
    FROM (
      SELECT partner_key, module, object_seq FROM outbox WHERE next_attempt_at <= $1
      ORDER BY next_attempt_at, enqueued_at LIMIT $3 FOR UPDATE SKIP LOCKED
    ) AS due
    WHERE o.partner_key = due.partner_key AND o.module = due.module AND o.object_seq = due.object_seq
    RETURNING o.partner_key, o.module, o.object_seq, o.rev, o.attempts, o.enqueued_at, o.claim`,
  // Per lane (partner $1, limit $2), from outbox_lane in due order; all lanes in one statement, which also reads
  // what each partner last acknowledged of each claimed object (push_state).
  claimLanes: `WITH claimed AS (
      UPDATE outbox o SET next_attempt_at = $4, claim = $5
      FROM (
        SELECT d.partner_key, d.module, d.object_seq FROM unnest($1::text[], $2::int[]) AS w(k, n)
        CROSS JOIN LATERAL (
          SELECT partner_key, module, object_seq FROM outbox
          WHERE partner_key = w.k AND next_attempt_at <= $3 ORDER BY next_attempt_at LIMIT w.n
          FOR UPDATE SKIP LOCKED
        ) AS d
      ) AS due
      WHERE o.partner_key = due.partner_key AND o.module = due.module AND o.object_seq = due.object_seq
      RETURNING o.partner_key, o.module, o.object_seq, o.rev, o.attempts, o.enqueued_at, o.claim
    )
    SELECT c.*, p.delivered FROM claimed c LEFT JOIN push_state p
      ON p.partner_key = c.partner_key AND p.module = c.module AND p.object_seq = c.object_seq`,
  // The push's read of many sessions: the document and the stored body of one format ($2).
  forPush: `SELECT s.seq, s.rev, s.doc, b.body FROM unnest($1::bigint[]) AS q(seq) JOIN sessions s ON s.seq = q.seq
    LEFT JOIN page_bodies b ON b.owner = s.owner AND b.fmt = $2 AND b.ord = s.ord`,
  // Fenced: each of these changes the row only while it carries the worker's claim (a concurrent claim that moved
  // it first is seen: UPDATE re-checks its WHERE against the row's newest version).
  renew: `UPDATE outbox SET next_attempt_at = $4 WHERE ${KEY_IS} AND claim = $5`,
  // completeDeliveries in one statement (atomic): the rows still carrying their delivery's claim are locked in key
  // order (two workers completing overlapping sets wait in one direction), their delivered state written, and each
  // row deleted, or, when a newer revision arrived meanwhile, made due at once ($7) for it.
  completeMany: `WITH d (partner_key, module, object_seq, claim, rev, doc) AS (
      SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::int[], $6::text[])
    ), held AS (
      SELECT o.partner_key, o.module, o.object_seq, d.rev, d.doc FROM outbox o
      JOIN d ON o.partner_key = d.partner_key AND o.module = d.module AND o.object_seq = d.object_seq
        AND o.claim = d.claim
      ORDER BY o.partner_key, o.module, o.object_seq
      FOR UPDATE OF o
    ), delivered AS (
      INSERT INTO push_state (partner_key, module, object_seq, delivered, rev)
      SELECT partner_key, module, object_seq, doc, rev FROM held
      ON CONFLICT (partner_key, module, object_seq) DO UPDATE SET delivered = excluded.delivered, rev = excluded.rev
    ), requeue AS (
      UPDATE outbox o SET next_attempt_at = $7, attempts = 0, last_error = NULL, claim = NULL FROM held h
      WHERE o.partner_key = h.partner_key AND o.module = h.module AND o.object_seq = h.object_seq AND o.rev <> h.rev
    ), done AS (
      DELETE FROM outbox o USING held h
      WHERE o.partner_key = h.partner_key AND o.module = h.module AND o.object_seq = h.object_seq AND o.rev = h.rev
    )
    SELECT partner_key, module, object_seq FROM held`,
  fail: `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $4, last_error = $5, claim = NULL
    WHERE ${KEY_IS} AND claim = $6`,
  delivered: `SELECT delivered FROM push_state WHERE ${KEY_IS}`,
  depth: LANES.depth,
  outboxSummary: outboxSummarySql(postgresPlaceholder),
  acquireLock: `INSERT INTO locks (name, holder, expires_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE
    SET holder = excluded.holder, expires_at = excluded.expires_at
    WHERE locks.holder = excluded.holder OR locks.expires_at <= $4 RETURNING holder`,
  releaseLock: 'DELETE FROM locks WHERE name = $1 AND holder = $2',
  lockHolder: 'SELECT holder, expires_at FROM locks WHERE name = $1',
  getMeta: 'SELECT value FROM meta WHERE key = $1',
  setMeta:
    'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
} as const;

export class PostgresStore implements SessionStore, PagingBackend {
  readonly kind = 'postgres' as const;
  private readonly planner: PagePlanner;
  private closed = false;
  private created = 0;
  private analyzeAt = FIRST_ANALYZE;
  private analyzing: Promise<void> | undefined;
  /** Formats known to be ready (stored for every session): a format never stops being ready. */
  private readonly ready = new Set<number>();

  private constructor(
    private readonly pool: pg.Pool,
    /** Connections for the page read without a date window only (see GENERIC_PLANS). */
    private readonly pages: pg.Pool,
    /** The page pool's query timeout (ms; 0: none), kept by the page read itself. */
    private readonly pageTimeoutMs: number,
  ) {
    this.planner = new PagePlanner(this);
  }

  /** Opens a pool on `url` and brings the schema up to date (safe when several processes start at once). */
  static async connect(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
    // BIGINT (seq, ord, last_updated, ids, COUNT) as numbers: set on this pool only, not globally.
    const types = new pg.TypeOverrides();
    types.setTypeParser(INT8_OID, parseInt8);
    const base = {
      connectionString: url,
      types,
      fallback_application_name: 'ocpi-sessions',
      keepAlive: true,
    };
    // An idle client losing its connection (server restart, failover) is dropped by the pool and replaced on
    // the next query; without a listener the 'error' event would crash the process.
    const onError = (err: Error) => process.emitWarning(`PostgreSQL idle client error: ${err.message}`);
    // Migrations on a connection of their own, without the query timeout (an index build may take long).
    const migrator = new pg.Pool({ ...base, max: 1 });
    let applied: number[] = [];
    migrator.on('error', onError);
    try {
      applied = await migrate(migrator);
    } finally {
      await migrator.end().catch(() => undefined);
    }
    // A database that is down refuses connections at once; one that hangs (frozen, network partition) would
    // hold every request forever: connecting and each query give up after a bound instead (the request then
    // gets 503). A query that timed out discards its connection (pg-pool releases it with the error).
    const served = {
      ...base,
      max: options.poolSize ?? poolSizeFromEnv() ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? msFromEnv('PG_CONNECT_TIMEOUT_MS') ?? 5000,
      query_timeout: (options.queryTimeoutMs ?? msFromEnv('PG_QUERY_TIMEOUT_MS') ?? 30_000) || undefined,
    };
    const pool = new pg.Pool(served);
    pool.on('error', onError);
    // Its one statement (a raw rows query) keeps the query timeout itself (raw-rows.ts: one timer for all).
    // A failed SET fails the checkout (pg-pool ends that connection): answered as any database fault.
    // pg-pool (3.14, index.js newClient) awaits onConnect's promise before handing the connection out; @types/pg
    // still types its result as void.
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    const pages = new pg.Pool({ ...served, query_timeout: undefined, onConnect: setGenericPlans });
    pages.on('error', onError);
    const store = new PostgresStore(pool, pages, served.query_timeout ?? 0);
    // A database whose stored formats were just introduced: the formats its partners read (one with sessions keeps
    // every format already, migrations.ts).
    if (applied.includes(13))
      await store.addStoredFormats((await store.listPartners()).flatMap(formatsReadBy));
    return store;
  }

  async putSessions(records: SessionRecord[], options: PutOptions): Promise<PutOutcome[]> {
    if (records.length === 0) return [];
    for (let attempt = 1; ; attempt++) {
      try {
        // First, with the BEGIN, before any other lock (see formatsForWrite): the formats this batch writes bodies of.
        const outcomes = await this.transaction(
          (c, opened) =>
            this.putBatch(c, formatsOfMask((opened!.rows[0] as { mask: number }).mask), records, options),
          SQL.formatsForWrite,
        );
        this.noteCreated(outcomes.filter((o) => o === 'created').length);
        return outcomes;
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || !isRetryable(err)) throw err;
        await sleep(Math.random() * 10 * attempt);
      }
    }
  }

  // A table filled moments ago has no planner statistics until autovacuum's next pass (up to a minute or more),
  // and without them PostgreSQL reads a page as "all the owner's rows after fromOrd, sorted" instead of a short
  // ordered index range: O(rows) instead of O(page). So after FIRST_ANALYZE sessions created by this process,
  // and at every doubling after that, refresh the statistics in the background (a few ANALYZEs per bulk load).
  private noteCreated(n: number): void {
    this.created += n;
    if (this.created < this.analyzeAt || this.analyzing || this.closed) return;
    this.analyzeAt = this.created * 2;
    this.analyzing = this.pool
      .query('ANALYZE sessions, session_counts')
      .then(
        () => undefined,
        (err: Error) => process.emitWarning(`ANALYZE failed: ${err.message}`),
      )
      .finally(() => (this.analyzing = undefined));
  }

  private async putBatch(
    c: pg.PoolClient,
    formats: readonly WireFormat[],
    records: SessionRecord[],
    options: PutOptions,
  ): Promise<PutOutcome[]> {
    const keys = new Map<string, { cpo: string; idCi: string }>();
    for (const r of records) {
      const k = sessionKey(r.session);
      keys.set(keyOf(k.cpo, k.idCi), k);
    }
    const ks = [...keys.values()];
    // New owners get ords; previous owners lose sessions (counter decrements): lock them all, bump their versions.
    // This covers every plan's `bump` (its owners are the records' and the stored rows' owners), and also bumps
    // the owners of a record that turns out stale (SQLite bumps only on a write).
    const locked = await c.query<ExistingRow | LockedOwner>(SQL.lockRows, [
      ks.map((k) => k.cpo),
      ks.map((k) => k.idCi),
      records.map((r) => r.owner), // lockRows' UNION leaves each owner once
    ]);
    const state = new Map<string, Pending>();
    const owners = new Map<string, OwnerState>();
    for (const row of locked.rows) {
      if (row.seq === null) {
        owners.set(row.owner, { nextOrd: row.next_ord, allocated: false });
        continue;
      }
      state.set(keyOf(row.cpo, row.id_ci), {
        seq: row.seq,
        cpo: row.cpo,
        idCi: row.id_ci,
        owner: row.owner,
        ord: row.ord,
        lastUpdated: row.last_updated,
        rev: row.rev,
        digest: storedDigest(row.digest, row.doc, row.owner),
        dirty: false,
      });
    }

    // Replay the batch in order, executing each record's write plan against the locked state as the earlier
    // records leave it; the rows are locked (FOR UPDATE): the revision cannot change before the commit.
    const deltas = new Map<string, CountDelta>();
    const allocate = (owner: string): number => {
      const o = owners.get(owner)!;
      o.allocated = true;
      return ++o.nextOrd;
    };
    const pushes = new Map<string, { owner: string; module: ModuleId; session: Pending; rev: number }>();
    const moved: Position[] = [];
    const history: { session: Pending; entry: HistoryEntry; trimTo?: number }[] = [];
    const outcomes: PutOutcome[] = records.map((rec) => {
      const { cpo, idCi } = sessionKey(rec.session);
      const cur = state.get(keyOf(cpo, idCi));
      const plan = planWrite(cur, rec, options);
      if (plan.conflict) throw new RevisionConflict();
      if (plan.outcome === 'stale') return 'stale';
      const placed = placeWrite(
        plan,
        plan.ord === 'allocate' ? allocate(plan.owner) : plan.ord,
        formats,
        options.render,
      );
      for (const d of placed.counts) {
        const k = `${d.owner}\u0000${d.block}\u0000${d.day}`;
        const sum = deltas.get(k);
        if (sum) sum.delta += d.delta;
        else deltas.set(k, { ...d });
      }
      moved.push(...plan.dropBodies);
      const p: Pending = Object.assign(cur ?? { cpo, idCi }, {
        owner: plan.owner,
        ord: placed.ord,
        lastUpdated: plan.lastUpdated,
        rev: plan.rev,
        digest: plan.digest,
        doc: rec.doc ?? JSON.stringify(rec.session),
        digestText: plan.digestJson,
        bodies: placed.bodies,
        dirty: true,
      });
      state.set(keyOf(cpo, idCi), p);
      history.push({ session: p, entry: plan.history, trimTo: plan.trimHistoryTo });
      for (const e of plan.outbox) {
        pushes.set(`${e.partnerKey}\u0000${e.module}\u0000${keyOf(cpo, idCi)}`, {
          owner: e.partnerKey,
          module: e.module,
          session: p,
          rev: e.rev,
        });
      }
      return plan.outcome;
    });

    const dirty = [...state.values()].filter((p) => p.dirty);
    const changed = dirty.filter((p) => p.seq !== undefined).sort((a, b) => a.seq! - b.seq!);
    // New sessions in key order, so two writers inserting overlapping sets wait on each other in one direction.
    const fresh = dirty
      .filter((p) => p.seq === undefined)
      .sort((a, b) => compare(keyOf(a.cpo, a.idCi), keyOf(b.cpo, b.idCi)));
    const row = (p: Pending) => [p.cpo, p.idCi, p.owner, p.ord, p.lastUpdated, p.rev, p.doc!, p.digestText!];
    const bodyRow = (b: BodyWrite) => [b.owner, WIRE_FORMATS.indexOf(b.format), b.ord, b.body];
    // A large batch goes through COPY and staging tables (bulk-copy.ts), a small one as multi-row VALUES.
    const bulk = dirty.length >= BULK_MIN;
    const insert = (q: pg.QueryConfig) => c.query<{ seq: number; cpo: string; id_ci: string }>(q);
    let inserted = 0;
    const note = (rows: { seq: number; cpo: string; id_ci: string }[]) => {
      for (const r of rows) state.get(keyOf(r.cpo, r.id_ci))!.seq = r.seq;
      inserted += rows.length;
    };
    if (!bulk) {
      for (const part of chunks(fresh, CHUNK))
        note((await insert({ text: SQL.insert(part.length), values: part.flatMap(row) })).rows);
    } else if (fresh.length) {
      await copyRows(
        c,
        STAGE_SESSIONS,
        fresh.map((p, k) => [k, ...row(p)]),
      );
      note((await insert({ text: SQL.bulkInsert })).rows);
    }
    if (inserted !== fresh.length) throw new ConcurrentCreate('a session was created concurrently');
    for (const part of chunks(changed, CHUNK)) {
      await c.query(
        SQL.update(part.length),
        part.flatMap((p) => [p.seq!, p.owner, p.ord, p.lastUpdated, p.rev, p.doc!, p.digestText!]),
      );
    }
    for (const part of chunks(moved, CHUNK * 4)) {
      await c.query(SQL.dropBodies, [
        part.map((m) => m.owner),
        part.map((m) => m.ord),
        WIRE_FORMATS.length - 1,
      ]);
    }
    const now = Date.now();
    const counts = [...deltas.values()].filter((d) => d.delta !== 0);
    const grown = [...owners].filter(([, o]) => o.allocated);
    const tail = tailParams(history, counts, grown, now);
    if (bulk) {
      await copyRows(
        c,
        STAGE_BODIES,
        dirty.flatMap((p) => p.bodies!.map(bodyRow)),
      );
      await c.query(SQL.bulkBodiesWithTail(tail.trim), tail.params);
    } else {
      let first = true;
      for (const part of chunks(dirty, CHUNK)) {
        const values = part.flatMap((p) => p.bodies!.flatMap(bodyRow));
        const rows = values.length / 4;
        if (rows === 0) continue;
        if (first) await c.query(SQL.bodiesWithTail(rows, tail.trim), [...values, ...tail.params]);
        else await c.query(SQL.bodies(rows), values);
        first = false;
      }
      // Every write has a history entry: a batch without one has no counts or ords to write either.
      if (first && history.length) await c.query(SQL.tailOnly(tail.trim), tail.params);
    }
    for (const part of chunks([...pushes.values()], CHUNK)) {
      await c.query(
        SQL.enqueue(part.length),
        part.flatMap((e) => [e.owner, e.module, e.session.seq!, e.rev, now, now]),
      );
    }
    return outcomes;
  }

  async getSession(countryCode: string, partyId: string, id: string): Promise<StoredSession | undefined> {
    const { cpo, idCi } = sessionKey({ countryCode, partyId, id });
    const r = await this.query<SessionRow>('ocpi_get', SQL.get, [cpo, idCi]);
    return stored(r.rows[0]);
  }

  async getSessions(keys: readonly SessionRef[]): Promise<(StoredSession | undefined)[]> {
    const found: (StoredSession | undefined)[] = keys.map(() => undefined);
    if (keys.length === 0) return found;
    const ks = keys.map(sessionKey);
    const r = await this.query<SessionRow & { i: number }>('ocpi_get_many', SQL.getMany, [
      ks.map((k) => k.cpo),
      ks.map((k) => k.idCi),
    ]);
    for (const row of r.rows) found[row.i - 1] = stored(row);
    return found;
  }

  async getSessionBySeq(seq: number): Promise<StoredSession | undefined> {
    return stored((await this.query<SessionRow>('ocpi_by_seq', SQL.bySeq, [seq])).rows[0]);
  }
  async sessionsForPush(seqs: readonly number[], format: WireFormat): Promise<(PushRead | undefined)[]> {
    if (seqs.length === 0) return [];
    const r = await this.query<{ seq: number; rev: number; doc: string; body: string | null }>(
      'ocpi_for_push',
      SQL.forPush,
      [seqs, WIRE_FORMATS.indexOf(format)],
    );
    const bySeq = new Map(r.rows.map((row) => [Number(row.seq), row]));
    return seqs.map((seq) => {
      const row = bySeq.get(seq);
      return row && { seq, rev: row.rev, doc: row.doc, body: row.body ?? undefined };
    });
  }

  /** Storage (seq) order. Sessions committed by other processes while a scan runs may get a seq behind it. */
  async scanSessions(afterSeq: number, limit: number): Promise<StoredSession[]> {
    return (await this.query<SessionRow>('ocpi_scan', SQL.scan, [afterSeq, limit])).rows.map((r) =>
      stored(r)!,
    );
  }

  listSessions(
    scope: SessionScope,
    query: PageQuery,
    format: WireFormat,
    render?: (session: Session) => string,
  ): Promise<RenderedPage> {
    return this.planner.list(scope, query, format, render);
  }

  async ownerVersion(owner: string): Promise<number> {
    const r = await this.query<{ version: number }>('ocpi_version', SQL.version, [owner]);
    return r.rows[0]?.version ?? 0;
  }
  async ownerState(owner: string): Promise<{ version: number; lastOrd: number }> {
    const r = await this.query<{ version: number; next_ord: number }>('ocpi_owner_state', SQL.ownerState, [
      owner,
    ]);
    return { version: r.rows[0]?.version ?? 0, lastOrd: r.rows[0]?.next_ord ?? 0 };
  }
  async countFullDays(owner: string, dayFrom: number, dayTo: number): Promise<BlockCounts> {
    return (
      await this.query<{ block: number; n: number }>('ocpi_full_days', SQL.fullDays, [owner, dayFrom, dayTo])
    ).rows;
  }
  async countRange(owner: string, from: number, to: number): Promise<BlockCounts> {
    return (await this.query<{ block: number; n: number }>('ocpi_range', SQL.range, [owner, from, to])).rows;
  }
  async pageBodies(
    owner: string,
    fromOrd: number,
    from: number,
    to: number,
    skip: number,
    limit: number,
    format: WireFormat,
    render?: (session: Session) => string,
  ): Promise<PageBodies> {
    const f = WIRE_FORMATS.indexOf(format);
    if (!(await this.isReady(f))) {
      const d = await this.pool.query<[number, string, number | null, number]>({
        text: SQL.docsPage,
        rowMode: 'array',
        values: [owner, fromOrd, from, to, limit, skip],
      });
      const end = d.rows.at(-1);
      return {
        bodies: renderDocs(
          d.rows.map((x) => x[1]),
          format,
          render,
        ),
        lastOrd: end?.[0],
        version: end ? (end[2] ?? 0) : undefined,
        partnersVersion: end?.[3],
      };
    }
    // Bodies as the bytes PostgreSQL sent (src/store/postgres/raw-rows.ts): no string per body, no re-encoding.
    const rows =
      from === MIN && to === MAX
        ? await queryRawRows(
            this.pages,
            'ocpi_page_all',
            SQL.pageAll,
            [f, owner, fromOrd, limit, skip],
            this.pageTimeoutMs,
          )
        : // A window: unnamed on purpose, planned for the actual window each time (a generic plan cannot tell a
          // narrow window, best read through sessions_owner_updated, from a wide one, best read in ord order).
          await queryRawRows(this.pool, '', SQL.page, [f, owner, fromOrd, from, to, limit, skip]);
    const last = rows.at(-1);
    return {
      bodies: rows.map((x) => x[1]!),
      lastOrd: last && intField(last[0]),
      version: last ? (intField(last[2]) ?? 0) : undefined,
      partnersVersion: last && intField(last[3]),
    };
  }

  /** A partner added or changed reads its formats: they join the stored set (issue 16). */
  private async withFormats(partner: Partner): Promise<Partner> {
    await this.addStoredFormats(formatsReadBy(partner));
    return partner;
  }

  async addPartner(p: NewPartner): Promise<Partner> {
    const r = await this.pool.query<PartnerRow>(SQL.addPartner, [
      p.countryCode.toUpperCase(),
      p.partyId.toUpperCase(),
      partyKey(p.countryCode, p.partyId),
      p.roles.join(','),
      p.format,
      'configured',
      p.tokenHash,
      Date.now(),
      p.version ?? null,
    ]);
    return this.withFormats(partnerFromRow(r.rows[0]!));
  }
  async addInvite(tokenHash: string): Promise<Partner> {
    return partnerFromRow(
      (await this.pool.query<PartnerRow>(SQL.addInvite, [tokenHash, Date.now()])).rows[0]!,
    );
  }
  async updatePartner(id: number, update: PartnerUpdate): Promise<Partner> {
    const cols = partnerUpdateColumns(update);
    const set = cols.map(([col], i) => `${col} = $${i + 1}`).join(', ') || 'state = state';
    const r = await this.pool.query<PartnerRow>(
      `UPDATE partners SET ${set} WHERE id = $${cols.length + 1} RETURNING *`,
      [...cols.map(([, v]) => v), id],
    );
    if (!r.rows[0]) throw new Error(`no partner with id ${id}`);
    return this.withFormats(partnerFromRow(r.rows[0]));
  }
  async getPartner(key: PartyKey): Promise<Partner | undefined> {
    const row = (await this.pool.query<PartnerRow>(SQL.partnerByKey, [key])).rows[0];
    return row ? partnerFromRow(row) : undefined;
  }
  async getTheirToken(id: number): Promise<string | undefined> {
    const r = await this.pool.query<{ their_token: string | null }>(SQL.theirToken, [id]);
    return r.rows[0]?.their_token ?? undefined;
  }
  async removePartnerById(id: number): Promise<boolean> {
    return ((await this.pool.query(SQL.removePartnerById, [id])).rowCount ?? 0) > 0;
  }

  async claimDeliveries(now: number, limit: number, leaseMs: number): Promise<Delivery[]> {
    const r = await this.pool.query<DeliveryRow>(SQL.claim, [now, now + leaseMs, limit, randomUUID()]);
    return r.rows.map(delivery).sort((a, b) => a.enqueuedAt - b.enqueuedAt || a.objectSeq - b.objectSeq);
  }
  async claimLanes(wants: readonly LaneClaim[], now: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    if (wants.length === 0) return [];
    const r = await this.query<DeliveryRow & { delivered: string | null }>(
      'ocpi_claim_lanes',
      SQL.claimLanes,
      [wants.map((w) => w.partnerKey), wants.map((w) => w.limit), now, now + leaseMs, randomUUID()],
    );
    return r.rows.map((row) => ({ ...delivery(row), delivered: row.delivered ?? undefined }));
  }
  async outboxPartners(): Promise<PartyKey[]> {
    const r = await this.query<{ partner_key: string }>('ocpi_lane_partners', LANES.partners, []);
    return r.rows.map((row) => row.partner_key as PartyKey);
  }
  async laneStates(): Promise<LaneState[]> {
    return (await this.query<LaneRow>('ocpi_lane_states', LANES.states, [])).rows.map(laneFromRow);
  }
  async laneFailed(partnerKey: PartyKey, at: number, error: string): Promise<LaneState> {
    const args = [partnerKey, error.slice(0, MAX_ERROR_CHARS), at];
    return laneFromRow((await this.pool.query<LaneRow>(LANES.failed, args)).rows[0]!);
  }
  async pauseLane(partnerKey: PartyKey, until: number): Promise<void> {
    await this.pool.query(LANES.pause, [partnerKey, until]);
  }
  async takeLaneProbe(partnerKey: PartyKey, now: number, until: number): Promise<boolean> {
    return this.transaction(async (c) => {
      if (((await c.query(LANES.probe, [partnerKey, now, until])).rowCount ?? 0) === 0) return false;
      await c.query(LANES.probeEntry, [partnerKey, now]);
      return true;
    });
  }
  async laneSucceeded(partnerKey: PartyKey, at: number): Promise<void> {
    await this.pool.query(LANES.succeeded, [partnerKey, at]);
  }
  async setOperatorPause(partnerKey: PartyKey, paused: boolean): Promise<void> {
    await this.pool.query(CONSOLE.operatorPause, [partnerKey, paused ? 1 : 0]);
  }
  async retryNow(partnerKey: PartyKey, now: number): Promise<number> {
    return this.transaction(async (c) => {
      await c.query(CONSOLE.retryLane, [partnerKey]);
      return (await c.query(CONSOLE.retryEntries, [partnerKey, now])).rowCount ?? 0;
    });
  }

  async consoleList(q: ConsoleListQuery): Promise<ConsoleListRow[]> {
    const { sql, args } = listStatement(POSTGRES_CONSOLE, q);
    const r = await this.pool.query<SessionRow & { k: number | string }>(sql, args);
    return r.rows.map((row) => ({ ...stored(row)!, key: Number(row.k) }));
  }
  async sessionBodies(seq: number): Promise<Partial<Record<WireFormat, string>>> {
    // fmt = ANY(...): one index probe per format on the primary key (owner, fmt, ord).
    const r = await this.pool.query<{ fmt: number; body: string }>(
      `SELECT b.fmt, b.body FROM sessions s JOIN page_bodies b
       ON b.owner = s.owner AND b.fmt = ANY($2::smallint[]) AND b.ord = s.ord WHERE s.seq = $1`,
      [seq, WIRE_FORMATS.map((_, i) => i)],
    );
    const out: Partial<Record<WireFormat, string>> = {};
    for (const row of r.rows) {
      const f = WIRE_FORMATS[Number(row.fmt)];
      if (f) out[f] = row.body;
    }
    return out;
  }
  async outboxEntry(k: OutboxKey): Promise<OutboxEntryState | undefined> {
    const r = await this.pool.query<OutboxEntryRow>(CONSOLE.outboxEntry, key(k));
    return r.rows[0] && outboxEntryFromRow(r.rows[0]);
  }
  async recentSessions(since: number, todayFrom: number, limit: number) {
    const r = await this.pool.query<RecentRow>(CONSOLE.recent, [since, todayFrom, limit]);
    return r.rows.map(recentFromRow);
  }
  async sessionTotals(today: number): Promise<{ total: number; today: number }> {
    const r = await this.pool.query<{ total: number | string; today: number | string }>(CONSOLE.counts, [
      today,
    ]);
    return { total: Number(r.rows[0]!.total), today: Number(r.rows[0]!.today) };
  }

  async renewDelivery(d: Delivery, now: number, leaseMs: number): Promise<boolean> {
    const r = await this.query('ocpi_renew', SQL.renew, [...key(d), now + leaseMs, d.claim]);
    return (r.rowCount ?? 0) > 0;
  }
  async sessionHistory(seq: number, limit: number): Promise<SessionHistoryEntry[]> {
    const r = await this.query<HistoryRow>('ocpi_history', SQL.readHistory, [seq, limit]);
    return r.rows.map(historyFromRow);
  }
  async deliveredState(k: OutboxKey): Promise<DeliveredState | undefined> {
    const r = await this.query<{ delivered: string; rev: number | null }>(
      'ocpi_delivered_state',
      SQL.deliveredState,
      key(k),
    );
    const row = r.rows[0];
    return row && { doc: row.delivered, ...(row.rev !== null ? { rev: Number(row.rev) } : {}) };
  }
  async completeDelivery(d: Delivery, deliveredDoc: string): Promise<boolean> {
    return (await this.completeDeliveries([{ delivery: d, doc: deliveredDoc }]))[0]!;
  }
  async completeDeliveries(done: readonly Completed[]): Promise<boolean[]> {
    if (done.length === 0) return [];
    const ds = done.map((c) => c.delivery);
    const r = await this.query<{ partner_key: string; module: string; object_seq: number }>(
      'ocpi_complete_many',
      SQL.completeMany,
      [
        ds.map((d) => d.partnerKey),
        ds.map((d) => d.module),
        ds.map((d) => d.objectSeq),
        ds.map((d) => d.claim),
        ds.map((d) => d.rev),
        done.map((c) => c.doc),
        Date.now(),
      ],
    );
    const held = new Set(r.rows.map((row) => `${row.partner_key}\u0000${row.module}\u0000${row.object_seq}`));
    return ds.map((d) => held.has(`${d.partnerKey}\u0000${d.module}\u0000${d.objectSeq}`));
  }
  async failDelivery(d: Delivery, nextAttemptAt: number, error: string): Promise<boolean> {
    const args = [...key(d), nextAttemptAt, error.slice(0, MAX_ERROR_CHARS), d.claim];
    return ((await this.pool.query(SQL.fail, args)).rowCount ?? 0) > 0;
  }
  async getDelivered(k: OutboxKey): Promise<string | undefined> {
    return (await this.query<{ delivered: string }>('ocpi_delivered', SQL.delivered, key(k))).rows[0]
      ?.delivered;
  }
  async outboxDepth(limit = Number.MAX_SAFE_INTEGER): Promise<number> {
    return (await this.pool.query<{ n: number }>(SQL.depth, [limit])).rows[0]!.n;
  }
  async outboxSummary(scanLimit: number, now = Date.now()): Promise<OutboxSummary> {
    const rows = (await this.pool.query<OutboxSummaryRow>(SQL.outboxSummary, [scanLimit + 1, now])).rows;
    return summaryFromRows(rows, scanLimit);
  }

  async findPartnerByTokenHash(tokenHash: string): Promise<FoundPartner | undefined> {
    const row = (
      await this.query<PartnerRow & { partners_version: number }>('ocpi_partner_by_hash', SQL.partnerByHash, [
        tokenHash,
      ])
    ).rows[0];
    return row
      ? { ...partnerFromRow(row), tokenHash: row.token_hash, partnersVersion: row.partners_version }
      : undefined;
  }
  async listPartners(): Promise<Partner[]> {
    return (await this.pool.query<PartnerRow>(SQL.partners)).rows.map(partnerFromRow);
  }
  async removePartner(key: PartyKey): Promise<boolean> {
    return ((await this.pool.query(SQL.removePartner, [key])).rowCount ?? 0) > 0;
  }

  async acquireLock(name: string, holder: string, now: number, expiresAt: number): Promise<boolean> {
    return (await this.pool.query(SQL.acquireLock, [name, holder, expiresAt, now])).rows.length > 0;
  }
  async releaseLock(name: string, holder: string): Promise<void> {
    await this.pool.query(SQL.releaseLock, [name, holder]);
  }
  async lockHolder(name: string) {
    const row = (await this.pool.query<{ holder: string; expires_at: number }>(SQL.lockHolder, [name]))
      .rows[0];
    return row ? { holder: row.holder, expiresAt: row.expires_at } : undefined;
  }

  async readSetting<T>(setting: Setting<T>): Promise<T | undefined> {
    const raw = (await this.pool.query<{ value: string }>(SQL.getMeta, [setting.key])).rows[0]?.value;
    return raw === undefined ? undefined : setting.decode(raw);
  }
  async writeSetting<T>(setting: Setting<T>, value: T): Promise<void> {
    await this.pool.query(SQL.setMeta, [setting.key, setting.encode(value)]);
  }
  async settingKeys(prefix: string): Promise<string[]> {
    const r = await this.pool.query<{ key: string }>(
      'SELECT key FROM meta WHERE left(key, length($1)) = $1 ORDER BY key COLLATE "C"',
      [prefix],
    );
    return r.rows.map((x) => x.key);
  }
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.analyzing;
    await Promise.all([this.pool.end(), this.pages.end()]);
  }

  /** Is the format stored for every session? (In the set and not pending; cached once true: it stays so.) */
  private async isReady(f: number): Promise<boolean> {
    if (this.ready.has(f)) return true;
    const { ready } = await this.storedFormats();
    for (const r of ready) this.ready.add(WIRE_FORMATS.indexOf(r));
    return this.ready.has(f);
  }

  async storedFormats(): Promise<StoredFormats> {
    const row = (await this.pool.query<{ mask: number; pending: number[] }>(SQL.storedFormats)).rows[0]!;
    return storedFormatsOf(row.mask, row.pending.map(Number));
  }

  async addStoredFormats(formats: readonly WireFormat[]): Promise<WireFormat[]> {
    const has = (mask: number, f: WireFormat) => (mask & (1 << WIRE_FORMATS.indexOf(f))) !== 0;
    const now = (await this.pool.query<{ mask: number }>('SELECT mask FROM stored_formats')).rows[0]!.mask;
    if (formats.every((f) => has(now, f))) return []; // the usual case: no lock
    return this.transaction(async (c) => {
      // Waits for the writers in flight (each holds ROW SHARE on the table from formatsForWrite until it commits);
      // later ones queue behind this lock, so a steady stream of writers cannot starve it (FOR SHARE row locks
      // alone would: a new share locker does not wait for a waiting FOR UPDATE), and then read the row as this
      // transaction leaves it.
      await c.query('LOCK TABLE stored_formats IN EXCLUSIVE MODE');
      const mask = (await c.query<{ mask: number }>(SQL.formatsForAdd)).rows[0]!.mask;
      const added = [...new Set(formats)].filter((f) => !has(mask, f));
      if (added.length === 0) return [];
      await c.query('UPDATE stored_formats SET mask = $1', [mask | maskOfFormats(added)]);
      // A statement after the wait: it sees every session the writers we waited for committed.
      await c.query(
        `INSERT INTO pending_renders (fmt) SELECT f FROM unnest($1::smallint[]) AS f
         WHERE EXISTS (SELECT 1 FROM sessions) ON CONFLICT DO NOTHING`,
        [added.map((f) => WIRE_FORMATS.indexOf(f))],
      );
      return added;
    });
  }

  async renderPendingBodies(render: RenderBody, batch = 1000, signal?: AbortSignal): Promise<number> {
    const pending = await this.pool.query<{ fmt: number }>('SELECT fmt FROM pending_renders ORDER BY fmt');
    let written = 0;
    for (const { fmt } of pending.rows) {
      const format = WIRE_FORMATS[fmt]!;
      for (let after = 0; ;) {
        const rows = (
          await this.pool.query<{ seq: string; rev: number; doc: string }>(
            `SELECT s.seq, s.rev, s.doc FROM sessions s
             WHERE s.seq > $1 AND NOT EXISTS
               (SELECT 1 FROM page_bodies b WHERE b.owner = s.owner AND b.fmt = $2 AND b.ord = s.ord)
             ORDER BY s.seq LIMIT $3`,
            [after, fmt, batch],
          )
        ).rows;
        if (rows.length === 0) break;
        const bodies = rows.map((r) => render(format, JSON.parse(r.doc) as Session));
        // ON CONFLICT DO NOTHING keeps a body a session write stored meanwhile; the revision check skips a session
        // rewritten since it was read (its write stored every format).
        written += await this.transaction(async (c) => {
          const r = await c.query(
            `INSERT INTO page_bodies (owner, fmt, ord, body)
             SELECT s.owner, $1, s.ord, x.body FROM unnest($2::bigint[], $3::int[], $4::text[]) AS x(seq, rev, body)
             JOIN sessions s ON s.seq = x.seq AND s.rev = x.rev
             ON CONFLICT DO NOTHING`,
            [fmt, rows.map((r) => r.seq), rows.map((r) => r.rev), bodies],
          );
          return r.rowCount ?? 0;
        });
        after = Number(rows.at(-1)!.seq);
        if (signal?.aborted) return written;
      }
      await this.pool.query('DELETE FROM pending_renders WHERE fmt = $1', [fmt]);
    }
    return written;
  }

  /** A named (per-connection prepared) statement: the hot read paths skip parsing and planning. */
  private query<R extends pg.QueryResultRow>(name: string, text: string, values: unknown[]) {
    return this.pool.query<R>({ name, text, values });
  }

  /**
   * BEGIN … COMMIT on a client of the pool, which survives (and discards) a connection that dies meanwhile;
   * `opening`, a statement without parameters, goes with the BEGIN (inTransaction).
   */
  private transaction<T>(
    fn: (c: pg.PoolClient, opened: pg.QueryResult | undefined) => Promise<T>,
    opening?: string,
  ): Promise<T> {
    return inTransaction(this.pool, fn, opening);
  }
}

function delivery(d: DeliveryRow): Delivery {
  return {
    partnerKey: d.partner_key,
    module: d.module,
    objectSeq: d.object_seq,
    rev: d.rev,
    attempts: d.attempts,
    enqueuedAt: d.enqueued_at,
    claim: d.claim,
  };
}

function stored(row: SessionRow | undefined): StoredSession | undefined {
  return row ? { seq: row.seq, rev: row.rev, owner: row.owner, session: JSON.parse(row.doc) } : undefined;
}

function isRetryable(err: unknown): boolean {
  if (err instanceof ConcurrentCreate) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRY_CODES.has(code);
}

function parseInt8(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT ${v} is beyond JavaScript's safe integers`);
  return n;
}

/** An integer field in text format (ord, version: well within 2^53), or undefined for NULL. */
function intField(b: Buffer | null | undefined): number | undefined {
  return b ? Number(b.toString('latin1')) : undefined;
}

function msFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a non-negative integer (ms), not "${raw}"`);
  return n;
}

function poolSizeFromEnv(): number | undefined {
  const raw = process.env.PGPOOL_MAX;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`PGPOOL_MAX must be a positive integer, not "${raw}"`);
  return n;
}

/** `($1::a, $2::b), ($3::a, $4::b), ...`: `rows` rows of one parameter per cast. */
function valuesList(rows: number, casts: string[]): string {
  const out: string[] = [];
  for (let r = 0, n = 1; r < rows; r++) out.push(`(${casts.map((t) => `$${n++}::${t}`).join(', ')})`);
  return out.join(', ');
}

/**
 * The parameters of tailWith: the history entries, the count deltas, the next ords, then the trims when there are
 * any (`trim`). A history entry at or below its session's trim is not inserted at all (the statement's DELETE would
 * not see it).
 */
function tailParams(
  history: { session: Pending; entry: HistoryEntry; trimTo?: number }[],
  counts: CountDelta[],
  grown: [string, OwnerState][],
  now: number,
): { params: unknown[]; trim: boolean } {
  const trim = new Map<number, number>();
  for (const h of history)
    if (h.trimTo !== undefined) trim.set(h.session.seq!, Math.max(trim.get(h.session.seq!) ?? 0, h.trimTo));
  const kept = history.filter((h) => h.entry.rev > (trim.get(h.session.seq!) ?? 0));
  const params = [
    kept.map((h) => h.session.seq!),
    kept.map((h) => h.entry.rev),
    now,
    kept.map((h) => h.entry.lastUpdated),
    kept.map((h) => h.entry.source),
    kept.map((h) => h.entry.summary),
    counts.map((d) => d.owner),
    counts.map((d) => d.block),
    counts.map((d) => d.day),
    counts.map((d) => d.delta),
    grown.map(([owner]) => owner),
    grown.map(([, o]) => o.nextOrd),
  ];
  if (trim.size) params.push([...trim.keys()], [...trim.values()]);
  return { params, trim: trim.size > 0 };
}

function keyOf(cpo: string, idCi: string): string {
  return `${cpo}\u0000${idCi}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
