// Object-level authorization (OWASP API #1): partner A can neither read, count, change nor infer partner B's
// sessions, on any endpoint, under any token encoding, any case of country_code/party_id (CiString) in paths
// and routing headers. Several eMSPs with confusable party keys, several CPO partners pushing sessions whose ids
// overlap ours and each other's, generated requests checked against a model of who owns what.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import fc from 'fast-check';
import type { Session } from '../../src/domain/session.js';
import { partyKey } from '../../src/domain/session.js';
import { wireFormatFor, type OcpiVersion } from '../../src/domain/wire-format.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { setIdentity } from '../../src/service/identity.js';
import { rotateIngestToken } from '../../src/service/ingest-token.js';
import { addPartner } from '../../src/service/partners.js';
import { invite } from '../../src/modules/credentials/service/registration.js';
import { writeSessions } from '../../src/modules/sessions/service/writer.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { startTestServer, tempDb, type TestServer } from '../support/server.js';
import { raw, type RawResponse } from '../support/http.js';
import { assertEnvelope, b64, closeSnapshots, snapshot } from './helpers.js';

const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const US = { countryCode: 'NL', partyId: 'OCS' };
// Confusable keys: same party id in other countries, party ids one letter apart.
const EMSPS = [
  { countryCode: 'DE', partyId: 'EMP', format: 'ocpi' as const },
  { countryCode: 'DE', partyId: 'EMQ', format: 'camel' as const },
  { countryCode: 'FR', partyId: 'EMP', format: 'ocpi' as const },
  { countryCode: 'NL', partyId: 'EMP', format: 'camel' as const },
];
const CPOS = [
  { countryCode: 'BE', partyId: 'CPX', format: 'ocpi' as const },
  { countryCode: 'BE', partyId: 'CPY', format: 'ocpi' as const },
  { countryCode: 'AT', partyId: 'CPC', format: 'camel' as const },
];
const key = (p: { countryCode: string; partyId: string }) => partyKey(p.countryCode, p.partyId);
let requests = 0;

type Encoding = 'raw' | 'base64' | 'base64nl';
const auth = (token: string, e: Encoding) =>
  `Token ${e === 'raw' ? token : e === 'base64' ? b64(token) : b64(`${token}\n`)}`;

/** Case variants of a CiString: as is, lower, upper, mixed. */
const cases = (s: string) => [
  ...new Set([s, s.toLowerCase(), s.toUpperCase(), s[0]!.toLowerCase() + s.slice(1)]),
];
const withoutTimestamp = (r: RawResponse) => r.text.replace(/"timestamp":"[^"]*"/, '');

describe('isolation between partners', () => {
  let server: TestServer;
  let file: string;
  let store: SqliteStore;
  const tokens: Record<string, string> = {};
  let ingest: string;
  let tokenA: string;
  /** Our own CPO sessions in creation order. */
  let ours: Session[] = [];
  /** What each CPO partner pushed to our receiver, by partner key and upper-cased id. */
  const pushed = new Map<string, Map<string, Session>>();

  const get = (path: string, headers: Record<string, string>) => {
    requests++;
    return raw(server.url, { method: 'GET', path, headers });
  };
  const send = (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    requests++;
    return raw(server.url, {
      method,
      path,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  };

  before(async () => {
    file = tempDb('isolation.db');
    store = new SqliteStore(file);
    server = await startTestServer({ defaultLimit: 7, maxLimit: 50 }, store);
    await setIdentity(store, { ...US, roles: ['CPO', 'EMSP'], name: 'Us' });
    // Ids overlap across CPOs on purpose: S-000 … exist under our party and under every CPO partner's.
    const generated = [
      ...generateDemoSessions({ count: 160, seed: 33, emsps: EMSPS, cpo: US, now: Date.UTC(2025, 5, 1) }),
    ];
    ours = generated.map((s, i) => ({ ...s, id: `S-${String(i).padStart(3, '0')}` }));
    for (const p of EMSPS) tokens[key(p)] = (await addPartner(store, { ...p, roles: ['EMSP'] })).token;
    for (const p of CPOS) tokens[key(p)] = (await addPartner(store, { ...p, roles: ['CPO'] })).token;
    // After the partners: their formats are stored with the sessions, so no background render (issue 16's stored
    // formats) changes the file under the properties that compare it before and after a refused request.
    await writeSessions(store, ours, { mode: 'replace' });
    tokenA = await invite(store);
    ingest = await rotateIngestToken(store);

    // Every CPO partner pushes sessions with ids overlapping ours and each other's, in lower case for one of
    // them, whose cdr_token names one of our eMSP partners (as a hostile CPO would, to reach their feeds).
    for (const [c, cpo] of CPOS.entries()) {
      const mine = new Map<string, Session>();
      for (let i = 0; i < 12; i++) {
        const base = ours[i * 3 + c]!;
        const id = c === 1 ? base.id.toLowerCase() : base.id;
        const s: Session = {
          ...base,
          countryCode: cpo.countryCode,
          partyId: cpo.partyId,
          id,
          kwh: 1000 + c,
          lastUpdated: Date.UTC(2025, 4, 1 + i),
        };
        const version: OcpiVersion = i % 3 === 2 ? '2.1.1' : '2.2.1';
        const r = await send(
          'PUT',
          `/ocpi/emsp/${version}/sessions/${cpo.countryCode}/${cpo.partyId}/${id}`,
          { authorization: auth(tokens[key(cpo)]!, 'base64') },
          JSON.parse(codecFor(wireFormatFor(cpo.format, version)).render(s)),
        );
        assert.equal(r.status, 201, r.text);
        // As stored: a 2.2.1 body names its location by ids only.
        mine.set(id.toUpperCase(), (await store.getSession(cpo.countryCode, cpo.partyId, id))!.session);
        assert.equal(mine.get(id.toUpperCase())!.kwh, s.kwh);
      }
      pushed.set(key(cpo), mine);
    }
    const formats = await store.storedFormats();
    assert.deepEqual(formats.ready, formats.stored, 'no format left to render in the background');
  });

  after(async () => {
    console.log(`isolation: ${requests} HTTP requests`);
    await server.close();
    closeSnapshots();
  });

  /** Walks a Link chain to the end; returns every body and the X-Total-Count of each page. */
  async function walk(
    path: string,
    headers: Record<string, string>,
  ): Promise<{ bodies: any[]; totals: number[]; status: number; first: RawResponse }> {
    const bodies: any[] = [];
    const totals: number[] = [];
    let next: string | undefined = path;
    let first: RawResponse | undefined;
    for (let page = 0; next && page < 200; page++) {
      const r = await get(next, headers);
      first ??= r;
      assertEnvelope(r, next);
      if (r.status !== 200) return { bodies, totals, status: r.status, first };
      bodies.push(...r.json.data);
      totals.push(Number(r.headers['x-total-count']));
      const link = r.headers.link as string | undefined;
      next = link
        ? new URL(/^<([^>]+)>/.exec(link)![1]!).pathname + new URL(/^<([^>]+)>/.exec(link)![1]!).search
        : undefined;
    }
    return { bodies, totals, status: 200, first: first! };
  }

  it('sender GET lists and counts exactly the caller’s own sessions, under every encoding, window and routing header', async () => {
    const times = ours.map((s) => s.lastUpdated);
    const instant = fc.oneof(
      fc.constantFrom(...times),
      fc.integer({ min: Math.min(...times) - 86_400_000, max: Math.max(...times) + 86_400_000 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          caller: fc.constantFrom(...EMSPS, ...CPOS),
          version: fc.constantFrom<OcpiVersion>('2.1.1', '2.2.1', '2.3.0'),
          encoding: fc.constantFrom<Encoding>('raw', 'base64', 'base64nl'),
          from: fc.option(instant),
          to: fc.option(instant),
          limit: fc.option(fc.integer({ min: 3, max: 60 })),
          // Routing headers naming the caller in any case, another partner, or us (a swapped FROM/TO).
          from_party: fc.option(fc.constantFrom(...EMSPS, ...CPOS, US)),
          fromCase: fc.nat(3),
        }),
        async ({ caller, version, encoding, from, to, limit, from_party, fromCase }) => {
          const q = new URLSearchParams();
          if (from !== null) q.set('date_from', new Date(from).toISOString());
          if (to !== null) q.set('date_to', new Date(to).toISOString());
          if (limit !== null) q.set('limit', String(limit));
          const headers: Record<string, string> = { authorization: auth(tokens[key(caller)]!, encoding) };
          if (from_party && version !== '2.1.1') {
            headers['ocpi-from-country-code'] = cases(from_party.countryCode)[
              fromCase % cases(from_party.countryCode).length
            ]!;
            headers['ocpi-from-party-id'] = cases(from_party.partyId)[
              fromCase % cases(from_party.partyId).length
            ]!;
            headers['ocpi-to-country-code'] = 'nl';
            headers['ocpi-to-party-id'] = 'ocs';
          }
          const { bodies, totals, status, first } = await walk(`/ocpi/cpo/${version}/sessions?${q}`, headers);
          const claimsOther =
            from_party &&
            version !== '2.1.1' &&
            key(from_party) !== key(caller) &&
            key(from_party) !== key(US);
          if (claimsOther) {
            assert.equal(status, 400, 'a FROM naming another party is refused');
            return;
          }
          if (caller.format === 'camel' && version === '2.3.0') {
            // No camel 2.3.0 (DOWN-MAPPING.md): 404 + 2001, nothing listed or counted.
            assert.equal(status, 404, first.text);
            assert.equal(first.json.statusCode, 2001, first.text);
            assert.equal(first.headers['x-total-count'], undefined);
            return;
          }
          assert.equal(status, 200);
          const expected = ours
            .filter((s) => key(s.cdrToken) === key(caller))
            .filter((s) => (from === null || s.lastUpdated >= from) && (to === null || s.lastUpdated < to));
          const format = wireFormatFor(caller.format, version);
          assert.deepEqual(
            bodies,
            expected.map((s) => JSON.parse(codecFor(format).render(s))),
            `${key(caller)} ${version} sees exactly its own sessions`,
          );
          for (const t of totals)
            assert.equal(t, expected.length, 'X-Total-Count counts only the caller’s sessions');
        },
      ),
      { numRuns: 220, includeErrorInReport: true, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  });

  it('eMSP receiver: a CPO reads and writes only under its own party; another party’s session is indistinguishable from a missing one', async () => {
    const parties = [...CPOS, US, ...EMSPS];
    const ids = [
      ...new Set([
        ...ours.slice(0, 40).map((s) => s.id),
        ...[...pushed.values()].flatMap((m) => [...m.values()].map((s) => s.id)),
      ]),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          caller: fc.constantFrom(...CPOS),
          target: fc.constantFrom(...parties),
          ccCase: fc.nat(3),
          pidCase: fc.nat(3),
          id: fc.constantFrom(...ids),
          idCase: fc.constantFrom('as-is', 'lower', 'upper'),
          version: fc.constantFrom<OcpiVersion>('2.1.1', '2.2.1', '2.3.0'),
          method: fc.constantFrom('GET', 'GET', 'PUT', 'PATCH'),
          encoding: fc.constantFrom<Encoding>('raw', 'base64', 'base64nl'),
        }),
        async ({ caller, target, ccCase, pidCase, id, idCase, version, method, encoding }) => {
          const cc = cases(target.countryCode)[ccCase % cases(target.countryCode).length]!;
          const pid = cases(target.partyId)[pidCase % cases(target.partyId).length]!;
          const sid = idCase === 'lower' ? id.toLowerCase() : idCase === 'upper' ? id.toUpperCase() : id;
          const headers = { authorization: auth(tokens[key(caller)]!, encoding) };
          const path = `/ocpi/emsp/${version}/sessions/${cc}/${pid}/${sid}`;
          const own = key(target) === key(caller);
          if (caller.format === 'camel' && version === '2.3.0') {
            // No camel 2.3.0 (DOWN-MAPPING.md): 404, nothing read or written; under its own party 2001 says so,
            // under another party's the answer is the one for an id that exists nowhere.
            const before = snapshot(file);
            const body = method === 'GET' ? undefined : { lastUpdated: '2030-01-01T00:00:00Z' };
            const r = await send(method, path, headers, body);
            assertEnvelope(r, `${key(caller)} ${method} ${path}`);
            assert.equal(r.status, 404, r.text);
            assert.equal(snapshot(file), before, 'a refused write changed the store');
            if (own) assert.equal(r.json.statusCode, 2001, r.text);
            else {
              const ghost = await send(
                method,
                `/ocpi/emsp/${version}/sessions/${cc}/${pid}/NO-SUCH-ID`,
                headers,
                body,
              );
              assert.equal(
                withoutTimestamp(r).replace(sid, '<id>'),
                withoutTimestamp(ghost).replace('NO-SUCH-ID', '<id>'),
              );
            }
            return;
          }
          const format = wireFormatFor(caller.format, version);
          const mine = pushed.get(key(caller))!.get(sid.toUpperCase());
          const before = snapshot(file);
          let body: unknown;
          if (method !== 'GET') {
            // A body naming the URL's party: the only way past the id checks.
            // From one of our sessions: it has a full location, which 2.1.1 bodies need (a session received in
            // 2.2.1 form renders a stub location for 2.1.1 that our own parser refuses; see DOWN-MAPPING.md).
            const s = {
              ...ours[0]!,
              countryCode: cc,
              partyId: pid,
              id: sid,
              lastUpdated: Date.UTC(2030, 0, 1),
            };
            body =
              method === 'PUT'
                ? JSON.parse(codecFor(format).render(s))
                : { [caller.format === 'camel' ? 'lastUpdated' : 'last_updated']: '2030-01-01T00:00:00Z' };
          }
          const r = await send(method, path, headers, body);
          assertEnvelope(r, `${key(caller)} ${method} ${path}`);
          if (!own) {
            assert.equal(r.status, 404, `${key(caller)} ${method} ${path}: ${r.text}`);
            assert.equal(snapshot(file), before, 'a refused write changed the store');
            // No inference: the same answer as for an id that exists nowhere.
            const ghost = await send(
              method,
              `/ocpi/emsp/${version}/sessions/${cc}/${pid}/NO-SUCH-ID`,
              headers,
              body,
            );
            assert.equal(
              withoutTimestamp(r).replace(sid, '<id>'),
              withoutTimestamp(ghost).replace('NO-SUCH-ID', '<id>'),
            );
            return;
          }
          if (method === 'GET') {
            if (!mine) {
              assert.equal(r.status, 404);
              return;
            }
            assert.equal(r.status, 200, r.text);
            // Its own session, not ours nor another CPO's with the same id.
            assert.deepEqual(r.json.data, JSON.parse(codecFor(format).render(mine)));
            return;
          }
          // A write under its own party: allowed (or 404 for a PATCH of an unknown session). Undo it in the model.
          assert.ok(r.status < 300 || (method === 'PATCH' && r.status === 404), r.text);
          const stored = await store.getSession(target.countryCode, target.partyId, sid);
          if (stored) pushed.get(key(caller))!.set(sid.toUpperCase(), stored.session);
        },
      ),
      { numRuns: 600, includeErrorInReport: true, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  });

  it('sessions a CPO partner pushes never reach another partner’s feed, count or outbox', async () => {
    for (const emsp of EMSPS) {
      const r = await walk('/ocpi/cpo/2.2.1/sessions?limit=50', {
        authorization: auth(tokens[key(emsp)]!, 'base64'),
      });
      const cpoOf = (b: any) =>
        key({ countryCode: b.country_code ?? b.countryCode, partyId: b.party_id ?? b.partyId });
      assert.deepEqual(
        [...new Set(r.bodies.map(cpoOf))],
        r.bodies.length ? ['NL-OCS'] : [],
        `${key(emsp)} sees only our sessions`,
      );
      assert.equal(r.totals[0], ours.filter((s) => key(s.cdrToken) === key(emsp)).length);
    }
    assert.equal(await store.outboxDepth(), 0, 'nothing queued for push to a partner');
    // And a CPO partner reading our sender sees nothing, not even what it pushed itself.
    for (const cpo of CPOS) {
      const r = await get('/ocpi/cpo/2.2.1/sessions', { authorization: auth(tokens[key(cpo)]!, 'raw') });
      assert.equal(r.status, 200);
      assert.deepEqual(r.json.data, []);
      assert.equal(r.headers['x-total-count'], '0');
    }
  });

  it('ingest writes only under our own party', async () => {
    for (const target of [...CPOS, ...EMSPS]) {
      for (const cc of cases(target.countryCode)) {
        const before = snapshot(file);
        const s = {
          ...ours[0]!,
          countryCode: cc,
          partyId: target.partyId,
          lastUpdated: Date.UTC(2030, 0, 1),
        };
        const r = await send(
          'PUT',
          `/ingest/2.2.1/sessions/${cc}/${target.partyId}/${s.id}`,
          { authorization: auth(ingest, 'base64') },
          JSON.parse(codecFor('ocpi-2.2.1').render(s)),
        );
        assert.equal(r.status, 404, r.text);
        assert.equal(snapshot(file), before);
      }
    }
    // The ingest token is not a partner token, and partner tokens are not ingest tokens.
    assert.equal(
      (await get('/ocpi/cpo/2.2.1/sessions', { authorization: auth(ingest, 'base64') })).status,
      401,
    );
    const s = ours[0]!;
    const r = await send(
      'PATCH',
      `/ingest/2.2.1/sessions/NL/OCS/${s.id}`,
      { authorization: auth(tokens['DE-EMP']!, 'base64') },
      { kwh: 1, last_updated: '2030-01-01T00:00:00Z' },
    );
    assert.equal(r.status, 401);
  });

  it('charging preferences: another partner’s session is indistinguishable from a missing one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          caller: fc.constantFrom(...EMSPS, ...CPOS),
          session: fc.constantFrom(...ours),
          idCase: fc.constantFrom('as-is', 'lower'),
          encoding: fc.constantFrom<Encoding>('raw', 'base64', 'base64nl'),
        }),
        async ({ caller, session, idCase, encoding }) => {
          if (key(session.cdrToken) === key(caller)) return;
          const sid = idCase === 'lower' ? session.id.toLowerCase() : session.id;
          const headers = { authorization: auth(tokens[key(caller)]!, encoding) };
          const before = snapshot(file);
          const r = await send('PUT', `/ocpi/cpo/2.2.1/sessions/${sid}/charging_preferences`, headers, {
            profile_type: 'FAST',
          });
          const ghost = await send(
            'PUT',
            '/ocpi/cpo/2.2.1/sessions/NO-SUCH-ID/charging_preferences',
            headers,
            { profile_type: 'FAST' },
          );
          assert.equal(r.status, 404, r.text);
          assert.equal(
            withoutTimestamp(r).replace(sid, '<id>'),
            withoutTimestamp(ghost).replace('NO-SUCH-ID', '<id>'),
          );
          assert.equal(snapshot(file), before);
        },
      ),
      { numRuns: 150, includeErrorInReport: true, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  });

  it('token A and unknown tokens reach no functional module', async () => {
    const paths = [
      '/ocpi/cpo/2.2.1/sessions',
      '/ocpi/cpo/2.1.1/sessions',
      `/ocpi/emsp/2.2.1/sessions/BE/CPX/${ours[0]!.id}`,
    ];
    for (const path of paths) {
      for (const e of ['raw', 'base64', 'base64nl'] as Encoding[]) {
        assert.equal((await get(path, { authorization: auth(tokenA, e) })).status, 401);
        assert.equal((await get(path, { authorization: auth(`${tokens['DE-EMP']}x`, e) })).status, 401);
        assert.equal(
          (await get(path, { authorization: auth(tokens['DE-EMP']!.toUpperCase(), e) })).status,
          401,
        );
      }
    }
  });

  describe('credentials update cannot take over another party', () => {
    let peer: Server;
    let peerUrl: string;
    before(async () => {
      peer = createServer((req, res) => {
        res.setHeader('content-type', 'application/json');
        const data =
          req.url === '/versions'
            ? [{ version: '2.2.1', url: `${peerUrl}/details` }]
            : {
                version: '2.2.1',
                endpoints: [{ identifier: 'credentials', role: 'RECEIVER', url: `${peerUrl}/credentials` }],
              };
        res.end(JSON.stringify({ data, status_code: 1000, timestamp: new Date().toISOString() }));
      });
      await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
      peerUrl = `http://127.0.0.1:${(peer.address() as { port: number }).port}`;
    });
    after(() => new Promise<void>((r) => peer.close(() => r())));

    const credentials = (cc: string, pid: string, role: string) => ({
      token: 'peer-token-b',
      url: `${peerUrl}/versions`,
      roles: [{ role, business_details: { name: 'Peer' }, country_code: cc, party_id: pid }],
    });

    for (const [who, claim] of [
      ['a CPO partner claiming our own party', { caller: 'BE-CPX', cc: 'nl', pid: 'ocs', role: 'CPO' }],
      ['a CPO partner claiming an eMSP partner', { caller: 'BE-CPX', cc: 'DE', pid: 'emp', role: 'EMSP' }],
      [
        'an eMSP partner claiming a party nobody registered',
        { caller: 'DE-EMP', cc: 'LU', pid: 'NEW', role: 'EMSP' },
      ],
      ['an eMSP partner claiming another eMSP', { caller: 'DE-EMQ', cc: 'de', pid: 'EMP', role: 'EMSP' }],
    ] as const) {
      it(`refuses ${who}`, async () => {
        const before = snapshot(file);
        const r = await send(
          'PUT',
          '/ocpi/2.2.1/credentials',
          { authorization: auth(tokens[claim.caller]!, 'base64') },
          credentials(claim.cc, claim.pid, claim.role),
        );
        const { statusCode } = assertEnvelope(r, who);
        assert.equal(r.status, 400, r.text);
        assert.equal(statusCode, 2001);
        assert.equal(snapshot(file), before);
      });
    }
  });
});
