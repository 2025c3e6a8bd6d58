// The per-partner outbox summary of both SQL stores (SessionStore.outboxSummary), read for /metrics: one bounded
// scan (LIMIT) grouped by partner, so a scrape never reads more than `scanLimit` + 1 rows however long the outbox.
import type { PartyKey } from '../domain/session.js';
import type { OutboxSummary } from './contract.js';
import type { Placeholder } from './push-lanes.js';

export interface OutboxSummaryRow {
  partner_key: string;
  pending: number | string;
  oldest: number | string;
  failing: number | string;
  attempts: number | string;
  in_flight: number | string;
}

/** The query, with the dialect's numbered placeholders (push-lanes.ts): 1 the row limit, 2 the time now. */
export function outboxSummarySql(p: Placeholder): string {
  return `SELECT partner_key, COUNT(*) AS pending, MIN(enqueued_at) AS oldest,
      SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) AS failing, SUM(attempts) AS attempts,
      SUM(CASE WHEN claim IS NOT NULL AND next_attempt_at > ${p(2)} THEN 1 ELSE 0 END) AS in_flight
    FROM (SELECT partner_key, enqueued_at, attempts, claim, next_attempt_at FROM outbox LIMIT ${p(1)}) AS scanned
    GROUP BY partner_key ORDER BY partner_key`;
}

/** Rows of the query run with `scanLimit + 1`: more than `scanLimit` rows read means the scan was cut. */
export function summaryFromRows(rows: OutboxSummaryRow[], scanLimit: number): OutboxSummary {
  const partners = rows.map((r) => ({
    partnerKey: r.partner_key as PartyKey,
    pending: Number(r.pending),
    oldestEnqueuedAt: Number(r.oldest),
    failing: Number(r.failing),
    failedAttempts: Number(r.attempts),
    inFlight: Number(r.in_flight),
  }));
  const read = partners.reduce((n, p) => n + p.pending, 0);
  return { partners, truncated: read > scanLimit };
}
