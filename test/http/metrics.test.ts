// GET /metrics read by a Prometheus text parser: counters that move with requests, pages served per partner, the
// outbox per partner, store errors, pull runs per partner; the operator token; --metrics-port.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sessionsPull } from '../../src/modules/sessions/service/pull.js';
import { addPartner } from '../../src/service/partners.js';
import { pullFrom } from '../../src/service/pull.js';
import type { SessionStore } from '../../src/store/contract.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { setParty, startCli } from '../support/cli.js';
import { getJson } from '../support/http.js';
import { scrape } from '../support/metrics.js';
import { startPeer } from '../support/peer.js';
import { startTestServer, tempDb, tokenHeader, type TestServer } from '../support/server.js';
import { makeRecord, makeSession } from '../support/sessions.js';

const OPERATOR = 'metrics-operator-token';
const CPO = { countryCode: 'NL', partyId: 'OCS' };
const EMSP = { countryCode: 'NL', partyId: 'EMS' };
const FAST_RETRY = { retries: 4, baseMs: 1, maxMs: 4, budgetMs: 10_000 };
const AUTH = { authorization: `Bearer ${OPERATOR}` };

describe('GET /metrics (operator token)', () => {
  let server: TestServer;
  let partnerToken: string;
  const metrics = () => scrape(`${server.url}/metrics`, AUTH);

  before(async () => {
    server = await startTestServer({ metricsToken: OPERATOR });
    partnerToken = (await addPartner(server.store, { countryCode: 'NL', partyId: 'EMS', roles: ['EMSP'] }))
      .token;
  });
  after(async () => {
    await server.close();
  });

  it('counts requests per route pattern and status, and pages served per partner', async () => {
    const route = { method: 'GET', route: '/ocpi/cpo/2.2.1/sessions', status: '200' };
    const before = await metrics();
    const count = (s: typeof before) => s.value('ocpi_http_requests_total', route) ?? 0;
    const pages = (s: typeof before) =>
      s.value('ocpi_pages_served_total', { partner: 'NL-EMS', route: route.route }) ?? 0;
    for (let i = 0; i < 3; i++) {
      const r = await getJson(
        `${server.url}/ocpi/cpo/2.2.1/sessions?limit=${i + 1}`,
        tokenHeader(partnerToken),
      );
      assert.equal(r.status, 200, r.text);
    }
    assert.equal((await getJson(`${server.url}/ocpi/cpo/2.2.1/sessions`)).status, 401);
    const now = await metrics();
    assert.equal(count(now) - count(before), 3, 'one per request, the query string not in the label');
    assert.equal(pages(now) - pages(before), 3);
    assert.ok(
      (now.value('ocpi_http_requests_total', { ...route, status: '401' }) ?? 0) >= 1,
      'refused requests are counted under their status',
    );
    const histogram = now.family('ocpi_http_request_duration_seconds');
    assert.equal(histogram?.type, 'HISTOGRAM');
    assert.equal(now.family('process_cpu_user_seconds_total')?.type, 'COUNTER', 'process metrics');
    assert.equal(now.value('ocpi_store_up'), 1);
  });

  it('reports the outbox per partner (pending, oldest age, failing entries, failed attempts, in flight) and the push lanes', async () => {
    const store = server.store;
    const t0 = Date.now() - 60_000;
    for (const id of ['m-1', 'm-2', 'm-3'])
      await store.putSessions([makeRecord(makeSession(id, 'DE-OUT', t0))], {
        mode: 'replace',
        pushTo: ['DE-OUT'],
      });
    await store.putSessions([makeRecord(makeSession('m-4', 'BE-OUT', t0))], {
      mode: 'replace',
      pushTo: ['BE-OUT'],
    });
    const [failing] = (await store.claimDeliveries(Date.now(), 10, 60_000)).filter(
      (d) => d.partnerKey === 'DE-OUT',
    );
    await store.failDelivery(failing!, Date.now() + 600_000, 'receiver down');
    // The lanes: DE-OUT failed three times in a row and is paused, BE-OUT succeeded.
    for (let i = 0; i < 3; i++) await store.laneFailed('DE-OUT', t0 + i, 'receiver down');
    const pausedUntil = Date.now() + 600_000;
    await store.pauseLane('DE-OUT', pausedUntil);
    await store.laneSucceeded('BE-OUT', t0);
    await new Promise((r) => setTimeout(r, 5_100)); // the store figures are cached for 5 s
    const s = await metrics();
    assert.equal(s.value('ocpi_outbox_pending', { partner: 'DE-OUT' }), 3);
    assert.equal(s.value('ocpi_outbox_pending', { partner: 'BE-OUT' }), 1);
    assert.equal(s.value('ocpi_outbox_failing', { partner: 'DE-OUT' }), 1);
    assert.equal(s.value('ocpi_outbox_failing', { partner: 'BE-OUT' }), 0);
    assert.equal(s.value('ocpi_outbox_failed_attempts', { partner: 'DE-OUT' }), 1);
    const age = s.value('ocpi_outbox_oldest_age_seconds', { partner: 'DE-OUT' })!;
    assert.ok(age >= 5 && age < 600, `oldest age ${age} s`);
    assert.equal(s.value('ocpi_outbox_scan_truncated'), 0);
    // The other entries claimed above are leased: in flight until their lease ends.
    assert.equal(s.value('ocpi_outbox_in_flight', { partner: 'DE-OUT' }), 2);
    assert.equal(s.value('ocpi_outbox_in_flight', { partner: 'BE-OUT' }), 1);
    assert.equal(s.value('ocpi_push_lane_failures', { partner: 'DE-OUT' }), 3);
    assert.equal(s.value('ocpi_push_lane_failures', { partner: 'BE-OUT' }), 0);
    assert.equal(s.value('ocpi_push_lane_paused', { partner: 'DE-OUT' }), 1);
    assert.equal(s.value('ocpi_push_lane_paused', { partner: 'BE-OUT' }), 0);
    assert.equal(
      s.value('ocpi_push_lane_paused_until_timestamp_seconds', { partner: 'DE-OUT' }),
      pausedUntil / 1000,
    );
    assert.equal(s.value('ocpi_push_last_error_timestamp_seconds', { partner: 'DE-OUT' }), (t0 + 2) / 1000);
    assert.equal(s.value('ocpi_push_last_success_timestamp_seconds', { partner: 'BE-OUT' }), t0 / 1000);
  });

  it('counts 503s from store faults per route, and says the store is down', async () => {
    const failing = new Proxy(server.store, {
      get(target, prop, receiver) {
        if (prop === 'ping' || prop === 'listSessions' || prop === 'outboxSummary')
          return async () => Promise.reject(new Error('store down'));
        if (prop === 'close') return async () => undefined; // the real store is closed by the main server
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as SessionStore;
    const down = await startTestServer({ metricsToken: OPERATOR }, failing);
    try {
      const r = await getJson(`${down.url}/ocpi/cpo/2.2.1/sessions`, tokenHeader(partnerToken));
      assert.equal(r.status, 503, r.text);
      assert.equal((await getJson(`${down.url}/health/ready`)).status, 503);
      const s = await scrape(`${down.url}/metrics`, AUTH);
      assert.equal(s.value('ocpi_store_errors_total', { route: '/ocpi/cpo/2.2.1/sessions' }), 1);
      assert.equal(s.value('ocpi_store_errors_total', { route: '/health/ready' }), 1);
      assert.equal(s.value('ocpi_store_up'), 0);
    } finally {
      await down.close();
    }
  });

  it('never opens to a partner token, nor without a token', async () => {
    for (const headers of [{}, tokenHeader(partnerToken), { authorization: `Bearer ${partnerToken}` }]) {
      const r = await getJson(`${server.url}/metrics`, headers);
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.equal(r.json.status_code, 2000);
    }
  });

  it('refuses every request when no operator token was given', async () => {
    const plain = await startTestServer();
    try {
      assert.equal((await getJson(`${plain.url}/metrics`)).status, 401);
      assert.equal((await getJson(`${plain.url}/metrics`, { authorization: 'Bearer ' })).status, 401);
    } finally {
      await plain.close();
    }
  });
});

describe('pull runs and pulled sessions per partner', () => {
  it('counts the pulls of a partner (run in another process, counted in the store) in the server’s /metrics', async () => {
    const peer = await startPeer({
      token: 'cpo-token',
      sessions: [
        ...generateDemoSessions({ count: 12, seed: 11, emsps: [EMSP], cpo: CPO, now: Date.UTC(2025, 5, 1) }),
      ],
      versions: ['2.2.1'],
    });
    const store = new SqliteStore(tempDb('pulls.db'));
    const server = await startTestServer({ metricsToken: OPERATOR }, store);
    try {
      await addPartner(store, { countryCode: CPO.countryCode, partyId: CPO.partyId, roles: ['CPO'] });
      const key = `${CPO.countryCode}-${CPO.partyId}`;
      const input = {
        partner: key,
        url: peer.sessionsUrl('2.2.1'),
        token: 'cpo-token',
        emsp: `${EMSP.countryCode}-${EMSP.partyId}`,
      };
      await pullFrom(store, input, { adapter: sessionsPull, retry: FAST_RETRY });
      await pullFrom(store, input, { adapter: sessionsPull, retry: FAST_RETRY, since: 0 });
      const s = await scrape(`${server.url}/metrics`, AUTH);
      const labels = { partner: key, module: 'sessions' };
      assert.equal(s.value('ocpi_pull_runs_total', { ...labels, result: 'ok' }), 2);
      assert.equal(s.value('ocpi_pull_runs_total', { ...labels, result: 'failed' }), 0);
      assert.equal(s.value('ocpi_pull_objects_total', { ...labels, outcome: 'new' }), 12);
      assert.equal(s.value('ocpi_pull_objects_total', { ...labels, outcome: 'unchanged' }), 12);
      assert.ok(s.value('ocpi_pull_last_run_timestamp_seconds', labels)! > Date.now() / 1000 - 60);
    } finally {
      await server.close();
      await peer.close();
    }
  });
});

describe('--metrics-port: /metrics without a token on a port of its own', () => {
  it('serves the same registry on 127.0.0.1; the main port still asks for the operator token', async () => {
    const db = tempDb('metrics-port.db');
    setParty(db, 'NL-OCS', 'CPO', 'Metrics CPO');
    const server = startCli(
      ['serve', '--db', db, '--port', '0', '--metrics-port', '0'],
      /listening on (\S+)/,
    );
    try {
      const out = await server.started;
      const url = /listening on (\S+)/.exec(out)![1]!;
      const metricsUrl = /"metricsUrl":"([^"]+)"/.exec(out)![1]!;
      assert.match(metricsUrl, /^http:\/\/127\.0\.0\.1:\d+$/, 'bound to loopback by default');
      assert.equal((await getJson(`${url}/metrics`)).status, 401);
      assert.equal((await getJson(`${url}/health`)).status, 200);
      const s = await scrape(`${metricsUrl}/metrics`);
      assert.equal(s.value('ocpi_http_requests_total', { route: '/health', status: '200' }), 1);
      assert.equal(s.value('ocpi_http_requests_total', { route: '/metrics', status: '401' }), 1);
      const other = await getJson(`${metricsUrl}/health`);
      assert.deepEqual([other.status, other.json.status_code], [404, 2000]);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
