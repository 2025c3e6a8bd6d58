// The CPO Sessions sender over real HTTP on loopback: auth, parameters, pagination headers, bodies per format.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Session } from '../../src/domain/session.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { addPartner } from '../../src/service/partners.js';
import { writeSessions } from '../../src/modules/sessions/service/writer.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { sessionsUrl, startTestServer, tokenHeader, type TestServer } from '../support/server.js';
import { getJson, walkLinks } from '../support/http.js';

const NOW = Date.UTC(2025, 5, 1);
const EMSPS = [
  { countryCode: 'NL', partyId: 'EMS' },
  { countryCode: 'DE', partyId: 'EMP' },
  { countryCode: 'FR', partyId: 'MSP' },
];
const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

describe('CPO sessions sender', () => {
  let server: TestServer;
  let sessions: Session[];
  const tokens: Record<string, string> = {};

  before(async () => {
    server = await startTestServer({ defaultLimit: 25, maxLimit: 50 });
    sessions = [
      ...generateDemoSessions({
        count: 300,
        seed: 7,
        emsps: EMSPS,
        cpo: { countryCode: 'NL', partyId: 'OCS' },
        now: NOW,
      }),
    ];
    await writeSessions(server.store, sessions, { mode: 'replace' });
    tokens.ocpi = (
      await addPartner(server.store, {
        countryCode: 'NL',
        partyId: 'EMS',
        format: 'ocpi',
        token: 'nl-ems-token',
      })
    ).token;
    tokens.camel = (
      await addPartner(server.store, { countryCode: 'DE', partyId: 'EMP', format: 'camel' })
    ).token;
    tokens.empty = (
      await addPartner(server.store, { countryCode: 'BE', partyId: 'NON', format: 'ocpi' })
    ).token;
  });
  after(() => server.close());

  const mine = (cc: string, pid: string) =>
    sessions.filter((s) => s.cdrToken.countryCode === cc && s.cdrToken.partyId === pid);

  describe('authorization', () => {
    for (const [name, headers] of [
      ['missing header', {}],
      ['unknown token', tokenHeader('nope')],
      ['wrong scheme', { authorization: 'Bearer nl-ems-token' }],
      ['empty token', { authorization: 'Token ' }],
    ] as const) {
      it(`answers HTTP 401 with an OCPI envelope for a ${name}`, async () => {
        const r = await getJson(`${server.url}/ocpi/cpo/2.2.1/sessions`, headers);
        assert.equal(r.status, 401);
        assert.equal(r.body.status_code, 2000);
        assert.equal(typeof r.body.status_message, 'string');
        assert.match(r.body.timestamp, ISO_Z);
        assert.equal(r.body.data, undefined);
        assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      });
    }
    it('accepts the token Base64-encoded (2.2.1), raw (2.1.1 peers) and Base64 with a trailing newline', async () => {
      for (const h of [
        tokenHeader('nl-ems-token', 'base64'),
        tokenHeader('nl-ems-token', 'raw'),
        { authorization: `Token ${Buffer.from('nl-ems-token\n').toString('base64')}` },
      ]) {
        const r = await getJson(`${server.url}/ocpi/cpo/2.1.1/sessions?limit=1`, h);
        assert.equal(r.status, 200);
        assert.equal(r.body.status_code, 1000);
      }
    });
  });

  describe('parameters', () => {
    const bad: Array<[string, string]> = [
      ['date_from=yesterday', 'date_from'],
      ['date_from=2025-02-30T00:00:00Z', 'date_from'],
      ['date_to=2025-01-01', 'date_to'],
      ['offset=-1', 'offset'],
      ['offset=1.5', 'offset'],
      ['offset=abc', 'offset'],
      ['limit=-5', 'limit'],
      ['limit=2.5', 'limit'],
      ['limit=ten', 'limit'],
      ['limit=1&limit=2', 'limit'],
    ];
    for (const [query, param] of bad) {
      it(`rejects ${query} with HTTP 400, status_code 2001 and a message naming ${param}`, async () => {
        const r = await getJson(`${server.url}/ocpi/cpo/2.2.1/sessions?${query}`, tokenHeader(tokens.ocpi!));
        assert.equal(r.status, 400);
        assert.equal(r.body.status_code, 2001);
        assert.match(r.body.status_message, new RegExp(`'${param}'`));
        assert.doesNotMatch(r.text, /at .*\.js:\d+/); // no stack trace
      });
    }
    it('uses the camel envelope for errors of a camel partner', async () => {
      const r = await getJson(`${server.url}/ocpi/cpo/2.1.1/sessions?offset=-1`, tokenHeader(tokens.camel!));
      assert.equal(r.status, 400);
      assert.equal(r.body.statusCode, 2001);
      assert.match(r.body.statusMessage, /'offset'/);
    });
    it('accepts DateTimes without Z, with fractions and with an explicit +00:00 offset', async () => {
      for (const v of [
        '2025-03-01T00:00:00',
        '2025-03-01T00:00:00.000Z',
        '2025-03-01T00:00:00%2B00:00',
        '2025-03-01T00:00:00+00:00',
      ]) {
        const r = await getJson(
          `${server.url}/ocpi/cpo/2.2.1/sessions?date_from=${v}`,
          tokenHeader(tokens.ocpi!),
        );
        assert.equal(r.status, 200, v);
        const expected = mine('NL', 'EMS').filter((s) => s.lastUpdated >= Date.UTC(2025, 2, 1)).length;
        assert.equal(r.headers.get('x-total-count'), String(expected));
      }
    });
  });

  it('answers 404 and 405 with envelopes', async () => {
    const a = await getJson(`${server.url}/ocpi/cpo/2.2.1/nothing`, tokenHeader(tokens.ocpi!));
    assert.equal(a.status, 404);
    assert.equal(a.body.status_code, 2000);
    const b = await getJson(`${server.url}/ocpi/cpo/2.2.1/sessions`, tokenHeader(tokens.ocpi!), 'DELETE');
    assert.equal(b.status, 405);
    assert.equal(b.body.status_code, 2000);
    assert.match(b.headers.get('allow') ?? '', /GET/);
  });

  it('serves OCPI 2.2.1: headers, envelope and every session of the caller, parsed back equal', async () => {
    const expected = mine('NL', 'EMS');
    const r = await getJson(
      `${server.url}/ocpi/cpo/2.2.1/sessions?offset=0&limit=10`,
      tokenHeader(tokens.ocpi!),
    );
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-total-count'), String(expected.length));
    assert.equal(r.headers.get('x-limit'), '10');
    assert.equal(
      r.headers.get('link'),
      `<${server.url}/ocpi/cpo/2.2.1/sessions?offset=10&limit=10>; rel="next"`,
    );
    assert.deepEqual(Object.keys(r.body), ['data', 'status_code', 'status_message', 'timestamp']);
    assert.equal(r.body.status_code, 1000);
    assert.match(r.body.timestamp, ISO_Z);
    const codec = codecFor('ocpi-2.2.1');
    assert.deepEqual(
      r.body.data,
      expected.slice(0, 10).map((s) => JSON.parse(codec.render(s))),
    );
    for (const item of r.body.data) {
      assert.equal(item.cdr_token.party_id, 'EMS');
      assert.match(item.last_updated, ISO_Z);
      const back = codec.parse(item, { cpo: { countryCode: 'NL', partyId: 'OCS' } });
      assert.ok(back.ok, JSON.stringify(back));
    }
  });

  it('serves OCPI 2.1.1 with the full location holding only the session EVSE and connector', async () => {
    const expected = mine('NL', 'EMS');
    const r = await getJson(`${server.url}/ocpi/cpo/2.1.1/sessions?limit=5`, tokenHeader(tokens.ocpi!));
    assert.equal(r.status, 200);
    const codec = codecFor('ocpi-2.1.1');
    assert.deepEqual(
      r.body.data,
      expected.slice(0, 5).map((s) => JSON.parse(codec.render(s))),
    );
    for (const [i, item] of r.body.data.entries()) {
      assert.equal(item.id, expected[i]!.id);
      assert.equal(item.location.evses.length, 1);
      assert.equal(item.location.evses[0].connectors.length, 1);
      assert.match(item.location.country, /^[A-Z]{3}$/);
      assert.equal(typeof item.total_cost === 'number' || item.total_cost === undefined, true);
    }
  });

  it('serves the documented camelCase / integer format to a camel partner on the same URL', async () => {
    const expected = mine('DE', 'EMP');
    const r = await getJson(`${server.url}/ocpi/cpo/2.1.1/sessions?limit=3`, tokenHeader(tokens.camel!));
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body), ['data', 'statusCode', 'statusMessage', 'timestamp']);
    assert.equal(r.body.statusCode, 1000);
    assert.equal(r.headers.get('x-total-count'), String(expected.length));
    const codec = codecFor('camel-2.1.1');
    assert.deepEqual(
      r.body.data,
      expected.slice(0, 3).map((s) => JSON.parse(codec.render(s))),
    );
    const first = r.body.data[0];
    assert.deepEqual(
      Object.keys(first).slice(0, 6),
      ['id', 'startDatetime', 'endDatetime', 'kwh', 'authId', 'authMethod']
        .filter((k) => k in first)
        .slice(0, 6),
    );
    assert.equal(typeof first.authMethod, 'number');
    assert.equal(typeof first.status, 'number');
    assert.equal(typeof first.location.type, 'number');
    assert.equal(typeof first.location.evses[0].connectors[0].standard, 'number');
    const r221 = await getJson(`${server.url}/ocpi/cpo/2.2.1/sessions?limit=3`, tokenHeader(tokens.camel!));
    assert.deepEqual(
      r221.body.data,
      expected.slice(0, 3).map((s) => JSON.parse(codecFor('camel-2.2.1').render(s))),
    );
    assert.equal(r221.body.data[0].cdrToken.partyId, 'EMP');
  });

  it('caps limit to the configured maximum and says so in X-Limit and Link', async () => {
    const r = await getJson(
      `${server.url}/ocpi/cpo/2.2.1/sessions?limit=1000&date_from=2020-01-01T00:00:00Z`,
      tokenHeader(tokens.ocpi!),
    );
    assert.equal(r.body.data.length, 50);
    assert.equal(r.headers.get('x-limit'), '50');
    assert.equal(
      r.headers.get('link'),
      `<${server.url}/ocpi/cpo/2.2.1/sessions?date_from=2020-01-01T00%3A00%3A00Z&offset=50&limit=50>; rel="next"`,
    );
  });

  it('omits Link on the last page and returns an empty page past the end', async () => {
    const total = mine('NL', 'EMS').length;
    const last = await getJson(
      `${server.url}/ocpi/cpo/2.2.1/sessions?offset=${total - 2}&limit=10`,
      tokenHeader(tokens.ocpi!),
    );
    assert.equal(last.body.data.length, 2);
    assert.equal(last.headers.get('link'), null);
    const past = await getJson(
      `${server.url}/ocpi/cpo/2.2.1/sessions?offset=${total + 5}`,
      tokenHeader(tokens.ocpi!),
    );
    assert.deepEqual(past.body.data, []);
    assert.equal(past.headers.get('x-total-count'), String(total));
    assert.equal(past.headers.get('link'), null);
  });

  it('shows a partner with no sessions nothing and counts nothing of others', async () => {
    const r = await getJson(`${server.url}/ocpi/cpo/2.2.1/sessions`, tokenHeader(tokens.empty!));
    assert.deepEqual(r.body.data, []);
    assert.equal(r.headers.get('x-total-count'), '0');
  });

  it('builds Link from --public-url when configured', async () => {
    const other = await startTestServer({ publicUrl: 'https://ocpi.example.com/base/' }, undefined);
    try {
      await writeSessions(other.store, mine('NL', 'EMS').slice(0, 3), { mode: 'replace' });
      const { token } = await addPartner(other.store, { countryCode: 'NL', partyId: 'EMS' });
      const r = await getJson(
        `${other.url}/ocpi/cpo/2.2.1/sessions?limit=1&date_to=2030-01-01T00:00:00Z&custom=a b`,
        tokenHeader(token),
      );
      assert.equal(
        r.headers.get('link'),
        '<https://ocpi.example.com/base/ocpi/cpo/2.2.1/sessions?date_to=2030-01-01T00%3A00%3A00Z&custom=a+b&offset=1&limit=1>; rel="next"',
      );
    } finally {
      await other.close();
    }
  });

  it('walking the Link chain yields exactly the filtered sessions of the caller, each once (property)', async () => {
    const owned = mine('NL', 'EMS');
    const times = sessions.map((s) => s.lastUpdated);
    const lo = Math.min(...times) - 1000;
    const hi = Math.max(...times) + 1000;
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.integer({ min: lo, max: hi }), { nil: undefined }),
        fc.option(fc.integer({ min: lo, max: hi }), { nil: undefined }),
        fc.integer({ min: 1, max: 60 }),
        fc.constantFrom('2.1.1', '2.2.1'),
        async (from, to, limit, version) => {
          const url = sessionsUrl(server.url, version, from, to, limit);
          const pages = await walkLinks(url, tokenHeader(tokens.ocpi!), 400);
          for (const r of pages) {
            assert.equal(r.status, 200);
            assert.ok(r.body.data.length <= Math.min(limit, 50));
          }
          const seen = pages.flatMap((r) => r.body.data.map((d: { id: string }) => d.id));
          const expected = owned
            .filter(
              (s) =>
                (from === undefined || s.lastUpdated >= from) && (to === undefined || s.lastUpdated < to),
            )
            .map((s) => s.id);
          assert.deepEqual(seen, expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('returns the same objects in the same order for the same URL', async () => {
    const url = `${server.url}/ocpi/cpo/2.2.1/sessions?offset=7&limit=9`;
    const a = await getJson(url, tokenHeader(tokens.ocpi!));
    const b = await getJson(url, tokenHeader(tokens.ocpi!));
    assert.deepEqual(a.body.data, b.body.data);
  });

  it('serves concurrent pages intact while response memory is reused, also around aborted requests', async () => {
    const urls: Array<[string, string]> = [];
    for (let i = 0; i < 40; i++) {
      const q = `offset=${(i * 7) % 120}&limit=${1 + ((i * 13) % 50)}`;
      urls.push([`${server.url}/ocpi/cpo/2.2.1/sessions?${q}`, tokens.ocpi!]);
      urls.push([`${server.url}/ocpi/cpo/2.1.1/sessions?${q}`, tokens.ocpi!]);
      urls.push([`${server.url}/ocpi/cpo/2.2.1/sessions?${q}`, tokens.camel!]);
    }
    const expected = new Map<string, string>();
    for (const [url, token] of urls)
      expected.set(`${token} ${url}`, (await getJson(url, tokenHeader(token))).text);
    for (let round = 0; round < 3; round++) {
      const aborted = urls.slice(0, 20).map(([url, token]) => {
        const c = new AbortController();
        const r = fetch(url, { headers: tokenHeader(token), signal: c.signal }).then(
          (res) => res.body?.cancel(),
          () => undefined,
        );
        setImmediate(() => c.abort());
        return r;
      });
      const answers = await Promise.all(urls.map(([url, token]) => getJson(url, tokenHeader(token))));
      await Promise.all(aborted);
      answers.forEach((a, i) => {
        const [url, token] = urls[i]!;
        const want = JSON.parse(expected.get(`${token} ${url}`)!);
        const { timestamp: _t1, ...got } = a.body;
        const { timestamp: _t2, ...exp } = want;
        assert.deepEqual(got, exp, url);
      });
    }
  });

  it('sees a partner change made behind its back on the very next request (token cache confirmed per page)', async () => {
    const { token, partner } = await addPartner(server.store, {
      countryCode: 'FR',
      partyId: 'MSP',
      format: 'ocpi',
    });
    const url = `${server.url}/ocpi/cpo/2.2.1/sessions?limit=3`;
    const first = await getJson(url, tokenHeader(token));
    assert.equal(first.body.status_code, 1000);
    assert.equal(first.body.data.length, 3);
    // Straight to the store, as another process or the CLI would: this server's memory is not told.
    await server.store.updatePartner(partner.id, { format: 'camel' });
    const camel = await getJson(url, tokenHeader(token));
    assert.equal(camel.body.statusCode, 1000, 'the new format, at once');
    assert.ok('cdrToken' in camel.body.data[0]);
    await server.store.removePartner('FR-MSP');
    const gone = await getJson(url, tokenHeader(token));
    assert.equal(gone.status, 401, 'a removed token, at once');
  });

  it('GET /health answers 200 while the store is reachable', async () => {
    const r = await getJson(`${server.url}/health`);
    assert.equal(r.status, 200);
    assert.equal(r.body.status_code, 1000);
    assert.equal(r.body.data.store, 'sqlite');
  });
});
