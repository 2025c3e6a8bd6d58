// OCPI 2.3.0 credentials hub_party_id and two registrations reaching one party, over loopback: a CPO of ours
// (NL-CPO), an eMSP of ours (DE-EMS, party X) registered directly over 2.2.1, and a roaming hub (a test peer) that
// registers over 2.3.0 with hub_party_id NLHUB and lists X and FR-EMX (Y) among its roles (2.3.0 credentials: "Roaming
// Hubs' platforms are expected to include the parties that are reachable through the Roaming Hub in the list in
// `roles`"). Both registrations read X's sessions on the sender (2.3.0 price with taxes, 2.2.1 excl/incl); X's
// pushes go once, directly while X is registered, then through the hub (nothing lost when X leaves); Y's go through
// the hub with OCPI-to = Y. Registration the other way (we register to the hub) stores its hub_party_id too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { cli, runCliAsync, setParty, startCli } from '../support/cli.js';
import { freePort, waitFor } from '../support/ports.js';
import { tempDb, tokenHeader } from '../support/server.js';
import { getJson } from '../support/http.js';

interface HubRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

/** A roaming hub speaking 2.2.1 and 2.3.0: versions, details, credentials (answers NLHUB), a sessions receiver. */
async function startHub() {
  const requests: HubRequest[] = [];
  const sessions = new Map<string, any>();
  const state = { failing: false };
  let base = '';
  const credentials = (version: string) => ({
    token: 'hub-token-c',
    url: `${base}/hub/versions`,
    ...(version === '2.3.0' ? { hub_party_id: 'NLHUB' } : {}),
    roles: [
      { role: 'EMSP', party_id: 'EMS', country_code: 'DE', business_details: { name: 'X via hub' } },
      { role: 'EMSP', party_id: 'EMX', country_code: 'FR', business_details: { name: 'Y via hub' } },
      { role: 'CPO', party_id: 'CPO', country_code: 'NL', business_details: { name: 'us' } },
    ],
  });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url!, 'http://x').pathname;
      const text = Buffer.concat(chunks).toString();
      requests.push({
        method: req.method!,
        path,
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      });
      const answer = (http: number, data?: unknown, code = 1000) => {
        res.writeHead(http, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data, status_code: code, timestamp: new Date().toISOString() }));
      };
      const m = /^\/hub\/(2\.2\.1|2\.3\.0)(\/credentials|\/sessions\/.+)?$/.exec(path);
      if (path === '/hub/versions')
        return answer(200, [
          { version: '2.2.1', url: `${base}/hub/2.2.1` },
          { version: '2.3.0', url: `${base}/hub/2.3.0` },
        ]);
      if (!m) return answer(404, undefined, 2000);
      const [, version, rest] = m;
      if (!rest)
        return answer(200, {
          version,
          endpoints: [
            { identifier: 'credentials', role: 'RECEIVER', url: `${base}/hub/${version}/credentials` },
            { identifier: 'sessions', role: 'RECEIVER', url: `${base}/hub/${version}/sessions` },
          ],
        });
      if (rest === '/credentials') return answer(200, credentials(version!));
      if (state.failing) return answer(503, undefined, 3000);
      if (req.method === 'PATCH' && !sessions.has(rest)) return answer(404, undefined, 2003);
      sessions.set(rest, { ...sessions.get(rest), ...requests.at(-1)!.body });
      return answer(200);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    versionsUrl: `${base}/hub/versions`,
    requests,
    sessions,
    state,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const taxes = [{ name: 'VAT', percentage: 21, amount: 2.1 }];

function session230(id: string, emsp: [string, string], at: number, extra: Record<string, unknown> = {}) {
  return {
    country_code: 'NL',
    party_id: 'CPO',
    id,
    start_date_time: new Date(at - 3_600_000).toISOString(),
    kwh: 10,
    cdr_token: {
      country_code: emsp[0],
      party_id: emsp[1],
      uid: `U-${id}`,
      type: 'RFID',
      contract_id: `C-${id}`,
    },
    auth_method: 'WHITELIST',
    location_id: 'LOC1',
    evse_uid: 'E1',
    connector_id: '1',
    currency: 'EUR',
    total_cost: { before_taxes: 10, taxes },
    status: 'ACTIVE',
    last_updated: new Date(at).toISOString(),
    ...extra,
  };
}

const partners = (db: string) => JSON.parse(cli(['partners', 'list', '--db', db, '--json'])) as any[];

describe('OCPI 2.3.0 hub_party_id; a hub (2.3.0) and a party it lists (2.2.1, directly) side by side', () => {
  let hub: Awaited<ReturnType<typeof startHub>>;
  before(async () => {
    hub = await startHub();
  });
  after(() => hub.close());

  it('stores hub_party_id on POST/PUT, refuses a malformed one, ignores it on 2.2.1; both registrations see X, pushes go once', async () => {
    const cpoDb = tempDb('cpo.db');
    const emspDb = tempDb('emsp.db');
    setParty(cpoDb, 'NL-CPO', 'CPO', 'Test CPO');
    setParty(emspDb, 'DE-EMS', 'EMSP', 'X direct');
    const emspPort = await freePort();
    const cpo = startCli(
      // No lane pause: the failed attempts to the stopped platform only back the entry off (100 ms, doubling).
      ['serve', '--db', cpoDb, '--port', '0', '--push-backoff-ms', '100', '--push-pause-after', '1000'],
      /listening on (\S+)/,
    );
    const emsp = startCli(['serve', '--db', emspDb, '--port', String(emspPort)], /listening on/);
    let emspRunning = true;
    try {
      const cpoUrl = /listening on (\S+)/.exec(await cpo.started)![1]!;
      await emsp.started;

      // X registers directly over 2.2.1 (the CPO registers with the eMSP's invitation).
      const inv = JSON.parse(cli(['partners', 'invite', '--db', emspDb, '--json']));
      cli(['register', '--db', cpoDb, inv.url, '--token', inv.token, '--version', '2.2.1', '--json']);
      const xToken = await (async () => {
        const s = new SqliteStore(emspDb);
        try {
          return (await s.getTheirToken((await s.getPartner('NL-CPO'))!.id))!;
        } finally {
          await s.close();
        }
      })();

      // The hub registers with us over 2.3.0 (POST with token A), naming its Hub party.
      const credentials = async (method: string, version: string, token: string, body: unknown) => {
        const r = await fetch(`${cpoUrl}/ocpi/${version}/credentials`, {
          method,
          headers: { ...tokenHeader(token), 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { http: r.status, body: (await r.json()) as any };
      };
      const roles = [
        { role: 'EMSP', party_id: 'EMS', country_code: 'DE', business_details: { name: 'X via hub' } },
        { role: 'EMSP', party_id: 'emx', country_code: 'fr', business_details: { name: 'Y via hub' } },
        { role: 'CPO', party_id: 'CPO', country_code: 'NL', business_details: { name: 'us, reachable too' } },
      ];
      const tokenA = JSON.parse(cli(['partners', 'invite', '--db', cpoDb, '--json'])).token as string;
      const posted = await credentials('POST', '2.3.0', tokenA, {
        token: 'hub-token-b',
        url: hub.versionsUrl,
        hub_party_id: 'NLHUB',
        roles,
      });
      assert.equal(posted.http, 200, JSON.stringify(posted.body));
      const hubToken = posted.body.data.token as string;
      assert.equal('hub_party_id' in posted.body.data, false, 'our own credentials name no Hub party');
      const listed = () => partners(cpoDb).find((p) => p.key === 'NL-HUB');
      assert.deepEqual(
        [listed()?.state, listed()?.version, listed()?.hubPartyId, listed()?.parties],
        [
          'registered',
          '2.3.0',
          'NL-HUB',
          [
            { role: 'EMSP', key: 'DE-EMS' },
            { role: 'EMSP', key: 'FR-EMX' },
          ],
        ],
        'the hub is keyed by its Hub party; the parties it lists are kept (ours left out)',
      );
      assert.ok(
        partners(cpoDb).some((p) => p.key === 'DE-EMS' && p.version === '2.2.1'),
        'X is still direct',
      );
      const text = cli(['partners', 'list', '--db', cpoDb]);
      assert.match(text, /^NL-HUB\t.*\thub=NL-HUB\tparties=EMSP:DE-EMS,EMSP:FR-EMX\t/m);

      // A malformed hub_party_id: HTTP 400 + 2001 saying what the field must be; nothing changes.
      const bad = await credentials('PUT', '2.3.0', hubToken, {
        token: 'hub-token-b2',
        url: hub.versionsUrl,
        hub_party_id: 'NLHUBX',
        roles,
      });
      assert.equal(bad.http, 400);
      assert.equal(bad.body.status_code, 2001);
      assert.match(
        bad.body.status_message,
        /hub_party_id must be one CiString\(5\).*e\.g\. NLHUB \(got "NLHUBX"\)/,
      );
      assert.equal(listed()?.hubPartyId, 'NL-HUB');

      // PUT updates it (case-insensitive CiString, kept upper-cased).
      const put = await credentials('PUT', '2.3.0', hubToken, {
        token: 'hub-token-b3',
        url: hub.versionsUrl,
        hub_party_id: 'nlhub',
        roles: roles.slice(0, 2),
      });
      assert.equal(put.http, 200, JSON.stringify(put.body));
      const hubToken2 = put.body.data.token as string;
      assert.equal(listed()?.hubPartyId, 'NL-HUB');

      // 2.2.1 has no hub_party_id: a 2.2.1 body carrying one (even malformed) registers without it.
      const tokenA2 = JSON.parse(cli(['partners', 'invite', '--db', cpoDb, '--json'])).token as string;
      const old = await credentials('POST', '2.2.1', tokenA2, {
        token: 'other-token-b',
        url: hub.versionsUrl,
        hub_party_id: 'not a hub id!',
        roles: [{ role: 'EMSP', party_id: 'EMZ', country_code: 'SE', business_details: { name: 'Z' } }],
      });
      assert.equal(old.http, 200, JSON.stringify(old.body));
      const z = partners(cpoDb).find((p) => p.key === 'SE-EMZ');
      assert.equal(z?.version, '2.2.1');
      assert.equal('hubPartyId' in z, false);

      // Sessions of X (DE-EMS) and Y (FR-EMX), fed on the 2.3.0 ingest with a tax breakdown.
      const ingestToken = cli(['ingest-token', '--db', cpoDb]).trim();
      const ingest = async (method: 'PUT' | 'PATCH', id: string, body: unknown) => {
        const res = await fetch(`${cpoUrl}/ingest/2.3.0/sessions/NL/CPO/${id}`, {
          method,
          headers: { ...tokenHeader(ingestToken), 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        assert.ok(res.status === 200 || res.status === 201, `${method} ${res.status} ${await res.text()}`);
      };
      const t0 = Date.now() - 60_000;
      await ingest('PUT', 'X1', session230('X1', ['DE', 'EMS'], t0));
      await ingest('PUT', 'Y1', session230('Y1', ['FR', 'EMX'], t0));

      // The sender: X on its own 2.2.1 registration, the hub on 2.3.0 for X and for Y (OCPI-from = the party).
      const page = async (version: string, token: string, from?: [string, string]) => {
        const headers = {
          ...tokenHeader(token),
          ...(from ? { 'ocpi-from-country-code': from[0], 'ocpi-from-party-id': from[1] } : {}),
        };
        return getJson(`${cpoUrl}/ocpi/cpo/${version}/sessions`, headers);
      };
      const direct = await page('2.2.1', xToken);
      const viaHub = await page('2.3.0', hubToken2, ['DE', 'EMS']);
      for (const r of [direct, viaHub]) assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(
        direct.body.data.map((s: any) => [s.id, s.total_cost]),
        [['X1', { excl_vat: 10, incl_vat: 12.1 }]],
      );
      assert.deepEqual(
        viaHub.body.data.map((s: any) => [s.id, s.total_cost]),
        [['X1', { before_taxes: 10, taxes }]],
      );
      const y = await page('2.3.0', hubToken2, ['FR', 'EMX']);
      assert.deepEqual(
        y.body.data.map((s: any) => s.id),
        ['Y1'],
      );
      const none = await page('2.3.0', hubToken2);
      assert.equal(none.status, 200);
      assert.equal(
        none.headers.get('x-total-count'),
        '0',
        "without OCPI-from the hub reads its own party's: none",
      );
      const notListed = await page('2.3.0', hubToken2, ['SE', 'EMZ']);
      assert.equal(notListed.status, 400);
      assert.equal(notListed.body.status_code, 2001);

      // Pushes: X's session once, directly (the hub gets none of X's); Y's through the hub, OCPI-to = Y.
      const emspStore = () => new SqliteStore(emspDb);
      await waitFor('X1 at X directly', async () => {
        const s = emspStore();
        try {
          return (await s.getSession('NL', 'CPO', 'X1')) ? true : undefined;
        } finally {
          await s.close();
        }
      });
      const yPush = await waitFor('Y1 at the hub', async () =>
        hub.requests.find((r) => r.method === 'PUT' && r.path.endsWith('/NL/CPO/Y1')),
      );
      assert.equal(yPush.path, '/hub/2.3.0/sessions/NL/CPO/Y1');
      assert.equal(yPush.headers['ocpi-to-country-code'], 'FR');
      assert.equal(yPush.headers['ocpi-to-party-id'], 'EMX');
      assert.equal(yPush.headers['ocpi-from-party-id'], 'CPO');
      assert.deepEqual(yPush.body.total_cost, { before_taxes: 10, taxes });

      // X moves to the hub: its own platform goes down with a change pending, then X is unregistered here. The
      // change is not lost: it goes through the hub (PATCH unknown there → PUT), OCPI-to = X.
      await emsp.stop();
      emspRunning = false;
      await ingest('PATCH', 'X1', { status: 'COMPLETED', last_updated: new Date(t0 + 5000).toISOString() });
      await waitFor('a failed attempt to the stopped platform', () =>
        /push to DE-EMS failed \(attempt 1\)/.test(cpo.output()) ? true : undefined,
      );
      cli(['partners', 'remove', '--db', cpoDb, 'DE-EMS']);
      const xPush = await waitFor(
        'X1 through the hub',
        async () => hub.requests.find((r) => r.method === 'PUT' && r.path.endsWith('/NL/CPO/X1')),
        20_000,
      );
      assert.equal(xPush.headers['ocpi-to-country-code'], 'DE');
      assert.equal(xPush.headers['ocpi-to-party-id'], 'EMS');
      assert.equal(xPush.body.status, 'COMPLETED');
      assert.equal(
        hub.requests.filter((r) => r.path.endsWith('/NL/CPO/X1') && r.method === 'PUT').length,
        1,
        'X1 once through the hub',
      );
    } finally {
      if (emspRunning) await emsp.stop();
      await cpo.stop();
    }
  });

  it('a change parked while its party had no route goes out as soon as a platform reaching the party registers', async () => {
    const cpoDb = tempDb('cpo-wake.db');
    setParty(cpoDb, 'NL-CPO', 'CPO', 'Test CPO');
    const cpo = startCli(
      ['serve', '--db', cpoDb, '--port', '0', '--push-backoff-ms', '100', '--push-pause-after', '1000'],
      /listening on (\S+)/,
    );
    try {
      const cpoUrl = /listening on (\S+)/.exec(await cpo.started)![1]!;
      const postCredentials = async () => {
        const tokenA = JSON.parse(cli(['partners', 'invite', '--db', cpoDb, '--json'])).token as string;
        const r = await fetch(`${cpoUrl}/ocpi/2.3.0/credentials`, {
          method: 'POST',
          headers: { ...tokenHeader(tokenA), 'content-type': 'application/json' },
          body: JSON.stringify({
            token: 'hub-token-b',
            url: hub.versionsUrl,
            hub_party_id: 'NLHUB',
            roles: [{ role: 'EMSP', party_id: 'EMX', country_code: 'FR', business_details: { name: 'Y' } }],
          }),
        });
        assert.equal(r.status, 200, await r.text());
      };
      await postCredentials();
      const ingestToken = cli(['ingest-token', '--db', cpoDb]).trim();
      const ingest = async (method: 'PUT' | 'PATCH', body: unknown) => {
        const res = await fetch(`${cpoUrl}/ingest/2.3.0/sessions/NL/CPO/W1`, {
          method,
          headers: { ...tokenHeader(ingestToken), 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        assert.ok(res.status === 200 || res.status === 201, `${method} ${res.status} ${await res.text()}`);
      };
      const t0 = Date.now() - 60_000;
      const atHub = (status: string, from = 0) =>
        hub.requests.slice(from).find((r) => r.path.endsWith('/NL/CPO/W1') && r.body?.status === status);
      await ingest('PUT', session230('W1', ['FR', 'EMX'], t0));
      await waitFor('W1 at the hub', async () => atHub('ACTIVE'));

      // The hub fails while a change is pending, then is removed: the entry has no route and is parked (an hour).
      hub.state.failing = true;
      await ingest('PATCH', { status: 'COMPLETED', last_updated: new Date(t0 + 5000).toISOString() });
      await waitFor('a failed attempt', () =>
        /push to FR-EMX failed \(attempt 1\)/.test(cpo.output()) ? true : undefined,
      );
      cli(['partners', 'remove', '--db', cpoDb, 'NL-HUB']);
      await waitFor('the entry parked', () =>
        /partner has no registered sessions receiver/.test(cpo.output()) ? true : undefined,
      );

      // The hub registers again: the parked change goes out at once, not an hour later.
      hub.state.failing = false;
      const seen = hub.requests.length;
      await postCredentials();
      const pushed = await waitFor('W1 COMPLETED at the hub', async () => atHub('COMPLETED', seen), 20_000);
      assert.equal(pushed.headers['ocpi-to-party-id'], 'EMX');
    } finally {
      hub.state.failing = false;
      await cpo.stop();
    }
  });

  it('registering to a 2.3.0 hub stores the hub_party_id and the parties of its answer', async () => {
    const db = tempDb('reg.db');
    setParty(db, 'NL-CPO', 'CPO', 'Test CPO');
    const r = await runCliAsync([
      'register',
      '--db',
      db,
      hub.versionsUrl,
      '--token',
      'token-a',
      '--public-url',
      'http://127.0.0.1:1',
      '--json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const [p] = partners(db);
    assert.deepEqual(
      [p.key, p.version, p.hubPartyId, p.parties],
      [
        'NL-HUB',
        '2.3.0',
        'NL-HUB',
        [
          { role: 'EMSP', key: 'DE-EMS' },
          { role: 'EMSP', key: 'FR-EMX' },
        ],
      ],
    );
    const posted = hub.requests.find((x) => x.method === 'POST' && x.path === '/hub/2.3.0/credentials');
    assert.ok(posted, 'registered over 2.3.0');
    // We route no messages: our own 2.3.0 credentials carry no hub_party_id (README "Roaming hubs").
    assert.equal('hub_party_id' in posted.body, false);
    assert.deepEqual(
      posted.body.roles.map((r: any) => [r.role, r.country_code, r.party_id]),
      [['CPO', 'NL', 'CPO']],
    );
  });
});
