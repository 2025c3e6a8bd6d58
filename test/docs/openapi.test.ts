// GET /openapi.json: a valid OpenAPI 3.1 document covering every registered route, whose examples fit their
// schemas and whose schemas fit what the server really answers.
import { packageVersion } from '../../src/service/version.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import SwaggerParser from '@apidevtools/swagger-parser';
import Fastify from 'fastify';
import type { Session } from '../../src/domain/session.js';
import { buildServer } from '../../src/app/server.js';
import { registerDocs } from '../../src/http/routes/docs.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { setIdentity } from '../../src/service/identity.js';
import { addPartner } from '../../src/service/partners.js';
import { writeSessions } from '../../src/modules/sessions/service/writer.js';
import type { SessionStore } from '../../src/store/contract.js';
import { camelEnumTables } from '../../src/wire/camel/enum-tables.js';
import { sessionExamples } from '../../src/modules/sessions/http/openapi.js';
import { Session221Schema } from '../../src/modules/sessions/wire/ocpi-2.2.1/session.js';
import { startTestServer, tokenHeader, type TestServer } from '../support/server.js';
import { getJson } from '../support/http.js';
import {
  documentExamples,
  DocumentValidator,
  openApiPath,
  registeredRoutes,
  responseHeaders,
  responseSchema,
} from './openapi-support.js';

const NOW = Date.UTC(2025, 5, 1);
const EMSPS = [
  { countryCode: 'NL', partyId: 'EMS' },
  { countryCode: 'DE', partyId: 'EMP' },
];
const SENDER = (v: string) => `/ocpi/cpo/${v}/sessions`;

describe('OpenAPI document', () => {
  let server: TestServer;
  let doc: any;
  let validator: DocumentValidator;
  let sessions: Session[];
  const tokens = { ocpi: 'nl-ems-token', camel: 'de-emp-token' };

  before(async () => {
    server = await startTestServer({ defaultLimit: 3, maxLimit: 50, console: true });
    sessions = [
      ...generateDemoSessions({
        count: 60,
        seed: 7,
        emsps: EMSPS,
        cpo: { countryCode: 'NL', partyId: 'OCS' },
        now: NOW,
      }),
    ];
    await writeSessions(server.store, sessions, { mode: 'replace' });
    // An identity, so responses carry every documented routing header (OCPI-from-* name this platform).
    await setIdentity(server.store, { countryCode: 'NL', partyId: 'OCS', roles: ['CPO'], name: 'Docs CPO' });
    await addPartner(server.store, { countryCode: 'NL', partyId: 'EMS', format: 'ocpi', token: tokens.ocpi });
    await addPartner(server.store, {
      countryCode: 'DE',
      partyId: 'EMP',
      format: 'camel',
      token: tokens.camel,
    });
    const r = await getJson(`${server.url}/openapi.json`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    doc = r.body;
    validator = new DocumentValidator(doc);
  });
  after(() => server.close());

  it('passes the OpenAPI 3.1 validator (swagger-parser)', async () => {
    assert.equal(doc.openapi, '3.1.0');
    await SwaggerParser.validate(structuredClone(doc));
  });

  it('is served without a token, at /openapi.json and to the docs page at /docs/json', async () => {
    const page = await getJson(`${server.url}/docs/json`);
    assert.equal(page.status, 200);
    assert.deepEqual(page.body, doc);
    const html = await fetch(`${server.url}/docs`);
    assert.equal(html.status, 200);
    assert.match(await html.text(), /swagger-ui/);
  });

  it('documents every registered route, and nothing else (docs and console pages hidden)', () => {
    // The console's pages (index.html and its assets) are web pages like /docs; its API (/console/api/) is documented.
    const consolePage = (p: string) =>
      (p === '/console' || p.startsWith('/console/')) && !p.startsWith('/console/api/');
    const routes = registeredRoutes(server.app).filter(
      (r) => !r.path.startsWith('/docs') && r.path !== '/openapi.json' && !consolePage(r.path),
    );
    assert.ok(routes.length >= 3, JSON.stringify(routes));
    for (const { method, path } of routes) {
      const item = doc.paths[openApiPath(path)];
      assert.ok(item?.[method.toLowerCase()], `${method} ${path} is not in the document`);
    }
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item as object).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const real = new Set(routes.map((r) => `${r.method} ${openApiPath(r.path)}`));
    assert.deepEqual(
      documented.filter((d) => !real.has(d)),
      [],
    );
    assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/docs') || p === '/openapi.json'));
  });

  it('gives every /ocpi operation the token security scheme and the standard error statuses', () => {
    const scheme = doc.components.securitySchemes.ocpiToken;
    assert.deepEqual(
      { type: scheme.type, in: scheme.in, name: scheme.name },
      { type: 'apiKey', in: 'header', name: 'Authorization' },
    );
    assert.match(scheme.description, /Token <base64\(token\)>/);
    assert.match(scheme.description, /raw token/);
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      if (!path.startsWith('/ocpi/')) continue;
      for (const [method, op] of Object.entries<any>(item)) {
        assert.deepEqual(op.security, [{ ocpiToken: [] }], `${method} ${path}`);
        for (const status of ['401', '404', '405', '503']) {
          assert.ok(op.responses[status], `${method} ${path} documents ${status}`);
        }
        assert.equal(
          op.responses['401'].content['application/json'].schema.$ref,
          '#/components/schemas/OcpiError2000',
        );
      }
    }
    assert.deepEqual(doc.paths['/health'].get.security, [], 'no token: an explicitly empty requirement');
    // Operations: health checks public, /metrics behind the operator token (never a partner token's scheme).
    for (const path of ['/health', '/health/live', '/health/ready', '/metrics'])
      assert.deepEqual(doc.paths[path].get.tags, ['operations'], path);
    assert.deepEqual(doc.paths['/health/live'].get.security, []);
    assert.deepEqual(doc.paths['/health/ready'].get.security, []);
    assert.deepEqual(doc.paths['/metrics'].get.security, [{ operatorToken: [] }]);
    assert.equal(doc.components.securitySchemes.operatorToken.scheme, 'bearer');
    assert.deepEqual(Object.keys(doc.paths['/metrics'].get.responses['200'].content), [
      'text/plain; version=0.0.4; charset=utf-8',
    ]);
    // The error envelope schemas say which OCPI status_code goes with which HTTP status.
    const sender = doc.paths[SENDER('2.2.1')].get.responses;
    assert.deepEqual(doc.components.schemas.OcpiError2001.properties.status_code.enum, [2001]);
    assert.deepEqual(sender['400'].content['application/json'].schema.oneOf, [
      { $ref: '#/components/schemas/OcpiError2001' },
      { $ref: '#/components/schemas/CamelError2001' },
    ]);
    assert.deepEqual(doc.components.schemas.OcpiError3000.properties.status_code.enum, [3000]);
    assert.deepEqual(doc.components.schemas.CamelError2000.required, [
      'statusCode',
      'statusMessage',
      'timestamp',
    ]);
  });

  it('marks who each operation is for and groups the tags: partner API first, operator and CPO back end apart', () => {
    const audience: Record<string, string> = {};
    for (const [path, item] of Object.entries<any>(doc.paths))
      for (const [method, op] of Object.entries<any>(item))
        audience[`${method.toUpperCase()} ${path}`] = op['x-audience'];
    for (const [op, who] of Object.entries(audience)) {
      const path = op.split(' ')[1]!;
      const expected = path.startsWith('/ocpi/')
        ? 'partner'
        : path.startsWith('/ingest/')
          ? 'cpo-back-end'
          : 'operator';
      assert.equal(who, expected, op);
    }
    assert.equal(audience['GET /metrics'], 'operator');
    assert.equal(audience['GET /health/live'], 'operator');
    const groups = doc['x-tagGroups'] as { name: string; tags: string[] }[];
    assert.deepEqual(
      groups.map((g) => g.name),
      ['Partner API (OCPI)', 'Not for partners: CPO back end and operator'],
    );
    assert.deepEqual(groups[1]!.tags, ['ingest (CPO back end)', 'Console', 'operations']);
    // The console's API (enabled here): operator endpoints under the Console tag, its own bearer scheme.
    const consoleOps = Object.keys(audience).filter((op) => op.split(' ')[1]!.startsWith('/console/api/'));
    assert.equal(consoleOps.length, 9, consoleOps.join(', '));
    for (const op of consoleOps) {
      const [method, path] = op.split(' ') as [string, string];
      const o = doc.paths[path][method.toLowerCase()];
      assert.deepEqual(o.tags, ['Console'], op);
      assert.deepEqual(o.security, [{ consoleToken: [] }], op);
      assert.ok(o.responses['401'] && o.responses['200'], op);
    }
    assert.ok(groups[0]!.tags.includes('sessions (CPO sender)') && !groups[0]!.tags.includes('operations'));
    assert.deepEqual(
      [...groups[0]!.tags, ...groups[1]!.tags].sort(),
      doc.tags.map((t: { name: string }) => t.name).sort(),
      'every tag in one group',
    );
  });

  it('names this server in servers: the listening address without --public-url', () => {
    assert.deepEqual(
      doc.servers.map((s: { url: string }) => s.url),
      [server.url.replace(/\/+$/, '')],
    );
  });

  it('documents date_from and date_to as date-time', () => {
    for (const v of ['2.1.1', '2.2.1']) {
      const params = doc.paths[SENDER(v)].get.parameters;
      for (const name of ['date_from', 'date_to'])
        assert.deepEqual(params.find((p: any) => p.name === name).schema, {
          type: 'string',
          format: 'date-time',
        });
    }
  });

  it('documents the page parameters with the spec wording, defaults and caps, and the pagination headers', () => {
    for (const v of ['2.1.1', '2.2.1']) {
      const op = doc.paths[SENDER(v)].get;
      const param = (name: string) => op.parameters.find((p: any) => p.name === name && p.in === 'query');
      assert.match(param('date_from').description, /after or equal to .*\(inclusive\)/);
      assert.match(param('date_to').description, /not including \(exclusive\)/);
      assert.equal(param('offset').schema.default, 0);
      assert.match(param('offset').description, /Default is 0/);
      assert.equal(param('limit').schema.default, 3);
      assert.match(param('limit').description, /default 3, at most 50/);
      assert.deepEqual(Object.keys(op.responses['200'].headers).slice(0, 3), [
        'X-Total-Count',
        'X-Limit',
        'Link',
      ]);
      const body = op.responses['200'].content['application/json'];
      const tag = v.replace(/\./g, '');
      assert.deepEqual(body.schema.oneOf, [
        { $ref: `#/components/schemas/OcpiSessionsPage${tag}` },
        { $ref: `#/components/schemas/CamelSessionsPage${tag}` },
      ]);
      assert.match(op.responses['200'].description, /format configured for the calling partner decides/);
      assert.deepEqual(Object.keys(body.examples), [`OcpiSessionsPage${tag}`, `CamelSessionsPage${tag}`]);
    }
  });

  it('renders string enums as plain JSON Schema and lists the integer enums of the camel format with names', () => {
    const text = JSON.stringify(doc);
    assert.doesNotMatch(text, /OcpiStringEnum/);
    const status = doc.components.schemas.OcpiSession221.properties.status;
    assert.equal(status.type, 'string');
    assert.ok(status.enum.includes('COMPLETED'));
    const tables = camelEnumTables('A');
    const camel = doc.components.schemas.CamelSession211.properties;
    assert.deepEqual(camel.status['x-enum-varnames'], tables.SessionStatus);
    assert.deepEqual(
      camel.status.enum,
      tables.SessionStatus.map((_s, i) => i),
    );
    assert.deepEqual(camel.authMethod['x-enum-varnames'], tables.AuthMethod);
    assert.match(camel.authMethod.description, /^0 = AUTH_REQUEST, 1 = COMMAND/);
  });

  it('has examples that are real demo renders, and every example fits its schema', () => {
    const examples = documentExamples(doc);
    assert.ok(examples.length >= 30, `only ${examples.length} examples`);
    for (const ex of examples) {
      const problem = validator.check(ex.schema, ex.value);
      assert.equal(problem, undefined, `${ex.where}: ${problem}`);
    }
    const page = doc.components.schemas.OcpiSessionsPage221.examples[0];
    assert.equal(page.status_code, 1000);
    assert.equal(page.data.length, 1);
    assert.equal(page.data[0].cdr_token.party_id, 'EMS');
    assert.deepEqual(doc.components.schemas.OcpiSession221.examples[0], page.data[0]);
  });

  describe('matches the real answers', () => {
    const check = (path: string, method: string, status: number, body: unknown) => {
      const problem = validator.check(responseSchema(doc, path, method, status), body);
      assert.equal(
        problem,
        undefined,
        `${method} ${path} ${status}: ${problem}\n${JSON.stringify(body).slice(0, 500)}`,
      );
    };
    const checkHeaders = (path: string, status: number, headers: Headers, expectLink: boolean) => {
      const documented = responseHeaders(doc, path, 'GET', status);
      for (const [name, spec] of Object.entries<any>(documented)) {
        const raw = headers.get(name);
        if (name === 'Link' && !expectLink) {
          assert.equal(raw, null);
          continue;
        }
        assert.notEqual(raw, null, `${name} missing`);
        const value = spec.schema.type === 'integer' ? Number(raw) : raw;
        assert.equal(validator.check(spec.schema, value), undefined, `${name}: ${raw}`);
      }
    };

    it(`GET ${SENDER('2.3.0')} for a camel partner: the documented 404 + 2001 (no camel 2.3.0)`, async () => {
      const r = await getJson(`${server.url}${SENDER('2.3.0')}?limit=2`, tokenHeader(tokens.camel));
      assert.equal(r.status, 404);
      assert.equal(r.body.statusCode, 2001);
      assert.ok(Object.keys(doc.paths[SENDER('2.3.0')].get.responses).includes('404'));
      check(SENDER('2.3.0'), 'GET', 404, r.body);
    });

    for (const v of ['2.1.1', '2.2.1', '2.3.0']) {
      for (const style of ['ocpi', 'camel'] as const) {
        if (v === '2.3.0' && style === 'camel') continue; // above
        it(`GET ${SENDER(v)} for a ${style} partner, with its pagination headers`, async () => {
          const r = await getJson(`${server.url}${SENDER(v)}?limit=2`, tokenHeader(tokens[style]));
          assert.equal(r.status, 200);
          assert.equal(r.body.data.length, 2);
          check(SENDER(v), 'GET', 200, r.body);
          checkHeaders(SENDER(v), 200, r.headers, true);
          // Exactly one branch of the oneOf: the partner's format decides.
          const tag = v.replace(/\./g, '');
          const ocpi = validator.check({ $ref: `#/components/schemas/OcpiSessionsPage${tag}` }, r.body);
          if (v === '2.3.0') assert.equal(ocpi, undefined, 'the 2.3.0 page documents the ocpi format only');
          else {
            const camel = validator.check({ $ref: `#/components/schemas/CamelSessionsPage${tag}` }, r.body);
            assert.deepEqual(
              [ocpi === undefined, camel === undefined],
              [style === 'ocpi', style === 'camel'],
            );
          }
          const last = await getJson(`${server.url}${SENDER(v)}?offset=1000`, tokenHeader(tokens[style]));
          check(SENDER(v), 'GET', 200, last.body);
          checkHeaders(SENDER(v), 200, last.headers, false);
        });
      }
    }

    it('documents and sends the OCPI 2.2.1 transport headers: trace ids everywhere, routing on 2.2.1 modules', async () => {
      const op = (path: string) => doc.paths[path].get;
      const names = (path: string) =>
        (op(path).parameters ?? []).filter((p: any) => p.in === 'header').map((p: any) => p.name);
      assert.ok(names(SENDER('2.2.1')).includes('OCPI-from-country-code'));
      assert.ok(names(SENDER('2.2.1')).includes('X-Request-ID'));
      assert.ok(!names(SENDER('2.1.1')).includes('OCPI-from-country-code'), '2.1.1 has no routing headers');
      assert.ok(names('/ocpi/versions').includes('X-Correlation-ID'));
      assert.ok('OCPI-to-party-id' in responseHeaders(doc, SENDER('2.2.1'), 'GET', 200));
      assert.ok('X-Request-ID' in responseHeaders(doc, SENDER('2.2.1'), 'GET', 401));
      const r = await getJson(`${server.url}${SENDER('2.2.1')}?limit=1`, {
        ...tokenHeader(tokens.ocpi),
        'x-request-id': 'req-42',
        'x-correlation-id': 'corr-7',
      });
      assert.equal(r.headers.get('x-request-id'), 'req-42');
      assert.equal(r.headers.get('x-correlation-id'), 'corr-7');
      checkHeaders(SENDER('2.2.1'), 200, r.headers, true);
      assert.deepEqual(
        ['ocpi-from-country-code', 'ocpi-from-party-id', 'ocpi-to-country-code', 'ocpi-to-party-id'].map(
          (h) => r.headers.get(h),
        ),
        ['NL', 'OCS', 'NL', 'EMS'],
      );
      const denied = await getJson(`${server.url}${SENDER('2.2.1')}`);
      assert.equal(denied.status, 401);
      assert.ok(denied.headers.get('x-request-id'), 'errors carry trace ids too');
    });

    it('GET /health, /health/live, /health/ready (with the version of package.json)', async () => {
      const r = await getJson(`${server.url}/health`);
      assert.equal(r.status, 200);
      check('/health', 'GET', 200, r.body);
      assert.equal(r.body.data.version, packageVersion());
      const live = await getJson(`${server.url}/health/live`);
      assert.equal(live.status, 200);
      check('/health/live', 'GET', 200, live.body);
      assert.deepEqual(live.body.data, { status: 'up', version: packageVersion() });
      const ready = await getJson(`${server.url}/health/ready`);
      assert.equal(ready.status, 200);
      check('/health/ready', 'GET', 200, ready.body);
    });

    it('error envelopes: 400 (both styles), 401, 404, 405, and the examples are what the server sends', async () => {
      const path = SENDER('2.2.1');
      const withoutTime = (b: any) => ({ ...b, timestamp: undefined });
      const examples = (status: number) =>
        doc.paths[path].get.responses[String(status)].content['application/json'].examples;

      const bad = await getJson(`${server.url}${path}?offset=-1`, tokenHeader(tokens.ocpi));
      assert.equal(bad.status, 400);
      check(path, 'GET', 400, bad.body);
      assert.deepEqual(withoutTime(bad.body), withoutTime(examples(400).ocpi.value));
      const badCamel = await getJson(`${server.url}${path}?offset=-1`, tokenHeader(tokens.camel));
      check(path, 'GET', 400, badCamel.body);
      assert.deepEqual(withoutTime(badCamel.body), withoutTime(examples(400).camel.value));

      const anonymous = await getJson(`${server.url}${path}`);
      assert.equal(anonymous.status, 401);
      check(path, 'GET', 401, anonymous.body);
      assert.deepEqual(withoutTime(anonymous.body), withoutTime(examples(401).ocpi.value));
      assert.equal(anonymous.headers.get('www-authenticate'), 'Token');

      const missing = await getJson(`${server.url}/ocpi/cpo/2.2.1/nothing`, tokenHeader(tokens.camel));
      assert.equal(missing.status, 404);
      check(path, 'GET', 404, missing.body);
      const unknown = await getJson(`${server.url}/ocpi/cpo/2.2.1/nothing`, tokenHeader(tokens.ocpi));
      assert.deepEqual(withoutTime(unknown.body), withoutTime(examples(404).ocpi.value));

      const wrong = await getJson(`${server.url}${path}`, tokenHeader(tokens.ocpi), 'DELETE');
      assert.equal(wrong.status, 405);
      check(path, 'GET', 405, wrong.body);
      assert.deepEqual(withoutTime(wrong.body), withoutTime(examples(405).ocpi.value));
    });

    it('the other OCPI endpoints: real answers fit the documented status and schema', async () => {
      const calls: Array<[method: string, template: string, url: string, token?: string]> = [
        ['GET', '/ocpi/versions', '/ocpi/versions', tokens.ocpi],
        ['GET', '/ocpi/2.2.1', '/ocpi/2.2.1', tokens.camel],
        ['GET', '/ocpi/2.1.1/credentials', '/ocpi/2.1.1/credentials', tokens.ocpi],
        ['GET', '/ocpi/2.3.0', '/ocpi/2.3.0', tokens.ocpi],
        ['GET', '/ocpi/2.3.0/credentials', '/ocpi/2.3.0/credentials', tokens.ocpi],
        [
          'GET',
          '/ocpi/emsp/2.3.0/sessions/{country_code}/{party_id}/{session_id}',
          '/ocpi/emsp/2.3.0/sessions/NL/EMS/no-such-session',
          tokens.ocpi,
        ],
        [
          'PUT',
          '/ingest/2.3.0/sessions/{country_code}/{party_id}/{session_id}',
          '/ingest/2.3.0/sessions/NL/OCS/s1',
        ],
        [
          'GET',
          '/ocpi/emsp/2.2.1/sessions/{country_code}/{party_id}/{session_id}',
          '/ocpi/emsp/2.2.1/sessions/NL/OCS/no-such-session',
          tokens.ocpi,
        ],
        [
          'PUT',
          '/ocpi/cpo/2.2.1/sessions/{session_id}/charging_preferences',
          '/ocpi/cpo/2.2.1/sessions/no-such-session/charging_preferences',
          tokens.camel,
        ],
        [
          'PUT',
          '/ingest/2.2.1/sessions/{country_code}/{party_id}/{session_id}',
          '/ingest/2.2.1/sessions/NL/OCS/s1',
        ],
      ];
      for (const [method, template, url, token] of calls) {
        if (!doc.paths[template]?.[method.toLowerCase()]) continue; // a route another change removed
        const res = await fetch(`${server.url}${url}`, {
          method,
          headers: { ...(token ? tokenHeader(token) : {}), 'content-type': 'application/json' },
          ...(method === 'PUT' ? { body: '{}' } : {}),
        });
        const body = JSON.parse(await res.text());
        const documented = Object.keys(doc.paths[template][method.toLowerCase()].responses);
        assert.ok(
          documented.includes(String(res.status)),
          `${method} ${url}: ${res.status} is not documented`,
        );
        check(template, method, res.status, body);
      }
    });

    it('503 when the store fails: the sender error envelope and the health body', async () => {
      const failing = new Proxy(server.store, {
        get(target, prop, receiver) {
          if (prop === 'ping' || prop === 'listSessions')
            return async () => Promise.reject(new Error('store down'));
          if (prop === 'close') return async () => undefined; // the real store is closed by the main server
          const value = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }) as SessionStore;
      const down = await startTestServer({}, failing);
      try {
        const health = await getJson(`${down.url}/health`);
        assert.equal(health.status, 503);
        check('/health', 'GET', 503, health.body);
        const ready = await getJson(`${down.url}/health/ready`);
        assert.deepEqual([ready.status, ready.body.status_code], [503, 3000]);
        check('/health/ready', 'GET', 503, ready.body);
        // Liveness does not ask the store: a store outage is no reason to restart the process.
        const live = await getJson(`${down.url}/health/live`);
        assert.equal(live.status, 200);
        check('/health/live', 'GET', 200, live.body);
        const r = await getJson(`${down.url}${SENDER('2.2.1')}`, tokenHeader(tokens.camel));
        assert.equal(r.status, 503);
        check(SENDER('2.2.1'), 'GET', 503, r.body);
      } finally {
        await down.close();
      }
    });

    it('the docs plugin changes no byte of a response (bodies are sent pre-serialized)', async () => {
      const plain = await buildServer(server.store, { defaultLimit: 3, maxLimit: 50, docs: false });
      const url = await plain.listen({ port: 0, host: '127.0.0.1' });
      try {
        assert.equal((await getJson(`${url}/openapi.json`)).status, 404);
        for (const [query, token] of [
          ['?limit=4', tokens.ocpi],
          ['?limit=4&offset=2', tokens.camel],
          ['?offset=-1', tokens.camel],
        ] as const) {
          const a = await getJson(`${server.url}${SENDER('2.1.1')}${query}`, tokenHeader(token));
          const b = await getJson(`${url}${SENDER('2.1.1')}${query}`, tokenHeader(token));
          const stamp = (t: string) => t.replace(/"timestamp":"[^"]+"/, '"timestamp":"T"');
          assert.equal(stamp(a.text), stamp(b.text));
          assert.equal(a.headers.get('content-type'), b.headers.get('content-type'));
          assert.equal(a.headers.get('x-total-count'), b.headers.get('x-total-count'));
        }
      } finally {
        await plain.close();
      }
    });
  });
});

describe('OpenAPI generation for routes added later', () => {
  it('documents a new /ocpi route with its schemas, the token and the standard errors, without hand edits', async () => {
    const app = Fastify();
    await registerDocs(app, { defaultLimit: 10, maxLimit: 20 }, { tags: [], examples: [sessionExamples] });
    // What a route declares (its access, as auth.ts requires) decides its security scheme and routing headers.
    const config = { access: 'partner', ocpiVersion: '2.2.1' } as const;
    app.get(
      '/ocpi/emsp/2.2.1/things/:thing_id',
      {
        config,
        schema: {
          summary: 'A later route',
          tags: ['later'],
          params: { type: 'object', properties: { thing_id: { type: 'string' } } },
        },
      },
      async () => 'x',
    );
    app.put('/ocpi/emsp/2.2.1/plain', { config }, async () => 'x');
    app.put(
      '/ocpi/emsp/2.2.1/parsed-by-the-handler',
      { config, schema: { tags: ['later'], documentedBody: Session221Schema } },
      async () => 'x',
    );
    await app.ready();
    try {
      const later = app.swagger() as any;
      await SwaggerParser.validate(structuredClone(later));
      const get = later.paths['/ocpi/emsp/2.2.1/things/{thing_id}'].get;
      assert.equal(get.summary, 'A later route');
      assert.deepEqual(get.security, [{ ocpiToken: [] }]);
      assert.deepEqual(Object.keys(get.responses).sort(), ['200', '400', '401', '404', '405', '503']);
      assert.deepEqual(get.responses['404'].content['application/json'].schema.oneOf, [
        { $ref: '#/components/schemas/OcpiError2000_2001' },
        { $ref: '#/components/schemas/CamelError2000_2001' },
      ]);
      // Without a declared response: any OCPI envelope, in either style.
      const put = later.paths['/ocpi/emsp/2.2.1/plain'].put;
      assert.deepEqual(Object.keys(put.responses).sort(), ['200', '401', '404', '405', '503']);
      assert.deepEqual(put.responses['200'].content['application/json'].schema.oneOf, [
        { $ref: '#/components/schemas/OcpiResponse' },
        { $ref: '#/components/schemas/CamelResponse' },
      ]);
      // A body the handler parses itself (no Fastify validation) is documented, with the demo example.
      const parsed = later.paths['/ocpi/emsp/2.2.1/parsed-by-the-handler'].put;
      const media = parsed.requestBody.content['application/json'];
      assert.deepEqual(media.schema, { $ref: '#/components/schemas/OcpiSession221' });
      assert.equal(media.examples.OcpiSession221.value.cdr_token.party_id, 'EMS');
      assert.ok(parsed.responses['413'] && parsed.responses['415']);
      assert.equal(parsed['documentedBody'], undefined);
      const r = await app.inject({
        method: 'PUT',
        url: '/ocpi/emsp/2.2.1/parsed-by-the-handler',
        payload: { a: 1 },
      });
      assert.equal(r.statusCode, 200, 'not validated by Fastify');
    } finally {
      await app.close();
    }
  });
});

describe('OpenAPI servers with --public-url', () => {
  it('names the public URL, not the listening address', async () => {
    const server = await startTestServer({ publicUrl: 'https://ocpi.example.com/' });
    try {
      const doc = (await getJson(`${server.url}/openapi.json`)).body as { servers: { url: string }[] };
      assert.deepEqual(
        doc.servers.map((s) => s.url),
        ['https://ocpi.example.com'],
      );
    } finally {
      await server.close();
    }
  });
});
