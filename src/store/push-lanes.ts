// The push lanes' SQL of both stores, once (SessionStore claimLanes, outboxPartners, LaneStore): the text with the
// dialect's numbered placeholders (`?1` for SQLite, `$1` for PostgreSQL), and the row mapping.
//
// - Lanes with work: a skip scan of the lane index outbox_lane (partner_key, next_attempt_at), one probe per
//   partner however many entries each has (both databases run the recursive CTE as index lookups).
// - A lane's claim: its due entries in next_attempt_at order, read from that index: no sort of all due rows.
// - push_lanes: one row per partner that failed or succeeded once (consecutive failures, pause, last error and
//   success), shared by every process and read by the `outbox` command, /health and /metrics.
import type { PartyKey } from '../domain/session.js';
import type { LaneState } from './contract.js';

export type Placeholder = (n: number) => string;

export const sqlitePlaceholder: Placeholder = (n) => `?${n}`;
export const postgresPlaceholder: Placeholder = (n) => `$${n}`;

export interface LaneRow {
  partner_key: string;
  failures: number | string;
  paused_until: number | string;
  last_error: string | null;
  last_error_at: number | string | null;
  last_success_at: number | string | null;
  operator_paused: number | string;
}

const LANE_COLUMNS =
  'partner_key, failures, paused_until, last_error, last_error_at, last_success_at, operator_paused';

export function laneSql(p: Placeholder) {
  return {
    partners: `WITH RECURSIVE lanes (k) AS (
        SELECT (SELECT MIN(partner_key) FROM outbox)
        UNION ALL
        SELECT (SELECT MIN(partner_key) FROM outbox WHERE partner_key > lanes.k) FROM lanes WHERE lanes.k IS NOT NULL
      ) SELECT k AS partner_key FROM lanes WHERE k IS NOT NULL`,
    /** One lane's due entries (partner p1, due at p2, at most p3), oldest due first, from outbox_lane. */
    due: `SELECT partner_key, module, object_seq FROM outbox
      WHERE partner_key = ${p(1)} AND next_attempt_at <= ${p(2)} ORDER BY next_attempt_at LIMIT ${p(3)}`,
    depth: `SELECT COUNT(*) AS n FROM (SELECT 1 FROM outbox LIMIT ${p(1)}) AS capped`,
    states: `SELECT ${LANE_COLUMNS} FROM push_lanes ORDER BY partner_key`,
    failed: `INSERT INTO push_lanes (partner_key, failures, paused_until, last_error, last_error_at)
      VALUES (${p(1)}, 1, 0, ${p(2)}, ${p(3)})
      ON CONFLICT (partner_key) DO UPDATE SET failures = push_lanes.failures + 1,
        last_error = excluded.last_error, last_error_at = excluded.last_error_at
      RETURNING ${LANE_COLUMNS}`,
    pause: `UPDATE push_lanes SET paused_until = ${p(2)} WHERE partner_key = ${p(1)}`,
    probe: `UPDATE push_lanes SET paused_until = ${p(3)}
      WHERE partner_key = ${p(1)} AND paused_until > 0 AND paused_until <= ${p(2)}`,
    /**
     * The probe's delivery: the lane's earliest waiting entry (unclaimed, partner p1) is due at p2, whatever its own
     * backoff, so that the probe has something to send (an entry's backoff can outlast the lane's pause).
     */
    probeEntry: `UPDATE outbox SET next_attempt_at = ${p(2)}
      WHERE partner_key = ${p(1)} AND claim IS NULL AND next_attempt_at > ${p(2)} AND next_attempt_at =
        (SELECT MIN(next_attempt_at) FROM outbox WHERE partner_key = ${p(1)} AND claim IS NULL)`,
    succeeded: `INSERT INTO push_lanes (partner_key, failures, paused_until, last_success_at)
      VALUES (${p(1)}, 0, 0, ${p(2)})
      ON CONFLICT (partner_key) DO UPDATE SET failures = 0, paused_until = 0,
        last_success_at = excluded.last_success_at`,
  };
}

export function laneFromRow(r: LaneRow): LaneState {
  const opt = (v: number | string | null) => (v === null ? undefined : Number(v));
  return {
    partnerKey: r.partner_key as PartyKey,
    failures: Number(r.failures),
    pausedUntil: Number(r.paused_until),
    lastError: r.last_error ?? undefined,
    lastErrorAt: opt(r.last_error_at),
    lastSuccessAt: opt(r.last_success_at),
    operatorPaused: Number(r.operator_paused) === 1,
  };
}

/** Errors are kept short in the store (the log has them whole). */
export const MAX_ERROR_CHARS = 500;
