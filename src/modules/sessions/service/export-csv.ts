// The CSV of `export --format csv`: one row per session with what a billing team needs, written by csv-stringify
// (RFC 4180 quoting, CRLF records), in the delimiter of the reader's locale, optionally with a UTF-8 BOM, and by
// default protected against formula injection.
import { stringify, type Options } from 'csv-stringify/sync';
import { formatDateTime } from '../../../domain/datetime.js';
import type { Session } from '../../../domain/session.js';

/** The delimiters a CSV may use, by name: `,` (RFC 4180), `;` (what Excel expects in NL/DE locales), tab. */
export const CSV_DELIMITERS = { ',': ',', ';': ';', tab: '\t' } as const;
export type CsvDelimiter = keyof typeof CSV_DELIMITERS;

export interface CsvOptions {
  delimiter: CsvDelimiter;
  /** A UTF-8 byte order mark before the header, so that Excel reads the file as UTF-8. */
  bom: boolean;
  /**
   * Formula-injection protection (OWASP "CSV Injection"): a text cell starting with `=`, `+`, `-`, `@`, tab or CR
   * (or the full-width `＝`, `＋`, `－`, `＠`) gets a `'` in front, so a spreadsheet shows it as text instead of
   * running it. Number cells (kWh, costs) are never changed: `-5` stays the number -5.
   */
  protect: boolean;
}

export const DEFAULT_CSV_OPTIONS: CsvOptions = { delimiter: ',', bom: false, protect: true };

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

/** A session's cells in CSV_COLUMNS order: numbers as numbers, no value as an empty cell. */
export function csvCells(s: Session): Array<string | number | undefined> {
  return [
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
}

/** The CSV text of one export, in pieces: `head()` (BOM and header row) once, then `rows()` per batch. */
export function csvWriter(options: CsvOptions): {
  head: () => string;
  rows: (sessions: Session[]) => string;
} {
  const common: Options = {
    delimiter: CSV_DELIMITERS[options.delimiter],
    // RFC 4180 §2: records end with CRLF; a field holding the delimiter, a quote, CR or LF is quoted, quotes doubled.
    record_delimiter: 'windows',
    // OWASP CSV Injection: prefix risky text cells with `'` (csv-stringify leaves number cells alone).
    escape_formulas: options.protect,
  };
  return {
    head: () => stringify([[...CSV_COLUMNS]], { ...common, bom: options.bom }),
    rows: (sessions) => stringify(sessions.map(csvCells), common),
  };
}
