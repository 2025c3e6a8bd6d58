// PostgreSQL's page read keeps every body as the bytes the server sent (src/store/postgres/raw-rows.ts: DataRows
// read off the socket, fields sliced out of the chunks they came in, a message split across chunks joined). The
// pages must be exactly SQLite's, byte for byte, over HTTP: bodies with backslashes, quotes, escaped control
// characters and 2-, 3- and 4-byte UTF-8, and bodies far larger than a socket chunk (64 KB; one over 1 MB), read
// by the prepared statement (no window) and the unnamed one (a date window), on a pool of one connection shared
// with every other query of the store (the socket goes back to node-postgres after each page), many at once.
// And the store hands the bodies over as Buffers (no string per body), and a statement that fails leaves the
// connection to the next query.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../src/domain/session.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { addPartner } from '../../src/service/partners.js';
import { writeSessions } from '../../src/modules/sessions/service/writer.js';
import { renderAll } from '../../src/modules/sessions/wire/codecs.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { MAX, MIN } from '../../src/store/paging.js';
import { send } from '../support/http.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { startTestServer, tempDb, tokenHeader, type TestServer } from '../support/server.js';

const NOW = Date.UTC(2025, 5, 1);
const ODD = 'back\\slash \\" "quoted" \\u00e9 ré € 😀 \u0001\t\n end';

function bigPeriods(n: number, i: number): Session['chargingPeriods'] {
  return Array.from({ length: n }, (_, k) => ({
    startDateTime: NOW - (n - k) * 60_000,
    dimensions: [{ type: 'ENERGY' as const, volume: k / 7 }],
    tariffId: `${ODD} ${i}-${k}`,
  }));
}

describe('PostgreSQL page bodies as raw bytes: pages identical to SQLite over HTTP', () => {
  let pg: PostgresStore;
  let url: string;
  let servers: Record<'sqlite' | 'postgres', TestServer>;
  const tokens = { sqlite: '', postgres: '' };
  let sessions: Session[];

  before(async () => {
    url = await postgresUrl();
    pg = await PostgresStore.connect(url, { poolSize: 1 });
    servers = {
      sqlite: await startTestServer({ defaultLimit: 100, maxLimit: 1000 }, new SqliteStore(tempDb('raw.db'))),
      postgres: await startTestServer({ defaultLimit: 100, maxLimit: 1000 }, pg),
    };
    sessions = [
      ...generateDemoSessions({
        count: 400,
        seed: 9,
        emsps: [{ countryCode: 'NL', partyId: 'EMS' }],
        cpo: { countryCode: 'NL', partyId: 'OCS' },
        now: NOW,
      }),
    ].map((s, i) =>
      i === 150
        ? { ...s, chargingPeriods: bigPeriods(9000, i) } // > 1 MB
        : i === 40 || i === 41 || i === 333
          ? { ...s, chargingPeriods: bigPeriods(700 + i, i) } // 100-200 KB, two of them in a row
          : i % 3 === 1
            ? { ...s, authorizationReference: `${ODD} ${i}` }
            : s,
    );
    for (const kind of ['sqlite', 'postgres'] as const) {
      await writeSessions(servers[kind].store, sessions, { mode: 'replace' });
      tokens[kind] = (
        await addPartner(servers[kind].store, { countryCode: 'NL', partyId: 'EMS', format: 'ocpi' })
      ).token;
    }
  });
  after(async () => {
    if (servers) await Promise.all([servers.sqlite.close(), servers.postgres.close()]);
    await dropDatabase(url);
  });

  const get = (kind: 'sqlite' | 'postgres', path: string) =>
    send(servers[kind].url, { method: 'GET', path, headers: tokenHeader(tokens[kind]) });
  /** The answer's `data` list, as text (the envelope's timestamp differs between the two servers). */
  const dataOf = (text: string) => text.slice(0, text.indexOf('],"status_code":1000,') + 1);

  it('every page, with and without a date window, is SQLite’s byte for byte and the rendered bodies', async () => {
    const big = [...sessions].sort((a, b) => a.lastUpdated - b.lastUpdated);
    const from = new Date(big[100]!.lastUpdated).toISOString();
    const paths: string[] = [];
    for (const limit of [1, 2, 50, 100, 400]) {
      for (const offset of [0, 39, 40, 41, 100, 149, 150, 151, 330, 399]) {
        paths.push(`/ocpi/cpo/2.2.1/sessions?offset=${offset}&limit=${limit}`);
        paths.push(`/ocpi/cpo/2.1.1/sessions?offset=${offset}&limit=${limit}&date_from=${from}`);
      }
    }
    let nonEmpty = 0;
    for (const path of paths) {
      const [a, b] = await Promise.all([get('sqlite', path), get('postgres', path)]);
      assert.equal(a.status, 200, path);
      assert.equal(b.status, 200, `${path}: ${b.text.slice(0, 200)}`);
      assert.equal(b.headers['x-total-count'], a.headers['x-total-count'], path);
      assert.equal(dataOf(b.text), dataOf(a.text), path);
      if (dataOf(a.text) !== '{"data":[]') nonEmpty++;
    }
    assert.ok(nonEmpty >= paths.length - 10, `${nonEmpty} of ${paths.length} pages had bodies`);
    // The page holding the 1 MB body, against the renderer.
    const r = await get('postgres', '/ocpi/cpo/2.2.1/sessions?offset=149&limit=3');
    const expected = sessions.slice(149, 152).map((s) => renderAll(s)['ocpi-2.2.1']);
    assert.ok(Buffer.byteLength(expected[1]!) > 1_000_000);
    assert.equal(dataOf(r.text), `{"data":[${expected.join(',')}]`);
  });

  it('many pages at once on one connection shared with the other queries: all exact', async () => {
    const paths = Array.from(
      { length: 60 },
      (_, i) => `/ocpi/cpo/2.2.1/sessions?offset=${(i * 37) % 400}&limit=${[100, 5, 400][i % 3]}`,
    );
    const want = await Promise.all(paths.map((p) => get('sqlite', p)));
    const got = await Promise.all([
      ...paths.map((p) => get('postgres', p)),
      // Ordinary node-postgres queries interleaved on the same (only) connection.
      ...Array.from({ length: 20 }, () => pg.getPartner('NL-EMS').then(() => undefined)),
    ]);
    paths.forEach((p, i) => assert.equal(dataOf(got[i]!.text), dataOf(want[i]!.text), p));
  });

  it('the store hands bodies over as Buffers; a failing statement leaves the connection to the next query', async () => {
    const page = await pg.pageBodies('NL-EMS', 1, MIN, MAX, 0, 5, 'ocpi-2.2.1');
    assert.equal(page.bodies.length, 5);
    for (const b of page.bodies) assert.ok(Buffer.isBuffer(b), typeof b);
    assert.equal(page.lastOrd, 5);
    assert.equal(typeof page.version, 'number');
    assert.equal(typeof page.partnersVersion, 'number');
    // LIMIT -1: PostgreSQL answers an ErrorResponse, through node-postgres' usual error path.
    await assert.rejects(
      pg.pageBodies('NL-EMS', 1, MIN, MAX, 0, -1, 'ocpi-2.2.1'),
      /LIMIT must not be negative/,
    );
    await assert.rejects(
      pg.pageBodies('NL-EMS', 1, 0, NOW, 0, -1, 'ocpi-2.2.1'),
      /LIMIT must not be negative/,
    );
    const again = await pg.pageBodies('NL-EMS', 1, MIN, MAX, 0, 5, 'ocpi-2.2.1');
    assert.deepEqual(again.bodies.map(String), page.bodies.map(String));
    assert.equal((await pg.getPartner('NL-EMS'))?.countryCode, 'NL');
    const r = await get('postgres', '/ocpi/cpo/2.2.1/sessions?offset=0&limit=5');
    assert.equal(r.status, 200);
  });
});
