// The push outbox per partner, as the `outbox` command and /metrics show it: pending entries, the oldest one's
// age, entries in flight (leased), entries that failed, from the outbox (SessionStore.outboxSummary), joined with
// the lane state every process shares (LaneStore: consecutive failures, paused until, last error, last success).
import type { PartyKey } from '../domain/session.js';
import type { LaneState, SessionStore } from '../store/contract.js';

export interface PartnerOutbox {
  partner: PartyKey;
  pending: number;
  /** enqueued_at of the oldest pending entry (epoch ms), if any. */
  oldestEnqueuedAt?: number;
  inFlight: number;
  /** Entries whose last attempt failed. */
  failing: number;
  /** Failed attempts in a row of the partner's lane (0 after a success). */
  failures: number;
  /** The lane is paused until then (epoch ms), if it is paused at the report's time. */
  pausedUntil?: number;
  lastError?: string;
  lastErrorAt?: number;
  lastSuccessAt?: number;
  /** An operator paused the lane (the console's pause, apart from the failure pause). */
  operatorPaused: boolean;
}

export interface OutboxReport {
  at: number;
  partners: PartnerOutbox[];
  /** The outbox scan stopped at `scanLimit`: the counts are lower bounds. */
  truncated: boolean;
}

/** Every partner with pending entries or a lane state, in partner order. */
export async function outboxReport(
  store: SessionStore,
  now: number,
  scanLimit = Number.MAX_SAFE_INTEGER - 1,
): Promise<OutboxReport> {
  const summary = await store.outboxSummary(scanLimit, now);
  const lanes = new Map<PartyKey, LaneState>((await store.laneStates()).map((l) => [l.partnerKey, l]));
  const pending = new Map(summary.partners.map((p) => [p.partnerKey, p]));
  const keys = [...new Set([...pending.keys(), ...lanes.keys()])].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const partners = keys.map((partner): PartnerOutbox => {
    const p = pending.get(partner);
    const l = lanes.get(partner);
    return {
      partner,
      pending: p?.pending ?? 0,
      oldestEnqueuedAt: p?.oldestEnqueuedAt,
      inFlight: p?.inFlight ?? 0,
      failing: p?.failing ?? 0,
      failures: l?.failures ?? 0,
      pausedUntil: l && l.pausedUntil > now ? l.pausedUntil : undefined,
      lastError: l?.lastError,
      lastErrorAt: l?.lastErrorAt,
      lastSuccessAt: l?.lastSuccessAt,
      operatorPaused: l?.operatorPaused ?? false,
    };
  });
  return { at: now, partners, truncated: summary.truncated };
}
