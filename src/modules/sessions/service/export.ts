// Use case: write stored sessions out for billing systems: NDJSON (one OCPI 2.2.1 session per line), CSV (one row
// per session, RFC 4180), or a JSON array in one wire format. Streams in storage order (store.scanSessions).
import { formatDateTime } from '../../../domain/datetime.js';
import type { Millis } from '../../../domain/location.js';
import { partyKey, type Session } from '../../../domain/session.js';
import { WIRE_FORMATS, type WireFormat } from '../../../domain/wire-format.js';
import type { SessionStore } from '../../../store/contract.js';
import { codecFor } from '../wire/codecs.js';

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

/** The CSV columns, in order: what a billing team needs to invoice and reconcile a session. */
export const CSV_COLUMNS = [
  'country_code',
  'party_id',
  'session_id',
  'status',
  'start_date_time',
  'end_date_time',
  'kwh',
  'total_cost_excl_vat',
  'total_cost_incl_vat',
  'currency',
  'location_id',
  'evse_uid',
  'connector_id',
  'auth_method',
  'token_uid',
  'contract_id',
  'emsp_country_code',
  'emsp_party_id',
  'last_updated',
] as const;

/** RFC 4180 §2: a field with a comma, double quote, CR or LF is quoted, quotes doubled. */
export function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(s: Session): string {
  const cells: Array<string | number | undefined> = [
    s.countryCode,
    s.partyId,
    s.id,
    s.status,
    formatDateTime(s.startDateTime),
    s.endDateTime !== undefined ? formatDateTime(s.endDateTime) : undefined,
    s.kwh,
    s.totalCost?.exclVat,
    s.totalCost?.inclVat,
    s.currency,
    s.locationId,
    s.evseUid,
    s.connectorId,
    s.authMethod,
    s.cdrToken.uid,
    s.cdrToken.contractId,
    s.cdrToken.countryCode,
    s.cdrToken.partyId,
    formatDateTime(s.lastUpdated),
  ];
  // RFC 4180 §2: records end with CRLF.
  return `${cells.map(csvField).join(',')}\r\n`;
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
  options: { format: ExportFormat; filter?: ExportFilter; batchSize?: number },
): Promise<number> {
  const { format } = options;
  const filter = options.filter ?? {};
  const batch = options.batchSize ?? 1000;
  const array = format !== 'ndjson' && format !== 'csv';
  const codec = codecFor(array ? (format as WireFormat) : 'ocpi-2.2.1');
  if (format === 'csv') await write(`${CSV_COLUMNS.join(',')}\r\n`);
  if (array) await write('[');
  let count = 0;
  let after = 0;
  for (;;) {
    const rows = await store.scanSessions(after, batch);
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.seq;
    let chunk = '';
    for (const { session } of rows) {
      if (!matches(session, filter)) continue;
      if (format === 'csv') chunk += csvRow(session);
      else if (format === 'ndjson') chunk += `${codec.render(session)}\n`;
      else chunk += `${count === 0 ? '\n' : ',\n'}${codec.render(session)}`;
      count += 1;
    }
    if (chunk !== '') await write(chunk);
    if (rows.length < batch) break;
  }
  if (array) await write(count === 0 ? ']\n' : '\n]\n');
  return count;
}
