// Use case: write stored sessions out for billing systems: NDJSON (one OCPI 2.2.1 session per line), CSV (one row
// per session, export-csv.ts), or a JSON array in one wire format. Streams in storage order (store.scanSessions).
import type { Millis } from '../../../domain/location.js';
import { partyKey, type Session } from '../../../domain/session.js';
import { WIRE_FORMATS, type WireFormat } from '../../../domain/wire-format.js';
import type { SessionStore } from '../../../store/contract.js';
import { codecFor } from '../wire/codecs.js';
import { csvWriter, DEFAULT_CSV_OPTIONS, type CsvOptions } from './export-csv.js';

export const EXPORT_FORMATS = ['ndjson', 'csv', ...WIRE_FORMATS] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportFilter {
  /** The CPO owning the session (Session countryCode/partyId), `CC-PID`. */
  partner?: string;
  /** The eMSP owning the token (cdr_token country_code/party_id), `CC-PID`. */
  emsp?: string;
  /** last_updated >= since (inclusive, like OCPI date_from). */
  since?: Millis;
  /** last_updated < until (exclusive, like OCPI date_to). */
  until?: Millis;
}

export function matches(s: Session, filter: ExportFilter): boolean {
  if (filter.partner !== undefined && partyKey(s.countryCode, s.partyId) !== filter.partner.toUpperCase())
    return false;
  if (
    filter.emsp !== undefined &&
    partyKey(s.cdrToken.countryCode, s.cdrToken.partyId) !== filter.emsp.toUpperCase()
  )
    return false;
  if (filter.since !== undefined && s.lastUpdated < filter.since) return false;
  if (filter.until !== undefined && s.lastUpdated >= filter.until) return false;
  return true;
}

/**
 * Writes the matching sessions through `write` (which should wait when the destination is full) and returns how
 * many were written.
 */
export async function exportSessions(
  store: SessionStore,
  write: (text: string) => Promise<void>,
  options: { format: ExportFormat; filter?: ExportFilter; batchSize?: number; csv?: CsvOptions },
): Promise<number> {
  const { format } = options;
  const filter = options.filter ?? {};
  const batch = options.batchSize ?? 1000;
  const array = format !== 'ndjson' && format !== 'csv';
  const codec = codecFor(array ? (format as WireFormat) : 'ocpi-2.2.1');
  const csv = format === 'csv' ? csvWriter(options.csv ?? DEFAULT_CSV_OPTIONS) : undefined;
  if (csv) await write(csv.head());
  if (array) await write('[');
  let count = 0;
  let after = 0;
  for (;;) {
    const rows = await store.scanSessions(after, batch);
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.seq;
    const sessions = rows.map((r) => r.session).filter((s) => matches(s, filter));
    let chunk = '';
    if (csv) chunk = csv.rows(sessions);
    else if (format === 'ndjson') for (const s of sessions) chunk += `${codec.render(s)}\n`;
    else
      for (const [i, s] of sessions.entries()) chunk += `${count + i === 0 ? '\n' : ',\n'}${codec.render(s)}`;
    count += sessions.length;
    if (chunk !== '') await write(chunk);
    if (rows.length < batch) break;
  }
  if (array) await write(count === 0 ? ']\n' : '\n]\n');
  return count;
}
