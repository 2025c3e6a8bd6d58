// The operator console's SQL of both stores, once (SessionStore ConsoleStore): the text with the dialect's numbered
// placeholders and JSON access, like push-lanes.ts. Every read here is bounded: a keyset range of an index
// (sessions_console_*, migration 8 / 9), one row by key, or the small tables (session_counts, push_lanes).
//
// - The sessions list walks one index in (sort key, seq) order from a cursor, `limit` rows at a time; filters that
//   no index serves are applied by the caller to the rows read (service/console/sessions.ts), within a budget.
// - The recent window (overview): the sessions updated since a time, newest first, at most `limit` rows, grouped
//   by owner and CPO with how many are ACTIVE (the status read from the stored canonical JSON).
import type { PartyKey } from '../domain/session.js';
import type { WriteSource } from '../domain/session-change.js';
import type { ConsoleListQuery, ConsoleSort, OutboxEntryState, SessionHistoryEntry } from './contract.js';
import { postgresPlaceholder, sqlitePlaceholder, type Placeholder } from './push-lanes.js';

/** A session's sort key column or expression; the same text as the index of migration 8 / 9 (so it serves). */
export interface ConsoleDialect {
  p: Placeholder;
  /** The start time (epoch ms), as indexed: SQLite's column start_ms, PostgreSQL's canonical JSON. */
  start: string;
  /** The canonical JSON's status. */
  status: string;
}

export const SQLITE_CONSOLE: ConsoleDialect = {
  p: sqlitePlaceholder,
  start: 'start_ms', // the column of migration 13, written with the document
  status: "json_extract(doc, '$.status')",
};

export const POSTGRES_CONSOLE: ConsoleDialect = {
  p: postgresPlaceholder,
  start: "((doc::jsonb ->> 'startDateTime')::numeric)",
  status: "(doc::jsonb ->> 'status')",
};

/** One statement of the sessions list: which index prefix, which direction, from a cursor or not. */
export interface ListShape {
  sort: ConsoleSort;
  order: 'asc' | 'desc';
  owner: boolean;
  after: boolean;
}

/**
 * Parameters in order: [owner?], from, to, [after key, after seq], limit. The window bounds the sort key
 * (from inclusive, to exclusive).
 */
export function listSql(d: ConsoleDialect, s: ListShape): string {
  const k = s.sort === 'last_updated' ? 'last_updated' : d.start;
  let n = 0;
  const next = () => d.p(++n);
  const where: string[] = [];
  if (s.owner) where.push(`owner = ${next()}`);
  where.push(`${k} >= ${next()}`, `${k} < ${next()}`);
  const cmp = s.order === 'desc' ? '<' : '>';
  if (s.after) where.push(`(${k}, seq) ${cmp} (${next()}, ${next()})`);
  const dir = s.order === 'desc' ? 'DESC' : 'ASC';
  return `SELECT seq, owner, doc, rev, ${k} AS k FROM sessions WHERE ${where.join(' AND ')}
    ORDER BY ${k} ${dir}, seq ${dir} LIMIT ${next()}`;
}

/** The statement and its parameters of a console list query, for either store (one place for both). */
export function listStatement(d: ConsoleDialect, q: ConsoleListQuery): { sql: string; args: unknown[] } {
  const shape = { sort: q.sort, order: q.order, owner: q.owner !== undefined, after: q.after !== undefined };
  const args: unknown[] = [...(q.owner !== undefined ? [q.owner] : []), q.from, q.to];
  if (q.after) args.push(q.after.key, q.after.seq);
  args.push(q.limit);
  return { sql: listSql(d, shape), args };
}

export function consoleSql(d: ConsoleDialect) {
  const p = d.p;
  return {
    /** Sessions updated at or after p1, newest first, at most p3 rows: per (owner, cpo) updated since p2, active. */
    recent: `SELECT owner, cpo, SUM(CASE WHEN last_updated >= ${p(2)} THEN 1 ELSE 0 END) AS today,
        SUM(CASE WHEN st = 'ACTIVE' THEN 1 ELSE 0 END) AS active, COUNT(*) AS n
      FROM (SELECT owner, cpo, last_updated, ${d.status} AS st FROM sessions WHERE last_updated >= ${p(1)}
            ORDER BY last_updated DESC, seq DESC LIMIT ${p(3)}) AS r
      GROUP BY owner, cpo`,
    /** The counters (paging.ts): every session, and those last updated on UTC day p1. */
    counts: `SELECT COALESCE(SUM(n), 0) AS total, COALESCE(SUM(CASE WHEN day = ${p(1)} THEN n ELSE 0 END), 0) AS today
      FROM session_counts`,
    /** One outbox entry (partner p1, module p2, object p3). */
    outboxEntry: `SELECT rev, attempts, enqueued_at, next_attempt_at, last_error, claim FROM outbox
      WHERE partner_key = ${p(1)} AND module = ${p(2)} AND object_seq = ${p(3)}`,
    /** The operator's pause of a lane (p2: 1 paused, 0 not), kept apart from the failure pause. */
    operatorPause: `INSERT INTO push_lanes (partner_key, failures, paused_until, operator_paused)
      VALUES (${p(1)}, 0, 0, ${p(2)})
      ON CONFLICT (partner_key) DO UPDATE SET operator_paused = excluded.operator_paused`,
    /** Retry now: entries waiting for a retry (unclaimed, due later than p2) are due at p2. */
    retryEntries: `UPDATE outbox SET next_attempt_at = ${p(2)}
      WHERE partner_key = ${p(1)} AND next_attempt_at > ${p(2)} AND claim IS NULL`,
    /** …and the failure pause of the lane ends (the next failures count from 0); the operator's pause stays. */
    retryLane: `UPDATE push_lanes SET paused_until = 0, failures = 0 WHERE partner_key = ${p(1)}`,
  };
}

export interface RecentRow {
  owner: string;
  cpo: string;
  today: number | string;
  active: number | string;
  n: number | string;
}

export interface OutboxEntryRow {
  rev: number | string;
  attempts: number | string;
  enqueued_at: number | string;
  next_attempt_at: number | string;
  last_error: string | null;
  claim: string | null;
}

export function outboxEntryFromRow(r: OutboxEntryRow): OutboxEntryState {
  return {
    rev: Number(r.rev),
    attempts: Number(r.attempts),
    enqueuedAt: Number(r.enqueued_at),
    nextAttemptAt: Number(r.next_attempt_at),
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
    claimed: r.claim !== null,
  };
}

export function recentFromRow(r: RecentRow) {
  return {
    owner: r.owner as PartyKey,
    cpo: r.cpo as PartyKey,
    n: Number(r.n),
    today: Number(r.today),
    active: Number(r.active),
  };
}

/** A session_history row (migration SQLite 11 / PostgreSQL 12). */
export interface HistoryRow {
  rev: number | string;
  written_at: number | string;
  last_updated: number | string;
  source: string | null;
  summary: string;
}

export function historyFromRow(r: HistoryRow): SessionHistoryEntry {
  return {
    rev: Number(r.rev),
    writtenAt: Number(r.written_at),
    lastUpdated: Number(r.last_updated),
    source: r.source as WriteSource | null,
    summary: r.summary,
  };
}
