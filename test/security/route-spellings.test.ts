// No spelling of a path reaches a handler with less than its route asks for (auth.ts decides from the route
// that matched). Every route is listed with its access; each protected one is called under many spellings
// (percent-encoding, case, `//`, dot segments, absolute-form targets, trailing slash) without a token and with
// a token of the wrong kind. The router decodes several of those spellings into the real route: they must then
// ask for the route's token like the plain spelling does. Nothing may be written, nothing handed out.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { registerAuth } from '../../src/http/auth.js';
import { TokenCache } from '../../src/service/token-cache.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { raw, type RawResponse } from '../support/http.js';
import { assertEnvelope, b64, closeSnapshots, partyServer, snapshot, type PartyServer } from './helpers.js';

type Access = 'public' | 'configuration' | 'partner' | 'ingest' | 'operator';
interface RouteCase {
  method: string;
  path: string;
  access: Access;
}

// Every route of the server and who may call it. The completeness test below fails when a route is added to
// the server without being added here.
const ROUTES: RouteCase[] = [
  { method: 'GET', path: '/health', access: 'public' },
  { method: 'GET', path: '/health/live', access: 'public' },
  { method: 'GET', path: '/health/ready', access: 'public' },
  { method: 'GET', path: '/metrics', access: 'operator' },
  { method: 'GET', path: '/ocpi/versions', access: 'configuration' },
  ...['2.1.1', '2.2.1', '2.3.0'].flatMap((v): RouteCase[] => [
    { method: 'GET', path: `/ocpi/${v}`, access: 'configuration' },
    ...['GET', 'POST', 'PUT', 'DELETE'].map((method) => ({
      method,
      path: `/ocpi/${v}/credentials`,
      access: 'configuration' as const,
    })),
    { method: 'GET', path: `/ocpi/cpo/${v}/sessions`, access: 'partner' },
    ...['GET', 'PUT', 'PATCH'].map((method) => ({
      method,
      path: `/ocpi/emsp/${v}/sessions/BE/CPX/SPELL-1`,
      access: 'partner' as const,
    })),
  ]),
  { method: 'PUT', path: '/ocpi/cpo/2.2.1/sessions/SPELL-1/charging_preferences', access: 'partner' },
  ...['2.2.1', '2.3.0'].flatMap((v): RouteCase[] =>
    ['PUT', 'PATCH'].map((method) => ({
      method,
      path: `/ingest/${v}/sessions/NL/OCS/SPELL-1`,
      access: 'ingest',
    })),
  ),
];

const OPERATOR_TOKEN = 'operator-token-of-the-spellings-test';

const pct = (c: string, upper: boolean) => {
  const hex = c.charCodeAt(0).toString(16);
  return `%${upper ? hex.toUpperCase() : hex}`;
};

/** Other spellings of one path: some the router maps to the same route, some to none. */
function spellings(path: string): string[] {
  const segments = path.split('/').slice(1);
  const firstOfEach = '/' + segments.map((s) => pct(s[0]!, false) + s.slice(1)).join('/');
  const everyChar = '/' + segments.map((s) => [...s].map((c) => pct(c, true)).join('')).join('/');
  const [first, ...rest] = segments;
  return [
    path,
    `/${pct(first![0]!, false)}${first!.slice(1)}/${rest.join('/')}`, // /%69ngest/…, /%6fcpi/…
    firstOfEach,
    everyChar,
    path.replace(/\./g, '%2e'),
    path.replace(/\./g, '%2E'),
    `/${first!.toUpperCase()}/${rest.join('/')}`,
    path.replace(/[a-z]/, (c) => c.toUpperCase()),
    `/${path}`,
    path.replace(/\/([^/]+)$/, '//$1'),
    `/${first}/./${rest.join('/')}`,
    `/x/..${path}`,
    `/${first}/x/../${rest.join('/')}`,
    `${path}/`,
    `${path}?`,
    `${path}%3F`,
    `${path};x=1`,
    `http://evil.example${path}`,
    `http://evil.example${firstOfEach}`,
    `HTTP://127.0.0.1${path}`,
  ];
}

describe('authentication is decided by the route that matched, for every spelling of every path', () => {
  let party: PartyServer;
  let sessionBody: string;
  let patchBody: string;

  before(async () => {
    party = await partyServer({ metricsToken: OPERATOR_TOKEN });
    // A body each write route would accept: a handler reached without authentication would store it (2xx).
    const s = { ...party.sessions[0]!, id: 'SPELL-1' };
    sessionBody = codecFor('ocpi-2.2.1').render(s);
    patchBody = JSON.stringify({ kwh: 1.5, last_updated: new Date().toISOString() });
  });
  after(async () => {
    closeSnapshots();
    await party.server.close();
  });

  const bodyFor = (method: string) =>
    method === 'PUT' ? sessionBody : method === 'PATCH' || method === 'POST' ? patchBody : undefined;
  const send = (method: string, path: string, authorization?: string) =>
    raw(party.server.url, {
      method,
      path,
      headers: {
        ...(authorization ? { authorization } : {}),
        ...(bodyFor(method) ? { 'content-type': 'application/json' } : {}),
      },
      ...(bodyFor(method) ? { body: bodyFor(method) } : {}),
    });

  it('refuses, at startup, a route that does not declare its access', async () => {
    const app = Fastify();
    registerAuth(app, party.server.store, new TokenCache(party.server.store), ['/docs']);
    assert.throws(() => app.get('/ocpi/new/thing', async () => 'x'), /declares no config\.access/);
    app.get('/docs/asset.js', async () => 'x'); // the documentation plugin's pages are public by prefix
    app.get('/ocpi/new/declared', { config: { access: 'partner' } }, async () => 'x');
    await app.close();
  });

  it('lists every route of the server (a new route must be added to this test)', async () => {
    const doc = (await raw(party.server.url, { method: 'GET', path: '/openapi.json' })).json;
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const listed = ROUTES.map((r) => `${r.method} ${r.path}`)
      .map((r) =>
        r
          .replace(/sessions\/BE\/CPX\/SPELL-1$/, 'sessions/{country_code}/{party_id}/{session_id}')
          .replace(/sessions\/NL\/OCS\/SPELL-1$/, 'sessions/{country_code}/{party_id}/{session_id}')
          .replace('sessions/SPELL-1/', 'sessions/{session_id}/'),
      )
      .sort();
    assert.deepEqual([...new Set(listed)], [...documented].sort());
  });

  it('refuses a request without a token on every protected route, under every spelling; nothing is written', async () => {
    const before = snapshot(party.file);
    const routed: string[] = [];
    for (const route of ROUTES.filter((r) => r.access !== 'public')) {
      // Fastify answers HEAD on every GET route: the same declaration guards it.
      for (const [method, path] of spellings(route.path).flatMap((p) =>
        route.method === 'GET' ? [['GET', p] as const, ['HEAD', p] as const] : [[route.method, p] as const],
      )) {
        const what = `${method} ${path} without a token`;
        const res = await send(method, path);
        assertEnvelope(res, what, method);
        assert.ok(
          [401, 404, 405].includes(res.status) || (res.status === 400 && res.json.status_code === 2001),
          `${what} → HTTP ${res.status} ${res.text.slice(0, 200)}`,
        );
        if (res.status === 401) routed.push(what);
      }
    }
    assert.equal(snapshot(party.file), before, 'a request without a token changed the store');
    // The router really maps encoded and absolute-form spellings onto the routes: they were checked, not missed.
    for (const must of [
      'PUT /%69ngest/2.2.1/sessions/NL/OCS/SPELL-1 without a token',
      'GET /%6fcpi/2.2.1/credentials without a token',
      'GET /%6fcpi/cpo/2.2.1/sessions without a token',
      'GET http://evil.example/ocpi/2.2.1/credentials without a token',
    ]) {
      assert.ok(routed.includes(must), `expected 401 for: ${must}`);
    }
  });

  it('refuses a token of the wrong kind under every spelling (ingest token on OCPI, partner token on ingest, token A on functional modules)', async () => {
    const before = snapshot(party.file);
    const cpoToken = party.tokens['BE-CPX']!;
    for (const route of ROUTES.filter((r) => r.access !== 'public' && r.access !== 'configuration')) {
      const wrong =
        route.access === 'ingest'
          ? [cpoToken, party.tokenA]
          : route.access === 'operator'
            ? [cpoToken, party.ingest, party.tokenA]
            : [party.ingest, party.tokenA];
      for (const token of wrong) {
        for (const path of spellings(route.path)) {
          const what = `${route.method} ${path} with a ${route.access === 'ingest' ? 'partner' : 'wrong'} token`;
          const res = await send(route.method, path, `Token ${b64(token)}`);
          assertEnvelope(res, what, route.method);
          assert.ok(
            [401, 404, 405].includes(res.status) || (res.status === 400 && res.json.status_code === 2001),
            `${what} → HTTP ${res.status} ${res.text.slice(0, 200)}`,
          );
        }
      }
    }
    assert.equal(snapshot(party.file), before, 'a request with a wrong token changed the store');
  });

  it('serves an encoded spelling to the right token as the plain one (the route matched, its token admits)', async () => {
    const res = await send('GET', '/%6fcpi/2.2.1/credentials', `Token ${b64(party.tokens['DE-EMP']!)}`);
    assert.equal(res.status, 200, res.text);
    const put = await send('PUT', '/%69ngest/2.2.1/sessions/NL/OCS/SPELL-1', `Token ${b64(party.ingest)}`);
    assert.equal(put.status, 201, put.text);
  });

  it('opens /metrics to the operator token only (Bearer or Token), never to a partner token in either form', async () => {
    const ok = await send('GET', '/metrics', `Bearer ${OPERATOR_TOKEN}`);
    assert.equal(ok.status, 200, ok.text.slice(0, 200));
    assert.match(ok.text, /^# HELP ocpi_http_requests_total /m);
    assert.equal((await send('GET', '/metrics', `Token ${b64(OPERATOR_TOKEN)}`)).status, 200);
    for (const token of [party.tokens['BE-CPX']!, party.ingest, party.tokenA, `${OPERATOR_TOKEN}x`]) {
      for (const authorization of [`Bearer ${token}`, `Token ${b64(token)}`, `Token ${token}`]) {
        const res = await send('GET', '/metrics', authorization);
        assert.equal(res.status, 401, `${authorization} → HTTP ${res.status}`);
        assertEnvelope(res, authorization, 'GET');
      }
    }
  });

  it('answers public routes without a token under their plain spelling', async () => {
    for (const route of ROUTES.filter((r) => r.access === 'public')) {
      const res: RawResponse = await send(route.method, route.path);
      assert.equal(res.status, 200, `${route.method} ${route.path}: ${res.text.slice(0, 200)}`);
    }
  });
});

describe('Link is built from the route and the decoded query, never from the request target as sent', () => {
  let party: PartyServer;
  const PUBLIC = 'https://ocpi.example.com/base';
  before(async () => {
    party = await partyServer({ publicUrl: PUBLIC });
  });
  after(async () => {
    closeSnapshots();
    await party.server.close();
  });

  for (const target of [
    'http://evil.example/ocpi/cpo/2.2.1/sessions?limit=2&date_from=2020-01-01T00:00:00Z',
    'http://evil.example/%6fcpi/cpo/2.2.1/sessions?limit=2&date_from=2020-01-01T00:00:00Z',
    '/%6fcpi/%63po/2%2e2%2e1/sessions?limit=2&date_from=2020-01-01T00:00:00Z',
  ]) {
    it(`GET ${target}`, async () => {
      const res = await raw(party.server.url, {
        method: 'GET',
        path: target,
        headers: { authorization: `Token ${b64(party.tokens['DE-EMP']!)}` },
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(
        res.headers.link,
        `<${PUBLIC}/ocpi/cpo/2.2.1/sessions?date_from=2020-01-01T00%3A00%3A00Z&offset=2&limit=2>; rel="next"`,
      );
    });
  }

  it('without --public-url, Link uses the Host header and the canonical path', async () => {
    const plain = await partyServer();
    try {
      const res = await raw(plain.server.url, {
        method: 'GET',
        path: 'http://evil.example/%6fcpi/cpo/2.2.1/sessions?limit=2',
        headers: { authorization: `Token ${b64(plain.tokens['DE-EMP']!)}` },
      });
      assert.equal(res.status, 200, res.text);
      const host = new URL(plain.server.url).host;
      assert.equal(res.headers.link, `<http://${host}/ocpi/cpo/2.2.1/sessions?offset=2&limit=2>; rel="next"`);
    } finally {
      await plain.server.close();
    }
  });
});
