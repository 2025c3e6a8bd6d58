// Who opens the console's API (issue 18), over real HTTP on loopback with a real SQLite store: an operator token
// (made by the use case the CLI calls) or the console password, as `Bearer`; never a partner, ingest or metrics
// token; nothing when the console is disabled; no spelling of a path that bypasses the check; confirmation
// required on every partner action.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addPartner } from '../../src/service/partners.js';
import { rotateIngestToken } from '../../src/service/ingest-token.js';
import { createOperatorToken, revokeOperatorToken } from '../../src/service/console/operator-tokens.js';
import { send } from '../support/http.js';
import { startTestServer, tokenHeader, type TestServer } from '../support/server.js';

const GETS = [
  '/console/api/whoami',
  '/console/api/overview',
  '/console/api/sessions',
  '/console/api/sessions/NL/CPO/S1',
  '/console/api/partners',
];
const ACTIONS = ['pause', 'resume', 'retry', 'pull'];
const PASSWORD = 'console-password-for-tests';
const METRICS = 'metrics-token-for-tests';

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

async function get(base: string, path: string, headers: Record<string, string> = {}) {
  const r = await send(base, { method: 'GET', path, headers });
  return { status: r.status, body: (r.json ?? {}) as Record<string, unknown> };
}

describe('console access', () => {
  let server: TestServer;
  let operator: string;
  let partnerToken: string;
  let ingest: string;
  before(async () => {
    server = await startTestServer({ console: true, consolePassword: PASSWORD, metricsToken: METRICS });
    operator = (await createOperatorToken(server.store, 'tests')).token;
    partnerToken = (
      await addPartner(server.store, { countryCode: 'DE', partyId: 'EMS', roles: ['EMSP'], format: 'ocpi' })
    ).token;
    ingest = await rotateIngestToken(server.store);
  });
  after(() => server.close());

  it('opens every GET endpoint with an operator token and with the password, and says which', async () => {
    for (const path of GETS) {
      for (const secret of [operator, PASSWORD]) {
        const r = await get(server.url, path, bearer(secret));
        // The unknown session answers 404 once authenticated: the check passed.
        const want = path.endsWith('/S1') ? 404 : 200;
        assert.equal(r.status, want, `${path}`);
        assert.equal(r.body.status_code, want === 200 ? 1000 : 2000, path);
      }
    }
    assert.deepEqual((await get(server.url, '/console/api/whoami', bearer(operator))).body.data, {
      via: 'operator-token',
    });
    assert.deepEqual((await get(server.url, '/console/api/whoami', bearer(PASSWORD))).body.data, {
      via: 'password',
    });
  });

  it('refuses no token, a wrong one, and partner, ingest and metrics tokens in every form (401 + 2000)', async () => {
    const refused: [string, Record<string, string>][] = [
      ['no token', {}],
      ['unknown bearer', bearer('not-a-token')],
      ['partner token (Token, base64)', tokenHeader(partnerToken)],
      ['partner token (Token, raw)', tokenHeader(partnerToken, 'raw')],
      ['partner token (Bearer)', bearer(partnerToken)],
      ['ingest token (Token)', tokenHeader(ingest)],
      ['ingest token (Bearer)', bearer(ingest)],
      ['metrics token (Bearer)', bearer(METRICS)],
      ['metrics token (Token)', tokenHeader(METRICS, 'raw')],
      ['password as Token', tokenHeader(PASSWORD, 'raw')],
      ['operator token as Token', tokenHeader(operator)],
    ];
    for (const path of GETS) {
      for (const [what, headers] of refused) {
        const r = await get(server.url, path, headers);
        assert.equal(r.status, 401, `${what} on ${path}`);
        assert.equal(r.body.status_code, 2000, `${what} on ${path}`);
        assert.equal(r.body.data, undefined, `${what} on ${path}: no data`);
      }
    }
    for (const action of ACTIONS) {
      const r = await send(server.url, {
        method: 'POST',
        path: `/console/api/partners/DE-EMS/${action}`,
        headers: { ...tokenHeader(partnerToken), 'content-type': 'application/json' },
        body: '{"confirm":true}',
      });
      assert.equal(r.status, 401, action);
    }
  });

  it('the operator token opens nothing else (metrics, partner API), the console password neither', async () => {
    for (const secret of [operator, PASSWORD]) {
      assert.equal((await get(server.url, '/metrics', bearer(secret))).status, 401);
      assert.equal((await get(server.url, '/ocpi/cpo/2.2.1/sessions', tokenHeader(secret))).status, 401);
    }
  });

  it('a revoked operator token stops working at once', async () => {
    const { token, entry } = await createOperatorToken(server.store);
    assert.equal((await get(server.url, '/console/api/whoami', bearer(token))).status, 200);
    assert.equal(await revokeOperatorToken(server.store, entry.id), true);
    assert.equal((await get(server.url, '/console/api/whoami', bearer(token))).status, 401);
    assert.equal((await get(server.url, '/console/api/whoami', bearer(operator))).status, 200);
  });

  it('no spelling of a console path reaches a handler without the check', async () => {
    const spellings = [
      '/console//api/overview',
      '/Console/api/overview',
      '/console/API/overview',
      '/console/api/overview/',
      '/console/api/%6fverview',
      '/console/api/./overview',
      '/console/x/../api/overview',
      '//console/api/overview',
      '/console/api/overview?x=/health',
      `${server.url}/console/api/overview`,
    ];
    for (const path of spellings) {
      const r = await get(server.url, path, tokenHeader(partnerToken));
      assert.ok(r.status === 401 || r.status === 404 || r.status === 400, `${path}: ${r.status}`);
      assert.equal(r.body.data, undefined, `${path}: no data`);
    }
    // The same spellings with no token at all never answer data either.
    for (const path of spellings) {
      const r = await get(server.url, path);
      assert.notEqual(r.status, 200, path);
    }
  });

  it('partner actions need {"confirm": true}: 400 + 2001 otherwise, and change nothing', async () => {
    const bodies = [undefined, '{}', '{"confirm":false}', '{"confirm":"true"}', '{"confirm":1}', 'null'];
    for (const action of ACTIONS) {
      for (const body of bodies) {
        const r = await send(server.url, {
          method: 'POST',
          path: `/console/api/partners/DE-EMS/${action}`,
          headers: {
            ...bearer(operator),
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { body } : {}),
        });
        assert.equal(r.status, 400, `${action} with ${body}`);
        assert.equal((r.json as { status_code: number }).status_code, 2001, `${action} ${body}`);
      }
    }
    const lanes = await server.store.laneStates();
    assert.equal(lanes.find((l) => l.partnerKey === 'DE-EMS')?.operatorPaused ?? false, false);
    const ok = await send(server.url, {
      method: 'POST',
      path: '/console/api/partners/DE-EMS/pause',
      headers: { ...bearer(operator), 'content-type': 'application/json' },
      body: '{"confirm":true}',
    });
    assert.equal(ok.status, 200);
    assert.equal(
      (await server.store.laneStates()).find((l) => l.partnerKey === 'DE-EMS')?.operatorPaused,
      true,
    );
    const unknown = await send(server.url, {
      method: 'POST',
      path: '/console/api/partners/XX-NOP/pause',
      headers: { ...bearer(operator), 'content-type': 'application/json' },
      body: '{"confirm":true}',
    });
    assert.equal(unknown.status, 404);
  });

  it('GET on an action and POST on a read are refused (405), never run', async () => {
    const r = await get(server.url, '/console/api/partners/DE-EMS/pause', bearer(operator));
    assert.equal(r.status, 405);
    // The API is read-only but for the partner actions: no other method on any read, for an operator either.
    const before = JSON.stringify(await server.store.laneStates());
    for (const path of GETS)
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const w = await send(server.url, {
          method,
          path,
          headers: { ...bearer(operator), 'content-type': 'application/json' },
          body: '{"confirm":true}',
        });
        assert.equal(w.status, 405, `${method} ${path}`);
        assert.equal((w.json as { data?: unknown }).data, undefined, `${method} ${path}`);
      }
    for (const action of ACTIONS)
      for (const method of ['PUT', 'PATCH', 'DELETE']) {
        const w = await send(server.url, {
          method,
          path: `/console/api/partners/DE-EMS/${action}`,
          headers: { ...bearer(operator), 'content-type': 'application/json' },
          body: '{"confirm":true}',
        });
        assert.equal(w.status, 405, `${method} ${action}`);
      }
    assert.equal(JSON.stringify(await server.store.laneStates()), before, 'nothing changed');
  });
});

describe('console disabled', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ consolePassword: PASSWORD });
  });
  after(() => server.close());

  it('every console path answers 404, whatever the secret', async () => {
    const { token } = await createOperatorToken(server.store);
    for (const path of GETS)
      for (const headers of [{}, bearer(PASSWORD), bearer(token)]) {
        const r = await get(server.url, path, headers);
        assert.equal(r.status, 404, path);
        assert.equal(r.body.data, undefined);
      }
  });

  it('the OpenAPI document has no console operation and no Console tag', async () => {
    const doc = (await get(server.url, '/openapi.json')).body as { paths: object; tags: { name: string }[] };
    assert.equal(
      Object.keys(doc.paths).some((p) => p.startsWith('/console')),
      false,
    );
    assert.equal(
      doc.tags.some((t) => t.name === 'Console'),
      false,
    );
  });
});
