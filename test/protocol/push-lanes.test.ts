// The push worker's lanes through real HTTP receivers on loopback (test/support/receiver.ts), on a real SQLite
// store: per-session order while several sessions are sent at once; coalescing that leaves the receiver with
// exactly the CPO's copy (one PATCH with only the new charging periods, a PUT after a failure, nothing when nothing
// changed); a slow partner that does not delay a fast one (by the order of events, never by wall-clock); a dead
// partner paused, probed with one delivery and resumed at full speed while another partner is served; the
// process-wide cap.
import { WIRE_FORMATS } from '../../src/domain/wire-format.js';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { after, describe, it } from 'node:test';
import type { Session } from '../../src/domain/session.js';
import { sessionsPush } from '../../src/modules/sessions/service/push.js';
import { toRecord } from '../../src/modules/sessions/service/writer.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { setIdentity } from '../../src/service/identity.js';
import { PushDelivery, type DeliveryOptions } from '../../src/service/push-delivery.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { waitFor } from '../support/ports.js';
import {
  gate,
  registerReceiverPartner,
  startReceiver,
  type Body,
  type Events,
  type Receiver,
} from '../support/receiver.js';
import { tempDb } from '../support/server.js';
import { makeSession } from '../support/sessions.js';

const T0 = Date.UTC(2025, 5, 1);
const open: { close(): Promise<void> }[] = [];
after(async () => {
  for (const o of open.reverse()) await o.close();
});

async function cpoStore(): Promise<SqliteStore> {
  const store = new SqliteStore(tempDb('cpo.db'));
  open.push(store);
  await setIdentity(store, { countryCode: 'NL', partyId: 'CPO', roles: ['CPO'], name: 'CPO' });
  return store;
}

async function receiver(store: SqliteStore, party: string, events: Events, behave?: Receiver['behave']) {
  const r = await startReceiver(events, behave);
  open.push(r);
  await registerReceiverPartner(store, party, r.url);
  return r;
}

const period = (k: number) => ({
  startDateTime: T0 + k * 60_000,
  dimensions: [{ type: 'ENERGY' as const, volume: k }],
});

/** Writes the session as the CPO's copy, to be pushed to its eMSP. */
async function write(store: SqliteStore, s: Session): Promise<void> {
  const owner = `${s.cdrToken.countryCode}-${s.cdrToken.partyId}`;
  await store.putSessions([toRecord(s, undefined, WIRE_FORMATS)], { mode: 'replace', pushTo: [owner] });
}

const render = (s: Session) => JSON.parse(codecFor('ocpi-2.2.1').render(s)) as Body;

async function assertEqualCopies(store: SqliteStore, r: Receiver, ids: string[]): Promise<void> {
  for (const id of ids) {
    const cpo = (await store.getSession('NL', 'CPO', id))!.session;
    assert.deepEqual(r.sessions.get(id), render(cpo), `${id}: the receiver has the CPO's copy`);
  }
}

function worker(store: SqliteStore, options: DeliveryOptions = {}): PushDelivery {
  const w = new PushDelivery(store, [sessionsPush], options);
  open.push({ close: () => w.stop() });
  return w;
}

describe('push lanes', () => {
  it('sends one change of a session at a time and in order, while sending several sessions at once', async () => {
    const store = await cpoStore();
    const events = { n: 0 };
    let k = 0;
    // Answers after a few ms, each request a little differently, so that requests overlap and finish out of order.
    const r = await receiver(store, 'DE-EMS', events, async () => {
      await new Promise((res) => setTimeout(res, 2 + (k++ % 5) * 3));
      return { kind: 'ok' };
    });
    const ids = Array.from({ length: 12 }, (_, i) => `ORD-${i}`);
    const sessions = new Map(ids.map((id) => [id, makeSession(id, 'DE-EMS', T0)]));
    const w = worker(store, { perPartner: 4 });
    w.start(10);
    for (let round = 1; round <= 4; round++) {
      for (const id of ids) {
        const s = sessions.get(id)!;
        const next = {
          ...s,
          kwh: round,
          chargingPeriods: [...s.chargingPeriods, period(round)],
          lastUpdated: T0 + round * 60_000,
        };
        sessions.set(id, next);
        await write(store, next);
      }
      await new Promise((res) => setTimeout(res, 15)); // changes keep arriving while deliveries are under way
    }
    await waitFor(
      'an empty outbox',
      async () => ((await store.outboxDepth()) === 0 ? true : undefined),
      20_000,
    );
    await w.stop();
    assert.equal(r.maxPerSession, 1, 'never two requests for one session at once');
    assert.ok(r.maxConcurrent > 1, `several sessions at once (at most ${r.maxConcurrent})`);
    assert.ok(r.maxConcurrent <= 4, `at most --push-concurrency at once (${r.maxConcurrent})`);
    for (const id of ids) {
      const mine = r.received.filter((x) => x.id === id);
      const times = mine.map((x) => Date.parse(String(x.body.last_updated)));
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
        `${id}: last_updated never goes back`,
      );
      for (let i = 1; i < mine.length; i++)
        assert.ok(mine[i]!.arrived > mine[i - 1]!.ended!, `${id}: the next change after the previous answer`);
      const bodies = mine.map((x) => JSON.stringify(x.body));
      assert.equal(new Set(bodies).size, bodies.length, `${id}: no change sent twice`);
    }
    await assertEqualCopies(store, r, ids);
  });

  it('coalesces: one PATCH with only the new periods, a PUT after a failure, nothing when nothing changed', async () => {
    const store = await cpoStore();
    const events = { n: 0 };
    let next: 'ok' | 'lose-answer' = 'ok';
    const r = await receiver(store, 'DE-COA', events, () => {
      const kind = next;
      next = 'ok';
      return { kind };
    });
    const w = worker(store);
    let s: Session = { ...makeSession('COA-1', 'DE-COA', T0), chargingPeriods: [period(1)] };
    await write(store, s);
    assert.equal(await w.runOnce(), 1);
    assert.deepEqual(
      r.received.map((x) => x.method),
      ['PUT'],
    );

    // Three changes while nothing is sent: one PATCH with the three new periods and the latest fields.
    for (const p of [2, 3, 4]) {
      s = { ...s, kwh: p, chargingPeriods: [...s.chargingPeriods, period(p)], lastUpdated: T0 + p };
      await write(store, s);
    }
    assert.equal(await w.runOnce(), 1);
    const patch = r.received[1]!;
    assert.equal(patch.method, 'PATCH');
    assert.deepEqual(
      patch.body.charging_periods,
      (render(s).charging_periods as unknown[]).slice(1),
      'only the periods the receiver does not have',
    );
    assert.equal(patch.body.kwh, 4);
    await assertEqualCopies(store, r, ['COA-1']);

    // The same state written again: a new revision, but the partner has it: nothing is sent.
    await write(store, s);
    assert.equal(await store.outboxDepth(), 1);
    assert.equal(await w.runOnce(), 1, 'claimed');
    assert.equal(r.received.length, 2, 'nothing sent: not even a PATCH of last_updated');
    assert.equal(await store.outboxDepth(), 0);

    // The receiver applies a PATCH but its answer is lost: the next delivery is a PUT of the whole session, and
    // the receiver ends with the CPO's copy (the period applied by the lost PATCH is not appended twice).
    next = 'lose-answer';
    s = { ...s, chargingPeriods: [...s.chargingPeriods, period(5)], lastUpdated: T0 + 5 };
    await write(store, s);
    assert.equal(await w.runOnce(), 1);
    assert.deepEqual(
      r.received.slice(2).map((x) => [x.method, x.outcome]),
      [['PATCH', 'lose-answer']],
    );
    s = { ...s, chargingPeriods: [...s.chargingPeriods, period(6)], lastUpdated: T0 + 6 };
    await write(store, s);
    assert.equal(await w.runOnce(Date.now() + 3_600_000), 1, 'the retry, once its backoff has passed');
    assert.deepEqual(
      r.received.slice(3).map((x) => x.method),
      ['PUT'],
    );
    assert.equal((r.sessions.get('COA-1')!.charging_periods as unknown[]).length, 6);
    await assertEqualCopies(store, r, ['COA-1']);
    assert.equal(await store.outboxDepth(), 0);
  });

  it('a slow partner does not delay a fast one', async () => {
    const store = await cpoStore();
    const events = { n: 0 };
    const slowGate = gate();
    const slow = await receiver(store, 'DE-SLO', events, async () => {
      await slowGate.wait();
      return { kind: 'ok' };
    });
    const fast = await receiver(store, 'DE-FST', events);
    // The slow partner's changes come first.
    for (let i = 0; i < 10; i++) await write(store, makeSession(`SLO-${i}`, 'DE-SLO', T0 + i));
    for (let i = 0; i < 10; i++) await write(store, makeSession(`FST-${i}`, 'DE-FST', T0 + 100 + i));
    const w = worker(store, { perPartner: 4, maxInFlight: 64 });
    w.start(10);
    await waitFor(
      'every fast delivery',
      async () => (fast.received.length === 10 ? true : undefined),
      20_000,
    );
    await waitFor(
      'their answers',
      async () => (fast.received.every((x) => x.ended) ? true : undefined),
      20_000,
    );
    assert.equal(slow.received.length, 4, 'the slow partner has its lane full (--push-concurrency), no more');
    assert.ok(
      slow.received.every((x) => x.ended === undefined),
      'none of the slow answers came before all the fast ones',
    );
    const lastFast = Math.max(...fast.received.map((x) => x.ended!));
    slowGate.open();
    await waitFor(
      'an empty outbox',
      async () => ((await store.outboxDepth()) === 0 ? true : undefined),
      20_000,
    );
    assert.ok(slow.received.every((x) => x.ended! > lastFast));
    assert.equal(slow.received.length, 10);
    await assertEqualCopies(store, slow, [...slow.sessions.keys()]);
  });

  it('a dead partner pauses, is probed with one delivery, and resumes at full speed; other lanes go on', async () => {
    const store = await cpoStore();
    const events = { n: 0 };
    let up = false;
    const dead = await receiver(store, 'DE-DWN', events, () => ({ kind: up ? 'ok' : 'drop' }));
    const live = await receiver(store, 'DE-LIV', events);
    for (let i = 0; i < 12; i++) await write(store, makeSession(`DWN-${i}`, 'DE-DWN', T0 + i));
    const w = worker(store, { perPartner: 4, pauseAfter: 3, baseBackoffMs: 1000, maxBackoffMs: 60_000 });
    const lane = async () => (await store.laneStates()).find((l) => l.partnerKey === 'DE-DWN');
    // Four attempts at once, four failures: the lane pauses (failures 4 >= 3).
    await write(store, makeSession('LIV-1', 'DE-LIV', T0));
    const t0 = Date.now();
    assert.equal(await w.runOnce(t0), 5);
    assert.equal(dead.received.length, 4);
    let state = await lane();
    assert.equal(state?.failures, 4);
    assert.ok(state!.pausedUntil > t0, 'paused');
    assert.match(state!.lastError ?? '', /.+/);
    assert.equal(live.received.length, 1, 'the other lane was served');

    // While paused: nothing is sent to it, the other lane goes on.
    await write(store, makeSession('LIV-2', 'DE-LIV', T0));
    assert.equal(await w.runOnce(Date.now()), 1);
    assert.equal(dead.received.length, 4, 'no attempt while paused');
    assert.equal(live.received.length, 2);

    // The pause has passed: one probe, which fails: paused again.
    const later = state!.pausedUntil + 1;
    assert.equal(await w.runOnce(later), 1, 'one probe');
    assert.equal(dead.received.length, 5);
    state = await lane();
    assert.equal(state?.failures, 5);
    assert.ok(state!.pausedUntil > t0 + 1);
    assert.equal(await w.runOnce(t0 + 2), 0, 'paused again');

    // The partner is back: the probe succeeds and the lane resumes at full speed (four at once again).
    up = true;
    const resumed = Math.max(state!.pausedUntil, Date.now() + 120_000) + 1;
    assert.equal(await w.runOnce(resumed), 1, 'one probe');
    state = await lane();
    assert.deepEqual([state?.failures, state?.pausedUntil], [0, 0]);
    assert.ok(state!.lastSuccessAt! >= t0);
    const before = dead.received.length;
    assert.equal(await w.runOnce(resumed), 4, 'full speed: --push-concurrency at once');
    assert.equal(dead.received.length, before + 4);
    while ((await w.runOnce(resumed)) > 0);
    assert.equal(await store.outboxDepth(), 0);
    await assertEqualCopies(
      store,
      dead,
      Array.from({ length: 12 }, (_, i) => `DWN-${i}`),
    );
  });

  it("probes when the lane's pause ends even if the entry's own backoff is longer", async () => {
    // One entry failing alone: its backoff (steps 0, 1, 2) outgrows the lane's pause (step 0 after three failures).
    // The probe used to find nothing due, and kept the lane paused for a whole lease (60 s).
    const store = await cpoStore();
    const events = { n: 0 };
    let up = false;
    const r = await receiver(store, 'DE-BCK', events, () => ({ kind: up ? 'ok' : 'drop' }));
    await write(store, makeSession('BCK-1', 'DE-BCK', T0));
    const w = worker(store, { pauseAfter: 3, baseBackoffMs: 1000, maxBackoffMs: 60_000 });
    for (let i = 0; i < 3; i++) assert.equal(await w.runOnce(Date.now() + 3_600_000), 1);
    const lane = (await store.laneStates()).find((l) => l.partnerKey === 'DE-BCK')!;
    assert.equal(lane.failures, 3);
    up = true;
    const probeAt = lane.pausedUntil + 1;
    assert.equal(await w.runOnce(probeAt), 1, 'the probe sends the waiting entry');
    assert.equal(r.received.length, 4);
    assert.equal(await store.outboxDepth(), 0);
    await assertEqualCopies(store, r, ['BCK-1']);
  });

  it("resumes with the lane's whole backlog once the probe succeeds, not each entry's own backoff", async () => {
    const path = tempDb('cpo.db');
    const store = new SqliteStore(path);
    open.push(store);
    await setIdentity(store, { countryCode: 'NL', partyId: 'CPO', roles: ['CPO'], name: 'CPO' });
    const events = { n: 0 };
    let up = false;
    const r = await receiver(store, 'DE-BLG', events, () => ({ kind: up ? 'ok' : 'drop' }));
    for (let i = 0; i < 3; i++) await write(store, makeSession(`BLG-${i}`, 'DE-BLG', T0 + i));
    const w = worker(store, { perPartner: 4, pauseAfter: 3, baseBackoffMs: 1000, maxBackoffMs: 60_000 });
    assert.equal(await w.runOnce(), 3, 'three failures: the lane pauses');
    const lane = (await store.laneStates()).find((l) => l.partnerKey === 'DE-BLG')!;
    const probeAt = lane.pausedUntil + 1;
    // After a long outage entries back off up to the cap, each on its own jitter: here they wait an hour past the
    // lane's pause (the state a long outage leaves, set directly rather than waited for).
    const db = new Database(path);
    db.prepare('UPDATE outbox SET next_attempt_at = ? WHERE partner_key = ?').run(
      probeAt + 3_600_000,
      'DE-BLG',
    );
    db.close();
    up = true;
    assert.equal(await w.runOnce(probeAt), 1, 'one probe');
    assert.equal(await w.runOnce(probeAt), 2, 'the rest at once: the partner answered');
    assert.equal(await store.outboxDepth(), 0);
    await assertEqualCopies(store, r, ['BLG-0', 'BLG-1', 'BLG-2']);
  });

  it('keeps all lanes together within the process-wide cap', async () => {
    const store = await cpoStore();
    const events = { n: 0 };
    let concurrent = 0;
    let most = 0;
    const behave = async () => {
      most = Math.max(most, ++concurrent);
      await new Promise((res) => setTimeout(res, 5));
      concurrent--;
      return { kind: 'ok' as const };
    };
    const receivers = [];
    for (const party of ['DE-CA1', 'DE-CA2', 'DE-CA3']) {
      receivers.push(await receiver(store, party, events, behave));
      for (let i = 0; i < 6; i++) await write(store, makeSession(`${party}-${i}`, party, T0 + i));
    }
    const w = worker(store, { perPartner: 4, maxInFlight: 5 });
    assert.equal(await w.runOnce(), 5, 'the budget, shared');
    assert.deepEqual(
      receivers.map((r) => r.received.length).sort(),
      [1, 2, 2],
      'round the lanes, not the first lane first',
    );
    while ((await w.runOnce()) > 0);
    assert.ok(most <= 5, `at most --push-max-in-flight at once (${most})`);
    assert.equal(await store.outboxDepth(), 0);
  });
});
