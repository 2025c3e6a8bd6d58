// `ocpi-sessions export` as a real process over a real SQLite store: CSV for billing (RFC 4180), NDJSON, JSON
// arrays in a wire format, filters.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Session } from '../../src/domain/session.js';
import { parse as parseCsv } from 'csv-parse/sync';
import { exportSessions, type ExportFilter } from '../../src/modules/sessions/service/export.js';
import { CSV_COLUMNS } from '../../src/modules/sessions/service/export-csv.js';
import { writeSessions } from '../../src/modules/sessions/service/writer.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { runCli } from '../support/cli.js';
import { tempDb } from '../support/server.js';
import { demoSessions } from './helpers.js';

/** A session with every billing field set to a known value, and an id that needs CSV quoting. */
const KNOWN: Session = {
  countryCode: 'BE',
  partyId: 'CPX',
  id: 'S-1,"A"',
  startDateTime: Date.UTC(2025, 4, 1, 10, 0, 0),
  endDateTime: Date.UTC(2025, 4, 1, 11, 30, 15),
  kwh: 12.5,
  cdrToken: {
    countryCode: 'NL',
    partyId: 'EMS',
    uid: 'ABC123',
    type: 'RFID',
    contractId: 'NL-EMS-C12345678-X',
  },
  authMethod: 'WHITELIST',
  locationId: 'LOC-9',
  evseUid: 'EVSE-9-1',
  connectorId: '2',
  currency: 'EUR',
  chargingPeriods: [],
  totalCost: { exclVat: 4.13, inclVat: 5 },
  status: 'COMPLETED',
  lastUpdated: Date.UTC(2025, 4, 1, 11, 31, 0),
};
const ACTIVE: Session = {
  ...KNOWN,
  id: 'S-2',
  endDateTime: undefined,
  totalCost: undefined,
  status: 'ACTIVE',
  cdrToken: { ...KNOWN.cdrToken, countryCode: 'DE', partyId: 'EMP', uid: 'line\nbreak' },
  lastUpdated: Date.UTC(2025, 4, 2),
};

describe('ocpi-sessions export (CLI)', () => {
  const db = tempDb('export.db');
  let demo: Session[];

  before(async () => {
    demo = demoSessions(60, [
      { countryCode: 'NL', partyId: 'EMS' },
      { countryCode: 'DE', partyId: 'EMP' },
    ]);
    const store = new SqliteStore(db);
    await writeSessions(store, [...demo, KNOWN, ACTIVE], { mode: 'replace' });
    await store.close();
  });

  const run = (...args: string[]) => {
    const r = runCli(['export', '--db', db, ...args]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };

  it('CSV: a header row, then one row per session with the billing columns, RFC 4180 quoting, CRLF', () => {
    const text = run('--format', 'csv', '--partner', 'BE-CPX');
    assert.ok(
      text.startsWith(
        'country_code,party_id,session_id,status,start_date_time,end_date_time,kwh,total_cost_excl_vat,' +
          'total_cost_incl_vat,currency,location_id,evse_uid,connector_id,auth_method,token_uid,contract_id,' +
          'emsp_country_code,emsp_party_id,last_updated\r\n',
      ),
    );
    const lines = text.split('\r\n');
    assert.equal(
      lines[1],
      'BE,CPX,"S-1,""A""",COMPLETED,2025-05-01T10:00:00Z,2025-05-01T11:30:15Z,12.5,4.13,5,EUR,LOC-9,EVSE-9-1,2,' +
        'WHITELIST,ABC123,NL-EMS-C12345678-X,NL,EMS,2025-05-01T11:31:00Z',
    );
    assert.ok(text.endsWith('\r\n'), 'the last record ends with CRLF');
    const rows = parseCsv(text) as string[][];
    assert.deepEqual(rows[0], [...CSV_COLUMNS]);
    assert.equal(rows.length, 3);
    // An active session: no end, no cost yet; a line break inside a field stays inside its quoted field.
    assert.deepEqual(rows[2], [
      'BE',
      'CPX',
      'S-2',
      'ACTIVE',
      '2025-05-01T10:00:00Z',
      '',
      '12.5',
      '',
      '',
      'EUR',
      'LOC-9',
      'EVSE-9-1',
      '2',
      'WHITELIST',
      'line\nbreak',
      'NL-EMS-C12345678-X',
      'DE',
      'EMP',
      '2025-05-02T00:00:00Z',
    ]);
  });

  it('NDJSON (the default): one OCPI 2.2.1 session per line, every stored session', () => {
    const lines = run().trimEnd().split('\n');
    assert.equal(lines.length, 62);
    const codec = codecFor('ocpi-2.2.1');
    for (const line of lines) {
      const r = codec.parse(JSON.parse(line), { cpo: { countryCode: 'XX', partyId: 'XXX' } });
      assert.ok(r.ok, line.slice(0, 80));
    }
    assert.deepEqual(JSON.parse(lines[60]!), JSON.parse(codecFor('ocpi-2.2.1').render(KNOWN)));
  });

  it('filters: --partner (the CPO), --emsp (the token owner), --since (inclusive) and --until (exclusive)', async () => {
    const cut = [...demo].map((s) => s.lastUpdated).sort((a, b) => a - b)[30]!;
    const since = new Date(cut).toISOString();
    // The command, once: flags reach the filter.
    const csv = run('--format', 'csv', '--partner', 'NL-OCS', '--since', since);
    assert.equal(csv.split('\r\n').length - 2, demo.filter((s) => s.lastUpdated >= cut).length);
    // The use case, for each filter.
    const store = new SqliteStore(db);
    try {
      const count = async (filter: ExportFilter) => {
        let rows = 0;
        const n = await exportSessions(
          store,
          async (text) => {
            rows += text.split('\n').length - 1;
          },
          { format: 'ndjson', filter, batchSize: 7 },
        );
        assert.equal(rows, n);
        return n;
      };
      assert.equal(await count({}), 62);
      assert.equal(await count({ partner: 'NL-OCS' }), 60);
      assert.equal(await count({ partner: 'be-cpx' }), 2);
      assert.equal(
        await count({ emsp: 'DE-EMP' }),
        demo.filter((s) => s.cdrToken.partyId === 'EMP').length + 1,
      );
      assert.equal(
        await count({ partner: 'NL-OCS', until: cut }),
        demo.filter((s) => s.lastUpdated < cut).length,
      );
      assert.equal(await count({ since: cut, until: cut }), 0);
      assert.equal(
        await count({ emsp: 'NL-EMS', since: cut }),
        demo.filter((s) => s.cdrToken.partyId === 'EMS' && s.lastUpdated >= cut).length +
          (KNOWN.lastUpdated >= cut ? 1 : 0),
      );
    } finally {
      await store.close();
    }
  });

  it('JSON arrays in a wire format (ocpi-2.2.1, camel-2.1.1), to --out', async () => {
    const out = path.join(path.dirname(db), 'camel.json');
    const r = runCli(['export', '--db', db, '--format', 'camel-2.1.1', '--partner', 'BE-CPX', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /exported 2 sessions to .*camel\.json \(camel-2\.1\.1\)/);
    const camel = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(
      camel,
      [KNOWN, ACTIVE].map((s) => JSON.parse(codecFor('camel-2.1.1').render(s))),
    );
    assert.equal(camel[0].startDatetime, '2025-05-01T10:00:00Z');
    const ocpi = JSON.parse(run('--format', 'ocpi-2.2.1'));
    assert.equal(ocpi.length, 62);
    // Nothing matching: still a JSON array.
    const store = new SqliteStore(db);
    let text = '';
    await exportSessions(store, async (t) => void (text += t), {
      format: 'ocpi-2.2.1',
      filter: { partner: 'FR-XXX' },
    });
    await store.close();
    assert.deepEqual(JSON.parse(text), []);
  });

  it('usage errors exit 2, with the message on stderr and nothing on stdout', () => {
    for (const [args, message] of [
      [['--format', 'xml'], /'xml' is invalid\. Allowed choices are ndjson, csv, ocpi-2.1.1/],
      [['--partner', 'nope'], /--partner: 'nope' is not a party/],
      [['--since', 'today'], /--since must be an OCPI DateTime/],
      [['extra'], /too many arguments for 'export'/],
    ] as const) {
      const r = runCli(['export', '--db', db, ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
  });
});
