// The console's partner actions with the real push worker and a real receiver on loopback (SQLite): pause stops
// deliveries to that partner (while another partner is still served) and resume restarts them; retry makes a
// delivery waiting for its backoff go at once; the overview, partners list and session page show the lane and the
// deliveries as they are.
import { WIRE_FORMATS } from '../../src/domain/wire-format.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/domain/session.js';
import { sessionsPush } from '../../src/modules/sessions/service/push.js';
import { toRecord } from '../../src/modules/sessions/service/writer.js';
import { setIdentity } from '../../src/service/identity.js';
import { PushDelivery } from '../../src/service/push-delivery.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { consoleAct, consoleGet, operatorAuth } from '../support/console.js';
import { send } from '../support/http.js';
import { waitFor } from '../support/ports.js';
import { registerReceiverPartner, startReceiver, type Receiver } from '../support/receiver.js';
import { startTestServer, tempDb, type TestServer } from '../support/server.js';
import { makeSession } from '../support/sessions.js';

const T0 = Date.UTC(2025, 5, 1);

describe('console partner actions', () => {
  let store: SqliteStore;
  let server: TestServer;
  let auth: Record<string, string>;
  let ems: Receiver;
  let msp: Receiver;
  let failNext = 0;
  let worker: PushDelivery;
  before(async () => {
    store = new SqliteStore(tempDb('cpo.db'));
    await setIdentity(store, { countryCode: 'NL', partyId: 'CPO', roles: ['CPO'], name: 'CPO' });
    ems = await startReceiver({ n: 0 }, () =>
      failNext-- > 0 ? { kind: 'status', status: 400 } : { kind: 'ok' },
    );
    msp = await startReceiver();
    await registerReceiverPartner(store, 'DE-EMS', ems.url);
    await registerReceiverPartner(store, 'FR-MSP', msp.url);
    server = await startTestServer({ console: true }, store);
    auth = await operatorAuth(store);
    // A failed delivery waits 10 minutes before its next attempt (unless retried now).
    worker = new PushDelivery(store, [sessionsPush], { baseBackoffMs: 600_000, maxBackoffMs: 600_000 });
    worker.start(20);
  });
  after(async () => {
    await worker.stop();
    await server.close(); // closes the store
    await ems.close();
    await msp.close();
  });

  const write = (s: Session) =>
    store.putSessions([toRecord(s, undefined, WIRE_FORMATS)], {
      mode: 'replace',
      pushTo: [`${s.cdrToken.countryCode}-${s.cdrToken.partyId}`],
    });

  const act = (key: string, action: string) => consoleAct(server.url, auth, key, action);
  const get = (path: string) => consoleGet(server.url, auth, path);

  it('pause stops deliveries to the partner, the other partner is still served; resume sends them', async () => {
    await write(makeSession('A1', 'DE-EMS', T0));
    await waitFor('A1 delivered', () => (ems.sessions.has('A1') ? true : undefined), 10_000);

    assert.deepEqual(await act('de-ems', 'pause'), {
      done: true,
      action: 'pause',
      partner: 'DE-EMS',
      paused_by_operator: true,
    });
    // The worker reads lane states every round (20 ms here): let it see the pause before writing.
    await new Promise((r) => setTimeout(r, 300));
    await write(makeSession('A2', 'DE-EMS', T0));
    await write(makeSession('B1', 'FR-MSP', T0));
    await waitFor('B1 delivered to the partner that is not paused', () =>
      msp.sessions.has('B1') ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 1000)); // 50 rounds of the worker
    assert.equal(ems.sessions.has('A2'), false, 'nothing sent to the paused partner');
    assert.equal(ems.received.filter((r) => r.id === 'A2').length, 0);

    const lanes = (await get('/console/api/partners')) as { key: string; lane: Record<string, unknown> }[];
    const lane = lanes.find((p) => p.key === 'DE-EMS')!.lane;
    assert.equal(lane.paused_by_operator, true);
    assert.equal(lane.pending, 1);
    const overview = await get('/console/api/overview');
    const row = (overview.outbox as { partner: string }[]).find((o) => o.partner === 'DE-EMS') as Record<
      string,
      unknown
    >;
    assert.equal(row.paused_by_operator, true);
    assert.equal(row.pending, 1);
    const page = await get('/console/api/sessions/NL/CPO/A2');
    assert.deepEqual(
      (page.deliveries as { partner: string; result: string }[]).map((d) => [d.partner, d.result]),
      [['DE-EMS', 'pending']],
    );

    assert.equal((await act('DE-EMS', 'resume')).paused_by_operator, false);
    await waitFor('A2 delivered after resume', () => (ems.sessions.has('A2') ? true : undefined), 10_000);
    const delivered = await get('/console/api/sessions/NL/CPO/A2');
    assert.deepEqual(
      (delivered.deliveries as { partner: string; result: string; at: string }[]).map((d) => [
        d.partner,
        d.result,
        d.at,
      ]),
      [['DE-EMS', 'delivered', '2025-06-01T00:00:00Z']],
    );
  });

  it('retry sends a delivery waiting for its backoff at once', async () => {
    failNext = 1; // the receiver refuses the next request (HTTP 400: the object's problem, not the partner's)
    await write(makeSession('R1', 'DE-EMS', T0));
    await waitFor(
      'R1 refused once',
      () => (ems.received.some((r) => r.id === 'R1') ? true : undefined),
      10_000,
    );
    await waitFor('R1 failed in the outbox', async () =>
      (
        await store.outboxEntry({
          partnerKey: 'DE-EMS',
          module: 'sessions',
          objectSeq: (await store.getSession('NL', 'CPO', 'R1'))!.seq,
        })
      )?.attempts === 1
        ? true
        : undefined,
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(ems.sessions.has('R1'), false, 'waiting for its 10-minute backoff');
    const page = await get('/console/api/sessions/NL/CPO/R1');
    const failing = (page.deliveries as { result: string; error: string | null }[])[0]!;
    assert.equal(failing.result, 'failing');
    assert.match(failing.error ?? '', /400/);

    const r = await act('DE-EMS', 'retry');
    assert.equal(r.made_due, 1);
    await waitFor('R1 delivered after retry', () => (ems.sessions.has('R1') ? true : undefined), 10_000);
  });

  it('pull refuses a partner that is not a CPO; unknown partners are 404', async () => {
    const r = await send(server.url, {
      method: 'POST',
      path: '/console/api/partners/DE-EMS/pull',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"confirm":true}',
    });
    assert.equal(r.status, 400);
    assert.equal(r.json.status_code, 2001);
  });
});
