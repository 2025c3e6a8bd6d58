// The console's sessions over real HTTP on loopback, on SQLite and PostgreSQL: every filter and both sorts, walked
// page by page with next_cursor, give exactly the matching sessions in order (no duplicates, no losses, ties on the
// sort key broken by seq), including pages cut short by the scan budget; bad parameters are 400 + 2001; one
// session's page carries the stored bodies byte for byte and a charging curve with the values its periods give.
import { WIRE_FORMATS } from '../../src/domain/wire-format.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/domain/session.js';
import { renderBody, toRecord } from '../../src/modules/sessions/service/writer.js';
import { addPartner } from '../../src/service/partners.js';
import { SCAN_BUDGET } from '../../src/service/console/sessions.js';
import type { SessionStore } from '../../src/store/contract.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { operatorAuth } from '../support/console.js';
import { send } from '../support/http.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { startTestServer, tempDb, type TestServer } from '../support/server.js';
import { makeSession } from '../support/sessions.js';

const T0 = Date.UTC(2025, 2, 1);
const MIN = 60_000;
const STATUSES = ['ACTIVE', 'COMPLETED', 'INVALID', 'PENDING'] as const;
const OWNERS = ['DE-EMS', 'FR-MSP', 'BE-EMP'];

/** Session i: owner, status, location and times vary; every 5 sessions share a last_updated (ties). */
function session(i: number): Session {
  const s = makeSession(`S${String(i).padStart(5, '0')}`, OWNERS[i % 3]!, T0 + Math.floor(i / 5) * MIN);
  s.status = STATUSES[i % 4]!;
  s.locationId = `LOC${i % 7}`;
  s.startDateTime = T0 - ((i * 7919) % 1000) * MIN; // a permutation: start order differs from update order
  return s;
}

interface Item {
  id: string;
  status: string;
  owner: string;
  location_id: string;
  last_updated: string;
  start_date_time: string;
}

function listCases(name: string, count: number, open: () => Promise<SessionStore>) {
  describe(`console sessions list (${name}, ${count} sessions)`, () => {
    let server: TestServer;
    let auth: Record<string, string>;
    const all: { s: Session; seq: number }[] = [];
    before(async () => {
      const store = await open();
      for (let i = 0; i < count; i += 1000) {
        const batch = Array.from({ length: Math.min(1000, count - i) }, (_, k) =>
          toRecord(session(i + k), undefined, WIRE_FORMATS),
        );
        await store.putSessions(batch, { mode: 'replace' });
      }
      for (const p of OWNERS.slice(0, 2)) {
        const [countryCode, partyId] = p.split('-') as [string, string];
        await addPartner(store, { countryCode, partyId, roles: ['EMSP'], format: 'ocpi' });
      }
      await addPartner(store, { countryCode: 'NL', partyId: 'CPO', roles: ['CPO'], format: 'ocpi' });
      for (let after = 0; ;) {
        const rows = await store.scanSessions(after, 5000);
        if (rows.length === 0) break;
        for (const r of rows) all.push({ s: r.session, seq: r.seq });
        after = rows[rows.length - 1]!.seq;
      }
      server = await startTestServer({ console: true }, store);
      auth = await operatorAuth(store);
    });
    after(() => server.close());

    async function walk(query: Record<string, string>, limit: number) {
      const items: Item[] = [];
      let cursor: string | null = null;
      let pages = 0;
      let short = 0;
      do {
        const q = new URLSearchParams({ ...query, limit: String(limit), ...(cursor ? { cursor } : {}) });
        const r = await send(server.url, {
          method: 'GET',
          path: `/console/api/sessions?${q}`,
          headers: auth,
        });
        assert.equal(r.status, 200, r.text);
        const data = r.json.data as { items: Item[]; next_cursor: string | null };
        assert.ok(data.items.length <= limit);
        if (data.next_cursor && data.items.length < limit) short++;
        items.push(...data.items);
        cursor = data.next_cursor;
        assert.ok(++pages < 10_000, 'the walk ends');
      } while (cursor);
      return { items, pages, short };
    }

    function expected(
      pick: (s: Session) => boolean,
      sort: 'last_updated' | 'start_date_time',
      order: 'asc' | 'desc',
    ): string[] {
      const key = (s: Session) => (sort === 'last_updated' ? s.lastUpdated : s.startDateTime);
      const sign = order === 'asc' ? 1 : -1;
      return all
        .filter((x) => pick(x.s))
        .sort((a, b) => sign * (key(a.s) - key(b.s) || a.seq - b.seq))
        .map((x) => x.s.id);
    }

    const window = { from: T0 + 40 * MIN, to: T0 + 90 * MIN };
    const cases: [string, Record<string, string>, (s: Session) => boolean][] = [
      ['no filter', {}, () => true],
      ['status', { status: 'COMPLETED' }, (s) => s.status === 'COMPLETED'],
      ['status, lower case', { status: 'pending' }, (s) => s.status === 'PENDING'],
      ['eMSP partner', { partner: 'DE-EMS' }, (s) => s.cdrToken.partyId === 'EMS'],
      ['CPO partner', { partner: 'nl-cpo' }, () => true],
      ['location', { location: 'loc3' }, (s) => s.locationId === 'LOC3'],
      ['id prefix', { q: 's0001' }, (s) => s.id.startsWith('S0001')],
      [
        'partner + status + location',
        { partner: 'FR-MSP', status: 'ACTIVE', location: 'LOC2' },
        (s) => s.cdrToken.partyId === 'MSP' && s.status === 'ACTIVE' && s.locationId === 'LOC2',
      ],
    ];

    for (const sort of ['last_updated', 'start_date_time'] as const) {
      for (const order of ['desc', 'asc'] as const) {
        it(`every filter, sort ${sort} ${order}: all matches once, in order, across pages`, async () => {
          for (const [what, query, pick] of cases) {
            const got = await walk({ ...query, sort, order }, count > 1000 ? 97 : 13);
            assert.deepEqual(
              got.items.map((i) => i.id),
              expected(pick, sort, order),
              `${what}`,
            );
          }
          // The date window bounds the sort key: from inclusive, to exclusive.
          const key = (s: Session) => (sort === 'last_updated' ? s.lastUpdated : s.startDateTime);
          const from = sort === 'last_updated' ? window.from : T0 - 500 * MIN;
          const to = sort === 'last_updated' ? window.to : T0 - 100 * MIN;
          const got = await walk(
            {
              sort,
              order,
              from: new Date(from).toISOString(),
              to: new Date(to).toISOString(),
              status: 'ACTIVE',
            },
            9,
          );
          assert.deepEqual(
            got.items.map((i) => i.id),
            expected((s) => key(s) >= from && key(s) < to && s.status === 'ACTIVE', sort, order),
            'window + status',
          );
        });
      }
    }

    it('list items carry the contract fields and no token identifiers', async () => {
      const r = await send(server.url, {
        method: 'GET',
        path: '/console/api/sessions?limit=1',
        headers: auth,
      });
      const item = (r.json.data as { items: Record<string, unknown>[] }).items[0]!;
      assert.deepEqual(Object.keys(item).sort(), [
        'country_code',
        'currency',
        'end_date_time',
        'id',
        'kwh',
        'last_updated',
        'location_id',
        'owner',
        'party_id',
        'start_date_time',
        'status',
        'total_cost',
      ]);
      assert.equal(r.text.includes('"U'), false, 'no token uid');
    });

    if (count > SCAN_BUDGET) {
      it(`a rare match past the scan budget (${SCAN_BUDGET} rows) comes on later pages, none lost`, async () => {
        // Only the very first sessions written match: desc by last_updated, they are the last rows of the walk.
        const got = await walk({ q: 'S0000' }, 50);
        assert.deepEqual(
          got.items.map((i) => i.id),
          expected((s) => s.id.startsWith('S0000'), 'last_updated', 'desc'),
        );
        assert.ok(got.short >= 1, 'at least one page was cut short by the budget and went on');
      });
    }

    it('refuses bad parameters with 400 + 2001', async () => {
      const bad = [
        'status=RUNNING',
        'sort=id',
        'order=up',
        'limit=0',
        'limit=201',
        'from=yesterday',
        'cursor=garbage',
        'partner=XX-NOP',
      ];
      for (const q of bad) {
        const r = await send(server.url, {
          method: 'GET',
          path: `/console/api/sessions?${q}`,
          headers: auth,
        });
        assert.equal(r.status, 400, q);
        assert.equal(r.json.status_code, 2001, q);
      }
      // An offset's '+' sent unencoded arrives as a space: read as the '+' it was, as the sender does.
      const window = async (q: string) => {
        const r = await send(server.url, {
          method: 'GET',
          path: `/console/api/sessions?${q}`,
          headers: auth,
        });
        assert.equal(r.status, 200, `${q}: ${r.text}`);
        return (r.json.data.items as { id: string }[]).map((i) => i.id);
      };
      assert.deepEqual(
        await window('from=2000-01-01T02:00:00+02:00&limit=5'),
        await window('from=2000-01-01T02:00:00%2B02:00&limit=5'),
      );
      // A cursor of one sort is refused with another.
      const first = await send(server.url, {
        method: 'GET',
        path: '/console/api/sessions?limit=2',
        headers: auth,
      });
      const cursor = (first.json.data as { next_cursor: string }).next_cursor;
      const r = await send(server.url, {
        method: 'GET',
        path: `/console/api/sessions?limit=2&sort=start_date_time&cursor=${cursor}`,
        headers: auth,
      });
      assert.equal(r.status, 400);
    });
  });
}

const stores: SessionStore[] = [];
const databases: string[] = [];
after(async () => {
  await Promise.all(databases.map(dropDatabase));
});

listCases('SQLite', SCAN_BUDGET + 1200, async () => {
  const s = new SqliteStore(tempDb());
  stores.push(s);
  return s;
});
listCases('PostgreSQL', 700, async () => {
  const url = await postgresUrl();
  databases.push(url);
  return PostgresStore.connect(url);
});

describe('console session page', () => {
  let server: TestServer;
  let auth: Record<string, string>;
  const HOUR = 3_600_000;
  before(async () => {
    server = await startTestServer({ console: true });
    await server.store.addStoredFormats(WIRE_FORMATS); // every format the page shows (issue 16)
    auth = await operatorAuth(server.store);
  });
  after(() => server.close());

  async function page(s: Session) {
    await server.store.putSessions([toRecord(s, undefined, WIRE_FORMATS)], { mode: 'replace' });
    const r = await send(server.url, {
      method: 'GET',
      path: `/console/api/sessions/${s.countryCode}/${s.partyId}/${s.id}`,
      headers: auth,
    });
    assert.equal(r.status, 200, r.text);
    return r;
  }

  it('the curve of a short session: ENERGY over duration, then MIN/MAX_POWER, cumulative kWh; cost', async () => {
    const s = makeSession('CURVE1', 'DE-EMS', T0 + 2 * HOUR);
    s.startDateTime = T0;
    s.endDateTime = T0 + 2 * HOUR;
    s.status = 'COMPLETED';
    s.totalCost = { exclVat: 12.5, inclVat: 15.13 };
    s.chargingPeriods = [
      { startDateTime: T0, dimensions: [{ type: 'ENERGY', volume: 10 }] }, // 30 min: 20 kW
      { startDateTime: T0 + 30 * MIN, dimensions: [{ type: 'ENERGY', volume: 20 }] }, // 60 min: 20 kW
      {
        startDateTime: T0 + 90 * MIN,
        dimensions: [
          { type: 'MAX_POWER', volume: 50 },
          { type: 'MIN_POWER', volume: 30 },
        ],
      }, // 30 min, no energy: (50 + 30) / 2
    ];
    const r = await page(s);
    const curve = r.json.data.curve as { points: unknown[]; currency: string; total_cost: unknown };
    assert.deepEqual(curve.points, [
      { t: '2025-03-01T00:00:00Z', kw: 20, kwh: 0 },
      { t: '2025-03-01T00:30:00Z', kw: 20, kwh: 10 },
      { t: '2025-03-01T01:30:00Z', kw: 40, kwh: 30 },
      { t: '2025-03-01T02:00:00Z', kw: 40, kwh: 30 },
    ]);
    assert.equal(curve.currency, 'EUR');
    assert.deepEqual(curve.total_cost, { excl_vat: 12.5, incl_vat: 15.13 });
  });

  it('the curve of a session over days, periods out of order, an active one ending at last_updated', async () => {
    const s = makeSession('CURVE2', 'DE-EMS', T0 + 3 * 24 * HOUR);
    s.startDateTime = T0;
    s.chargingPeriods = Array.from({ length: 12 }, (_, k) => ({
      startDateTime: T0 + (11 - k) * 6 * HOUR,
      dimensions: [{ type: 'ENERGY' as const, volume: 60 }],
    }));
    const points = (await page(s)).json.data.curve.points as { t: string; kw: number; kwh: number }[];
    assert.equal(points.length, 13);
    assert.deepEqual(
      points.map((p) => p.kw),
      Array(13).fill(10),
    );
    assert.deepEqual(
      points.map((p) => p.kwh),
      [...Array.from({ length: 12 }, (_, k) => k * 60), 720],
    );
    assert.equal(points[12]!.t, '2025-03-04T00:00:00Z');
    // No periods: no points.
    const none = makeSession('CURVE3', 'DE-EMS', T0);
    assert.deepEqual((await page(none)).json.data.curve.points, []);
  });

  it('formats are the stored bodies byte for byte; history; unknown session 404', async () => {
    const s = makeSession('BODY1', 'DE-EMS', T0);
    const rec = toRecord(s, undefined, WIRE_FORMATS);
    const r = await page(s);
    for (const [format, body] of Object.entries(rec.renders)) {
      assert.ok(r.text.includes(`${JSON.stringify(format)}:${body}`), `${format} verbatim`);
    }
    assert.deepEqual(Object.keys(r.json.data.formats).sort(), Object.keys(rec.renders).sort());
    assert.equal(r.json.data.session.id, 'BODY1');
    const strip = (h: { at: string }[]) => h.map(({ at: _at, ...rest }) => rest);
    assert.deepEqual(strip(r.json.data.history), [
      { rev: 1, last_updated: '2025-03-01T00:00:00Z', source: null, change: 'created' },
    ]);
    await server.store.putSessions([toRecord({ ...s, lastUpdated: T0 + MIN }, undefined, WIRE_FORMATS)], {
      mode: 'replace',
    });
    const again = await send(server.url, {
      method: 'GET',
      path: '/console/api/sessions/NL/CPO/BODY1',
      headers: auth,
    });
    assert.deepEqual(strip(again.json.data.history), [
      { rev: 2, last_updated: '2025-03-01T00:01:00Z', source: null, change: 'last_updated or other fields' },
      { rev: 1, last_updated: '2025-03-01T00:00:00Z', source: null, change: 'created' },
    ]);
    const missing = await send(server.url, {
      method: 'GET',
      path: '/console/api/sessions/NL/CPO/NOPE',
      headers: auth,
    });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.status_code, 2000);
  });
});

describe('console session page on a store that keeps one format', () => {
  let server: TestServer;
  let auth: Record<string, string>;
  before(async () => {
    server = await startTestServer({ console: true });
    await server.store.addStoredFormats(['ocpi-2.2.1']); // a store whose partners all read 2.2.1 (issue 16)
    auth = await operatorAuth(server.store);
  });
  after(() => server.close());

  it('shows every wire format: the stored body as stored, the others rendered as a partner reading them gets them', async () => {
    const s = makeSession('ONEFMT', 'DE-EMS', T0);
    s.totalCost = { exclVat: 10, inclVat: 12.1 };
    await server.store.putSessions([toRecord(s)], { mode: 'replace', render: renderBody });
    assert.deepEqual(
      Object.keys(
        await server.store.sessionBodies((await server.store.getSession('NL', 'CPO', 'ONEFMT'))!.seq),
      ),
      ['ocpi-2.2.1'],
    );
    const r = await send(server.url, {
      method: 'GET',
      path: '/console/api/sessions/NL/CPO/ONEFMT',
      headers: auth,
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json.data.formats).sort(), [...WIRE_FORMATS].sort());
    const all = toRecord(s, undefined, WIRE_FORMATS);
    for (const f of WIRE_FORMATS)
      assert.ok(r.text.includes(`${JSON.stringify(f)}:${all.renders[f]}`), `${f} byte for byte`);
  });
});
