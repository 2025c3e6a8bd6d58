// Every rule of the protocol issue through real HTTP: versions, credentials, receiver, ingest, transport headers,
// charging preferences. (The full two-process registration and push flow is in test/protocol/.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Session } from '../../src/domain/session.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { setIdentity } from '../../src/service/identity.js';
import { rotateIngestToken } from '../../src/service/ingest-token.js';
import { addPartner } from '../../src/service/partners.js';
import { invite } from '../../src/modules/credentials/service/registration.js';
import { writeSessions } from '../../src/modules/sessions/service/writer.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { startTestServer, tokenHeader, type TestServer } from '../support/server.js';
import { getJson } from '../support/http.js';

const b64 = (t: string) => ({ authorization: `Token ${Buffer.from(t).toString('base64')}` });

async function call(
  url: string,
  method: string,
  token: string | undefined,
  body?: unknown,
  extra: Record<string, string> = {},
) {
  const r = await getJson(url, { ...(token ? b64(token) : {}), ...extra }, method, body);
  return { status: r.status, body: r.json, headers: r.headers, text: r.text };
}

/** A minimal peer platform for registration error cases. */
function fakePeer(versions: unknown, details: unknown): Promise<{ url: string; server: Server }> {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      const data = req.url === '/versions' ? versions : details;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data, status_code: 1000, timestamp: new Date().toISOString() }));
    });
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server }),
    );
  });
}

describe('OCPI party endpoints', () => {
  let server: TestServer;
  let sessions: Session[];
  let cpoToken: string; // a CPO partner (pushes to our receiver)
  let emspToken: string; // an eMSP partner (reads our sender)
  let otherToken: string;
  let ingest: string;

  before(async () => {
    server = await startTestServer({ publicUrl: 'https://ocpi.example.com' });
    await setIdentity(server.store, {
      countryCode: 'NL',
      partyId: 'OCS',
      roles: ['CPO', 'EMSP'],
      name: 'Us',
    });
    sessions = [
      ...generateDemoSessions({
        count: 60,
        seed: 5,
        emsps: [
          { countryCode: 'DE', partyId: 'EMP' },
          { countryCode: 'FR', partyId: 'MSP' },
        ],
        cpo: { countryCode: 'NL', partyId: 'OCS' },
        now: Date.now(),
      }),
    ];
    await writeSessions(server.store, sessions, { mode: 'replace' });
    cpoToken = (await addPartner(server.store, { countryCode: 'BE', partyId: 'CPX', roles: ['CPO'] })).token;
    emspToken = (await addPartner(server.store, { countryCode: 'DE', partyId: 'EMP', roles: ['EMSP'] }))
      .token;
    otherToken = (await addPartner(server.store, { countryCode: 'FR', partyId: 'MSP', roles: ['EMSP'] }))
      .token;
    ingest = await rotateIngestToken(server.store);
  });
  after(() => server.close());

  describe('versions', () => {
    it('lists 2.1.1, 2.2.1 and 2.3.0 with absolute URLs from the public URL, for tokens A and C alike', async () => {
      const tokenA = await invite(server.store);
      for (const token of [tokenA, emspToken]) {
        const r = await call(`${server.url}/ocpi/versions`, 'GET', token);
        assert.equal(r.status, 200);
        assert.deepEqual(r.body.data, [
          { version: '2.1.1', url: 'https://ocpi.example.com/ocpi/2.1.1' },
          { version: '2.2.1', url: 'https://ocpi.example.com/ocpi/2.2.1' },
          { version: '2.3.0', url: 'https://ocpi.example.com/ocpi/2.3.0' },
        ]);
      }
      for (const v of ['2.2.1', '2.3.0']) {
        const d = await call(`${server.url}/ocpi/${v}`, 'GET', tokenA);
        assert.deepEqual(d.body.data, {
          version: v,
          endpoints: [
            {
              identifier: 'credentials',
              role: 'SENDER',
              url: `https://ocpi.example.com/ocpi/${v}/credentials`,
            },
            {
              identifier: 'sessions',
              role: 'SENDER',
              url: `https://ocpi.example.com/ocpi/cpo/${v}/sessions`,
            },
            {
              identifier: 'sessions',
              role: 'RECEIVER',
              url: `https://ocpi.example.com/ocpi/emsp/${v}/sessions`,
            },
          ],
        });
      }
      // 2.1.1 has no roles: a CPO caller is shown our receiver, an eMSP caller our sender.
      const forCpo = await call(`${server.url}/ocpi/2.1.1`, 'GET', cpoToken);
      assert.equal(forCpo.body.data.endpoints[1].url, 'https://ocpi.example.com/ocpi/emsp/2.1.1/sessions');
      const forEmsp = await call(`${server.url}/ocpi/2.1.1`, 'GET', emspToken);
      assert.equal(forEmsp.body.data.endpoints[1].url, 'https://ocpi.example.com/ocpi/cpo/2.1.1/sessions');
    });

    it('refuses token A on functional modules with 401', async () => {
      const tokenA = await invite(server.store);
      const r = await call(`${server.url}/ocpi/cpo/2.2.1/sessions`, 'GET', tokenA);
      assert.equal(r.status, 401);
      assert.equal(r.body.status_code, 2000);
    });
  });

  describe('credentials', () => {
    it('GET returns our credentials carrying the caller’s own token', async () => {
      const r = await call(`${server.url}/ocpi/2.2.1/credentials`, 'GET', emspToken);
      assert.equal(r.status, 200);
      assert.equal(r.body.data.token, emspToken);
      assert.equal(r.body.data.url, 'https://ocpi.example.com/ocpi/versions');
      assert.deepEqual(
        r.body.data.roles.map((x: any) => [x.role, x.country_code, x.party_id]),
        [
          ['CPO', 'NL', 'OCS'],
          ['EMSP', 'NL', 'OCS'],
        ],
      );
      const old = await call(`${server.url}/ocpi/2.1.1/credentials`, 'GET', emspToken);
      assert.deepEqual(Object.keys(old.body.data).sort(), [
        'business_details',
        'country_code',
        'party_id',
        'token',
        'url',
      ]);
    });

    it('answers 405 for POST when registered and for PUT/DELETE when not', async () => {
      const post = await call(`${server.url}/ocpi/2.2.1/credentials`, 'POST', emspToken, {
        token: 'x',
        url: 'http://127.0.0.1:1/v',
        roles: [],
      });
      assert.equal(post.status, 405);
      const tokenA = await invite(server.store);
      for (const method of ['PUT', 'DELETE']) {
        const r = await call(
          `${server.url}/ocpi/2.1.1/credentials`,
          method,
          tokenA,
          method === 'PUT' ? {} : undefined,
        );
        assert.equal(r.status, 405, method);
        assert.equal(r.body.status_code, 2000);
      }
    });

    it('answers 2001 for an invalid credentials object and 3001/3002/3003 when their endpoints cannot be used', async () => {
      const bad = await call(`${server.url}/ocpi/2.2.1/credentials`, 'POST', await invite(server.store), {
        token: '',
        url: 5,
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.status_code, 2001);
      assert.match(bad.body.status_message, /\$\.url|\$\.roles/);

      const body = (url: string) => ({
        token: 'their-token-b',
        url,
        roles: [{ role: 'EMSP', business_details: { name: 'P' }, party_id: 'PEE', country_code: 'BE' }],
      });
      const unreachable = await call(
        `${server.url}/ocpi/2.2.1/credentials`,
        'POST',
        await invite(server.store),
        body('http://127.0.0.1:9/versions'),
      );
      assert.equal(unreachable.status, 200);
      assert.equal(unreachable.body.status_code, 3001);

      const old = await fakePeer([{ version: '2.0', url: 'http://127.0.0.1:9/x' }], {});
      const noCred = await fakePeer([{ version: '2.2.1', url: 'http://127.0.0.1:9/x' }], {
        version: '2.2.1',
        endpoints: [{ identifier: 'sessions', role: 'RECEIVER', url: 'http://127.0.0.1:9/s' }],
      });
      try {
        const r2 = await call(
          `${server.url}/ocpi/2.2.1/credentials`,
          'POST',
          await invite(server.store),
          body(`${old.url}/versions`),
        );
        assert.equal(r2.body.status_code, 3002);
        // The details URL of the fake peer is its own base (any path but /versions answers details).
        noCred.server.removeAllListeners('request');
        noCred.server.on('request', (req, res) => {
          res.setHeader('content-type', 'application/json');
          const data =
            req.url === '/versions'
              ? [{ version: '2.2.1', url: `${noCred.url}/details` }]
              : {
                  version: '2.2.1',
                  endpoints: [{ identifier: 'sessions', role: 'RECEIVER', url: 'http://127.0.0.1:9/s' }],
                };
          res.end(JSON.stringify({ data, status_code: 1000, timestamp: new Date().toISOString() }));
        });
        const tokenA = await invite(server.store);
        const r3 = await call(
          `${server.url}/ocpi/2.2.1/credentials`,
          'POST',
          tokenA,
          body(`${noCred.url}/versions`),
        );
        assert.equal(r3.body.status_code, 3003);
        // A failed registration leaves token A usable for another try.
        assert.equal((await call(`${server.url}/ocpi/versions`, 'GET', tokenA)).status, 200);
      } finally {
        old.server.close();
        noCred.server.close();
      }
    });
  });

  describe('eMSP receiver', () => {
    const base = () => `${server.url}/ocpi/emsp/2.2.1/sessions/BE/CPX`;
    const pushed = () => {
      const s = { ...sessions[0]!, countryCode: 'BE', partyId: 'CPX', id: 'push-1' };
      return JSON.parse(codecFor('ocpi-2.2.1').render(s));
    };

    it('PUT creates (201) then replaces (200); GET returns it in the caller’s version', async () => {
      const body = pushed();
      const a = await call(`${base()}/push-1`, 'PUT', cpoToken, body);
      assert.equal(a.status, 201, a.text);
      assert.equal(a.body.status_code, 1000);
      const b = await call(`${base()}/push-1`, 'PUT', cpoToken, { ...body, kwh: 99 });
      assert.equal(b.status, 200);
      const g = await call(`${base()}/push-1`, 'GET', cpoToken);
      assert.equal(g.body.data.kwh, 99);
      assert.equal(g.body.data.id, 'push-1');
      const g211 = await call(`${server.url}/ocpi/emsp/2.1.1/sessions/BE/CPX/push-1`, 'GET', cpoToken);
      assert.equal(g211.body.data.auth_id, body.cdr_token.contract_id);
    });

    it('PATCH appends charging periods (2.2.1), needs last_updated, and never rolls back', async () => {
      const body = pushed();
      await call(`${base()}/push-2`, 'PUT', cpoToken, { ...body, id: 'push-2' });
      const period = {
        start_date_time: '2030-01-01T00:00:00Z',
        dimensions: [{ type: 'ENERGY', volume: 1.5 }],
      };
      const missing = await call(`${base()}/push-2`, 'PATCH', cpoToken, { kwh: 1 });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.status_code, 2001);
      assert.match(missing.body.status_message, /last_updated/);
      const later = new Date(Date.parse(body.last_updated) + 60_000).toISOString();
      const p = await call(`${base()}/push-2`, 'PATCH', cpoToken, {
        charging_periods: [period],
        kwh: 50,
        last_updated: later,
      });
      assert.equal(p.status, 200);
      const g = await call(`${base()}/push-2`, 'GET', cpoToken);
      assert.equal(g.body.data.charging_periods.length, (body.charging_periods?.length ?? 0) + 1);
      assert.deepEqual(g.body.data.charging_periods.at(-1), period);
      assert.equal(g.body.data.kwh, 50);
      // An older PUT or PATCH is acknowledged but not applied.
      const stalePut = await call(`${base()}/push-2`, 'PUT', cpoToken, { ...body, id: 'push-2', kwh: 1 });
      assert.equal(stalePut.status, 200);
      assert.match(stalePut.body.status_message, /Not applied/);
      const stalePatch = await call(`${base()}/push-2`, 'PATCH', cpoToken, {
        kwh: 2,
        last_updated: body.last_updated,
      });
      assert.match(stalePatch.body.status_message, /Not applied/);
      assert.equal((await call(`${base()}/push-2`, 'GET', cpoToken)).body.data.kwh, 50);
    });

    it('PATCH of a 2.1.1 session replaces charging periods and sets last_updated itself', async () => {
      const body = JSON.parse(codecFor('ocpi-2.1.1').render({ ...sessions[1]!, id: 'old-1' }));
      const url = `${server.url}/ocpi/emsp/2.1.1/sessions/BE/CPX/old-1`;
      assert.equal((await call(url, 'PUT', cpoToken, body)).status, 201);
      const period = { start_date_time: '2030-01-01T00:00:00Z', dimensions: [{ type: 'ENERGY', volume: 2 }] };
      const before = Date.now();
      assert.equal((await call(url, 'PATCH', cpoToken, { charging_periods: [period] })).status, 200);
      const g = await call(url, 'GET', cpoToken);
      assert.deepEqual(g.body.data.charging_periods, [period]);
      assert.ok(Date.parse(g.body.data.last_updated) >= before - 1000);
    });

    it('answers 404 for a PATCH of an unknown session, 2001 for id mismatches, 404 for another party', async () => {
      const unknown = await call(`${base()}/nope`, 'PATCH', cpoToken, {
        kwh: 1,
        last_updated: '2030-01-01T00:00:00Z',
      });
      assert.equal(unknown.status, 404);
      const body = pushed();
      const idMismatch = await call(`${base()}/other-id`, 'PUT', cpoToken, body);
      assert.equal(idMismatch.status, 400);
      assert.equal(idMismatch.body.status_code, 2001);
      const partyMismatch = await call(
        `${server.url}/ocpi/emsp/2.2.1/sessions/BE/CPX/push-1`,
        'PUT',
        cpoToken,
        { ...body, party_id: 'ZZZ' },
      );
      assert.equal(partyMismatch.body.status_code, 2001);
      const foreign = await call(`${server.url}/ocpi/emsp/2.2.1/sessions/NL/XXX/push-1`, 'PUT', cpoToken, {
        ...body,
        country_code: 'NL',
        party_id: 'XXX',
      });
      assert.equal(foreign.status, 404);
      const notCpo = await call(`${base()}/push-1`, 'GET', emspToken);
      assert.equal(notCpo.status, 404);
      const badJson = await call(`${base()}/push-1`, 'PUT', cpoToken, '{"kwh":');
      assert.equal(badJson.status, 400);
      assert.equal(badJson.body.status_code, 2001);
    });
  });

  describe('ingest', () => {
    const url = (id: string, party = 'NL/OCS') => `${server.url}/ingest/2.2.1/sessions/${party}/${id}`;

    it('needs the ingest token and our own party', async () => {
      const body = JSON.parse(codecFor('ocpi-2.2.1').render({ ...sessions[2]!, id: 'ing-0' }));
      assert.equal((await call(url('ing-0'), 'PUT', emspToken, body)).status, 401);
      assert.equal((await call(url('ing-0'), 'PUT', undefined, body)).status, 401);
      assert.equal(
        (await call(url('ing-0', 'BE/CPX'), 'PUT', ingest, { ...body, country_code: 'BE', party_id: 'CPX' }))
          .status,
        404,
      );
    });

    it('makes a change visible at once to the owning eMSP in every format, and to nobody else', async () => {
      const s = {
        ...sessions.find((x) => x.cdrToken.partyId === 'EMP')!,
        id: 'ing-1',
        lastUpdated: Date.UTC(2031, 0, 1),
      };
      const body = JSON.parse(codecFor('ocpi-2.2.1').render(s));
      assert.equal((await call(url('ing-1'), 'PUT', ingest, body)).status, 201);
      const q = '?date_from=2030-12-31T00:00:00Z';
      const r = await getJson(`${server.url}/ocpi/cpo/2.2.1/sessions${q}`, tokenHeader(emspToken));
      assert.deepEqual(
        r.body.data.map((x: any) => x.id),
        ['ing-1'],
      );
      const r211 = await getJson(`${server.url}/ocpi/cpo/2.1.1/sessions${q}`, tokenHeader(emspToken));
      assert.equal(r211.body.data[0].id, 'ing-1');
      const patch = await call(url('ing-1'), 'PATCH', ingest, {
        status: 'COMPLETED',
        last_updated: '2031-01-01T01:00:00Z',
      });
      assert.equal(patch.status, 200);
      const after = await getJson(`${server.url}/ocpi/cpo/2.2.1/sessions${q}`, tokenHeader(emspToken));
      assert.equal(after.body.data[0].status, 'COMPLETED');
      const other = await getJson(`${server.url}/ocpi/cpo/2.2.1/sessions${q}`, tokenHeader(otherToken));
      assert.deepEqual(other.body.data, []);
    });
  });

  describe('2.2.1 transport headers', () => {
    it('echoes X-Request-ID and X-Correlation-ID, also on errors, and generates them when absent', async () => {
      const r = await call(`${server.url}/ocpi/cpo/2.2.1/sessions?offset=-1`, 'GET', emspToken, undefined, {
        'x-request-id': 'req-1',
        'x-correlation-id': 'cor-1',
      });
      assert.equal(r.status, 400);
      assert.equal(r.headers.get('x-request-id'), 'req-1');
      assert.equal(r.headers.get('x-correlation-id'), 'cor-1');
      const u = await call(`${server.url}/ocpi/cpo/2.2.1/sessions`, 'GET', undefined);
      assert.equal(u.status, 401);
      assert.match(u.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    });

    it('sets routing headers, refuses a contradicting FROM, tolerates a swapped FROM/TO', async () => {
      const ok = await call(`${server.url}/ocpi/cpo/2.2.1/sessions`, 'GET', emspToken, undefined, {
        'ocpi-from-country-code': 'DE',
        'ocpi-from-party-id': 'emp',
        'ocpi-to-country-code': 'NL',
        'ocpi-to-party-id': 'OCS',
      });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('ocpi-from-country-code'), 'NL');
      assert.equal(ok.headers.get('ocpi-from-party-id'), 'OCS');
      assert.equal(ok.headers.get('ocpi-to-country-code'), 'DE');
      assert.equal(ok.headers.get('ocpi-to-party-id'), 'EMP');
      const liar = await call(`${server.url}/ocpi/cpo/2.2.1/sessions`, 'GET', emspToken, undefined, {
        'ocpi-from-country-code': 'FR',
        'ocpi-from-party-id': 'MSP',
      });
      assert.equal(liar.status, 400);
      assert.equal(liar.body.status_code, 2001);
      const swapped = await call(`${server.url}/ocpi/cpo/2.2.1/sessions`, 'GET', emspToken, undefined, {
        'ocpi-from-country-code': 'NL',
        'ocpi-from-party-id': 'OCS',
        'ocpi-to-country-code': 'DE',
        'ocpi-to-party-id': 'EMP',
      });
      assert.equal(swapped.status, 200);
    });
  });

  describe('charging preferences', () => {
    const url = (id: string) => `${server.url}/ocpi/cpo/2.2.1/sessions/${id}/charging_preferences`;
    const capable = () =>
      sessions.find(
        (s) =>
          s.cdrToken.partyId === 'EMP' &&
          s.location?.evses[0]?.capabilities.includes('CHARGING_PREFERENCES_CAPABLE'),
      );
    const incapable = () =>
      sessions.find(
        (s) =>
          s.cdrToken.partyId === 'EMP' &&
          !s.location?.evses[0]?.capabilities.includes('CHARGING_PREFERENCES_CAPABLE'),
      );

    it('accepts valid preferences on a capable EVSE and stores them with the session', async () => {
      const s = capable();
      assert.ok(s, 'demo data has a CHARGING_PREFERENCES_CAPABLE EVSE');
      const r = await call(url(s.id), 'PUT', emspToken, { profile_type: 'GREEN', energy_need: 20 });
      assert.equal(r.status, 200);
      assert.equal(r.body.data, 'ACCEPTED');
      const stored = await server.store.getSession('NL', 'OCS', s.id);
      assert.deepEqual(stored?.session.chargingPreferences, { profileType: 'GREEN', energyNeed: 20 });
      const invalid = await call(url(s.id), 'PUT', emspToken, { profile_type: 'SLOW' });
      assert.equal(invalid.status, 400);
      assert.equal(invalid.body.status_code, 2001);
    });

    it('answers 404 + 2001 when the EVSE is not capable, and 404 for another partner’s session', async () => {
      const s = incapable()!;
      const r = await call(url(s.id), 'PUT', emspToken, { profile_type: 'FAST' });
      assert.equal(r.status, 404);
      assert.equal(r.body.status_code, 2001);
      const foreign = await call(url(capable()!.id), 'PUT', otherToken, { profile_type: 'FAST' });
      assert.equal(foreign.status, 404);
      assert.equal(foreign.body.status_code, 2000);
    });
  });
});
