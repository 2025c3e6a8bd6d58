// The per-partner outbox summary of both SQL stores (SessionStore.outboxSummary), read for /metrics: one bounded
// scan (LIMIT) grouped by partner, so a scrape never reads more than `scanLimit` + 1 rows however long the outbox.
import type { PartyKey } from '../domain/session.js';
import type { OutboxSummary } from './contract.js';

export interface OutboxSummaryRow {
  partner_key: string;
  pending: number | string;
  oldest: number | string;
  failing: number | string;
  attempts: number | string;
}

/** The query, with the dialect's placeholder for the row limit (`?` for SQLite, `$1` for PostgreSQL). */
export function outboxSummarySql(placeholder: string): string {
  return `SELECT partner_key, COUNT(*) AS pending, MIN(enqueued_at) AS oldest,
      SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) AS failing, SUM(attempts) AS attempts
    FROM (SELECT partner_key, enqueued_at, attempts FROM outbox LIMIT ${placeholder}) AS scanned
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
  }));
  const read = partners.reduce((n, p) => n + p.pending, 0);
  return { partners, truncated: read > scanLimit };
}
