// Three `ocpi-sessions serve` processes on one PostgreSQL push to one slow eMSP (a real eMSP process behind a
// proxy that answers every PUT/PATCH after 400 ms), each with up to 4 deliveries in flight to it (push lanes), while
// a second eMSP is down (its proxy closes every connection). The lease is short (serve --push-lease-ms 4000), so a
// worker whose deliveries outlive it has them taken over by another process while it is still sending. What must
// hold: every change is delivered exactly once (no PUT/PATCH body twice for one session, charging periods appended
// exactly once when the accepted requests are replayed without de-duplication), in order per session (last_updated
// never goes back), the eMSP ends with the CPO's copy of every session, deliveries overlapped (lanes in use), and
// the down eMSP's lane is paused (seen by /health and by `ocpi-sessions outbox`) without holding the other up.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../src/domain/session.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { body221, sleep } from '../faults/helpers.js';
import { setParty, cli, serve, type Served } from '../support/cli.js';
import { registeredEmspBehindProxy, type emspProxy } from '../support/emsp-proxy.js';
import { waitFor, freePort } from '../support/ports.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { tempDb, tokenHeader } from '../support/server.js';
import { getJson } from '../support/http.js';

const SESSIONS = 24;
const PATCHES = 3;
// The request timeout is half the lease (leaseBounds): 2 s, five times the receiver delay, so that a loaded machine
// does not time a request out after the eMSP applied it (a retried PUT is then a second delivery by design).
const LEASE_MS = 4000;
const RECEIVER_DELAY_MS = 400;

describe('push outbox: three processes on one PostgreSQL, one slow eMSP', () => {
  let db: string;
  const emspDb = tempDb('emsp.db');
  const cpos: Served[] = [];
  let emsp: Served | undefined;
  let p: ReturnType<typeof emspProxy>;
  const downDb = tempDb('down.db');
  let down: Served | undefined;
  let pDown: ReturnType<typeof emspProxy>;
  let ingest: Record<string, string>;

  before(async () => {
    db = await postgresUrl();
    cli(['migrate', '--db', db]);
    setParty(db, 'NL-CPO', 'CPO', 'CPO');
    for (let i = 0; i < 3; i++) {
      const flags = ['--push-lease-ms', String(LEASE_MS), '--push-backoff-ms', '100'];
      cpos.push(await serve(db, await freePort(), flags));
    }
    ({ proxy: p, emsp } = await registeredEmspBehindProxy(db, emspDb, 'DE-EMS', {
      delayMs: RECEIVER_DELAY_MS,
    }));
    ingest = tokenHeader(cli(['ingest-token', '--db', db]).trim());
    // The second eMSP registers, then goes down for the rest of the test.
    ({ proxy: pDown, emsp: down } = await registeredEmspBehindProxy(db, downDb, 'DE-DWN'));
    pDown.setMode('down');
  });
  after(async () => {
    for (const c of cpos) await c.stop();
    await emsp?.stop();
    await down?.stop();
    p?.server.close();
    pDown?.server.close();
    if (db) await dropDatabase(db);
  });

  it('delivers every change exactly once, in order per session; the eMSP ends with the CPO copy', async () => {
    const t0 = Date.now() - 3_000_000;
    const sessions: Session[] = [
      ...generateDemoSessions({
        count: SESSIONS,
        seed: 21,
        emsps: [{ countryCode: 'DE', partyId: 'EMS' }],
        cpo: { countryCode: 'NL', partyId: 'CPO' },
        now: Date.now() - 3_600_000,
      }),
    ].map((s, i) => ({
      ...s,
      id: `XO-${i}`,
      status: 'ACTIVE',
      chargingPeriods: [],
      endDateTime: undefined,
      totalCost: undefined,
      startDateTime: t0,
      lastUpdated: t0 + i,
    }));
    // Ingest through all three processes in turn; a round changes every session once.
    let n = 0;
    const send = async (method: 'PUT' | 'PATCH', id: string, body: unknown) => {
      const url = `${cpos[n++ % cpos.length]!.url}/ingest/2.2.1/sessions/NL/CPO/${id}`;
      const res = await fetch(url, {
        method,
        headers: { ...ingest, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.ok(
        res.status === 200 || res.status === 201,
        `${method} ${id}: ${res.status} ${await res.text()}`,
      );
    };
    // The down eMSP's sessions first: its lane must not hold up the other one.
    const downSessions = [
      ...generateDemoSessions({
        count: 6,
        seed: 22,
        emsps: [{ countryCode: 'DE', partyId: 'DWN' }],
        cpo: { countryCode: 'NL', partyId: 'CPO' },
        now: Date.now() - 3_600_000,
      }),
    ].map((s, i) => ({ ...s, id: `DWN-${i}`, lastUpdated: t0 + i }));
    for (const s of downSessions) await send('PUT', s.id, body221(s));
    for (const s of sessions) await send('PUT', s.id, body221(s));
    for (let k = 1; k <= PATCHES; k++) {
      for (const [i, s] of sessions.entries()) {
        await send('PATCH', s.id, {
          charging_periods: [
            {
              start_date_time: new Date(t0 + k * 60_000).toISOString(),
              dimensions: [{ type: 'ENERGY', volume: k + i / 100 }],
            },
          ],
          kwh: k,
          last_updated: new Date(t0 + k * 60_000 + i).toISOString(),
        });
      }
      await sleep(RECEIVER_DELAY_MS); // changes keep arriving while deliveries are under way
    }

    const render = (s: Session) => codecFor('ocpi-2.2.1').render(s);
    const cpoStore = await PostgresStore.connect(db, { poolSize: 1 });
    const emspStore = new SqliteStore(emspDb);
    const cpoCopy = new Map<string, Session>();
    try {
      for (const s of sessions) cpoCopy.set(s.id, (await cpoStore.getSession('NL', 'CPO', s.id))!.session);
      await waitFor(
        "the live eMSP's entries delivered and every session there equal to the CPO copy",
        async () => {
          const h = await getJson(`${cpos[0]!.url}/health`);
          if (h.body?.data?.outbox !== downSessions.length) return undefined;
          for (const s of sessions) {
            const b = (await emspStore.getSession('NL', 'CPO', s.id))?.session;
            if (!b || render(b) !== render(cpoCopy.get(s.id)!)) return undefined;
          }
          return true;
        },
        60_000,
      );
    } finally {
      await cpoStore.close();
      await emspStore.close();
    }
    await sleep(LEASE_MS); // a delivery still in flight somewhere would land now

    const bySession = new Map<string, typeof p.accepted>();
    for (const a of p.accepted) bySession.set(a.id, [...(bySession.get(a.id) ?? []), a]);
    const problems: string[] = [];
    for (const s of sessions) {
      const got = bySession.get(s.id) ?? [];
      const bodies = got.map((a) => `${a.method} ${a.body}`);
      const twice = bodies.filter((b, i) => bodies.indexOf(b) !== i);
      if (twice.length) problems.push(`${s.id}: delivered twice: ${twice.join(' | ')}`);
      const times = got.map((a) => a.lastUpdated);
      if (times.some((t, i) => i > 0 && t < times[i - 1]!))
        problems.push(`${s.id}: last_updated went back: ${times.join(' ')}`);
      // Replay what the eMSP accepted as a receiver that does not de-duplicate (2.2.1 PATCH appends periods).
      let periods: unknown[] = [];
      for (const a of got) {
        const body = JSON.parse(a.body) as { charging_periods?: unknown[] };
        if (a.method === 'PUT') periods = body.charging_periods ?? [];
        else periods.push(...(body.charging_periods ?? []));
      }
      const want = (JSON.parse(render(cpoCopy.get(s.id)!)) as { charging_periods: unknown[] })
        .charging_periods;
      if (JSON.stringify(periods) !== JSON.stringify(want))
        problems.push(`${s.id}: replayed ${periods.length} charging periods, the CPO has ${want.length}`);
    }
    assert.deepEqual(problems, [], `${problems.length} of ${SESSIONS} sessions:\n${problems.join('\n')}`);
    assert.ok(p.stats.maxPushing > 1, `deliveries overlapped (at most ${p.stats.maxPushing} at once)`);
    assert.ok(p.stats.maxPushing <= 3 * 4, 'at most --push-concurrency per process');

    // The down eMSP: nothing delivered, its lane paused after failing, as /health and `outbox` show.
    assert.equal(pDown.accepted.length, 0);
    assert.ok(pDown.stats.refused >= 3, `refused ${pDown.stats.refused}`);
    const health = (await getJson(`${cpos[1]!.url}/health`)).body.data;
    assert.ok(health.push.failing >= 1, JSON.stringify(health.push));
    assert.match(health.push.lastError, /^DE-DWN: /);
    assert.ok(health.push.lastSuccessAt !== null);
    const outbox = JSON.parse(cli(['outbox', '--db', db, '--json']));
    const dwn = outbox.partners.find((x: { partner: string }) => x.partner === 'DE-DWN');
    assert.equal(dwn.pending, downSessions.length);
    assert.ok(dwn.failures >= 3, `failures in a row: ${dwn.failures}`);
    assert.ok(dwn.lastError, 'last error kept');
    const ems = outbox.partners.find((x: { partner: string }) => x.partner === 'DE-EMS');
    assert.deepEqual([ems.pending, ems.failures], [0, 0]);
    assert.ok(ems.lastSuccessAt !== null);
    console.log(
      `push exactly once: ${p.accepted.length} deliveries for ${SESSIONS} sessions and ${SESSIONS * (PATCHES + 1)} changes, 3 processes, at most ${p.stats.maxPushing} at once`,
    );
  });
});
