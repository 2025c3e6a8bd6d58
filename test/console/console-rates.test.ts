// The overview's ingest and page rates and its errors in the last hour (issue 18), over real HTTP on loopback: real
// ingest PUTs, sender pages and store-fault answers counted by the server's own request hook, read back from
// /console/api/overview. The server's Metrics run on a clock the test moves (the figures are per whole minute):
// the current minute is not in the rates yet, a minute later it is (mean of the last 5 whole minutes), and an
// hour later nothing is left. Refused requests (ingest 400/401, sender 401) are not counted as traffic.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { Metrics } from '../../src/http/metrics.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { setIdentity } from '../../src/service/identity.js';
import { rotateIngestToken } from '../../src/service/ingest-token.js';
import { addPartner } from '../../src/service/partners.js';
import type { SessionStore } from '../../src/store/contract.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { consoleGet, operatorAuth } from '../support/console.js';
import { send } from '../support/http.js';
import { startTestServer, tempDb, tokenHeader, type TestServer } from '../support/server.js';

type Figures = { rates: { ingest_per_min: number; pages_per_min: number }; errors_last_hour: number };

describe('console overview: ingest and page rates, errors in the last hour', () => {
  const MINUTE = 60_000;
  /** The clock of the server's Metrics: half way through a minute. */
  let clock = Date.UTC(2026, 0, 5, 10, 0, 30);
  let server: TestServer;
  let auth: Record<string, string>;
  let ingestToken: string;
  let partnerToken: string;
  const state = { storeDown: false };

  before(async () => {
    const real = new SqliteStore(tempDb('console-rates.db'));
    // The readiness check fails while storeDown: the server answers 503 + 3000 (a 5xx the overview counts).
    const store = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === 'ping' && state.storeDown) return async () => Promise.reject(new Error('store down'));
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as SessionStore;
    await setIdentity(store, { countryCode: 'NL', partyId: 'CPO', roles: ['CPO'], name: 'CPO' });
    partnerToken = (
      await addPartner(store, { countryCode: 'DE', partyId: 'EMS', roles: ['EMSP'], format: 'ocpi' })
    ).token;
    ingestToken = await rotateIngestToken(store);
    const metrics = new Metrics(store, [], () => clock);
    server = await startTestServer({ console: true, metrics }, store);
    auth = await operatorAuth(store);
  });
  after(() => server.close());

  /** The overview's figures (read past its 2 s cache). */
  async function figures(): Promise<Figures> {
    await new Promise((r) => setTimeout(r, 2100));
    return (await consoleGet(server.url, auth, '/console/api/overview')) as Figures;
  }

  it('counts accepted ingest writes, sender pages and 5xx answers; refused requests are not traffic', async () => {
    const sessions = [
      ...generateDemoSessions({
        count: 4,
        seed: 7,
        emsps: [{ countryCode: 'DE', partyId: 'EMS' }],
        cpo: { countryCode: 'NL', partyId: 'CPO' },
        now: Date.now(),
      }),
    ];
    const ingest = (id: string, body: unknown, token = ingestToken) =>
      send(server.url, {
        method: 'PUT',
        path: `/ingest/2.2.1/sessions/NL/CPO/${id}`,
        headers: { ...tokenHeader(token), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const s of sessions) {
      const r = await ingest(s.id, JSON.parse(codecFor('ocpi-2.2.1').render(s)));
      assert.equal(r.status, 201, r.text);
    }
    // Refused: a body that is not a session (400), a partner's token on the ingest (401).
    assert.equal((await ingest('BAD', { id: 'BAD' })).status, 400);
    const s0 = JSON.parse(codecFor('ocpi-2.2.1').render(sessions[0]!));
    assert.equal((await ingest(sessions[0]!.id, s0, partnerToken)).status, 401);

    // Three pages of the sender (limit 2: pages 1 and 2 of the four sessions, and one more of the first).
    const page = (path: string, token = partnerToken) =>
      send(server.url, { method: 'GET', path, headers: tokenHeader(token) });
    for (const path of [
      '/ocpi/cpo/2.2.1/sessions?limit=2',
      '/ocpi/cpo/2.2.1/sessions?limit=2&offset=2',
      '/ocpi/cpo/2.3.0/sessions?limit=2',
    ]) {
      const r = await page(path);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers['x-total-count'], '4');
    }
    assert.equal((await page('/ocpi/cpo/2.2.1/sessions', 'not-a-token')).status, 401);

    // Two answers 503 + 3000 while the store is down.
    state.storeDown = true;
    for (let i = 0; i < 2; i++) {
      const r = await send(server.url, { method: 'GET', path: '/health/ready' });
      assert.equal(r.status, 503);
    }
    state.storeDown = false;

    // The current minute is still counting: no rate yet, but the errors of the last hour are there.
    assert.deepEqual(pick(await figures()), {
      rates: { ingest_per_min: 0, pages_per_min: 0 },
      errors_last_hour: 2,
    });
    // A minute later: the mean over the last 5 whole minutes (4 writes, 3 pages in one of them).
    clock += MINUTE;
    assert.deepEqual(pick(await figures()), {
      rates: { ingest_per_min: 4 / 5, pages_per_min: 3 / 5 },
      errors_last_hour: 2,
    });
    // Five minutes later that minute has left the rates; the errors stay for the hour.
    clock += 5 * MINUTE;
    assert.deepEqual(pick(await figures()), {
      rates: { ingest_per_min: 0, pages_per_min: 0 },
      errors_last_hour: 2,
    });
    clock += 55 * MINUTE;
    assert.deepEqual(pick(await figures()), {
      rates: { ingest_per_min: 0, pages_per_min: 0 },
      errors_last_hour: 0,
    });
  });
});

const pick = (o: Figures): Figures => ({ rates: o.rates, errors_last_hour: o.errors_last_hour });
