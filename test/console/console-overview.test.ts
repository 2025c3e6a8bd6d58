// The console's overview, session page and partner actions on both stores (SQLite and PostgreSQL), over real HTTP
// on loopback: session figures from the counters and the recent window, per partner; the outbox and the operator
// pause as the store keeps them; retry making a failed entry due now; a console-started pull of a real CPO peer
// (running, then ok, its sessions listed under the partner).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/domain/session.js';
import { WIRE_FORMATS } from '../../src/domain/wire-format.js';
import { toRecord } from '../../src/modules/sessions/service/writer.js';
import { addPartner } from '../../src/service/partners.js';
import { savePullConfig } from '../../src/service/pull-state.js';
import type { SessionStore } from '../../src/store/contract.js';
import { DAY_MS } from '../../src/store/paging.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { consoleAct, consoleGet, operatorAuth } from '../support/console.js';
import { startPeer, type Peer } from '../support/peer.js';
import { waitFor } from '../support/ports.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { startTestServer, tempDb, type TestServer } from '../support/server.js';
import { makeSession } from '../support/sessions.js';

const databases: string[] = [];
after(async () => {
  await Promise.all(databases.map(dropDatabase));
});

function cases(name: string, open: () => Promise<SessionStore>) {
  describe(`console overview and actions (${name})`, () => {
    let server: TestServer;
    let store: SessionStore;
    let auth: Record<string, string>;
    let peer: Peer;
    const now = Date.now();
    const todayStart = Math.floor(now / DAY_MS) * DAY_MS;
    let enqueuedBy = 0;
    before(async () => {
      store = await open();
      await store.addStoredFormats(WIRE_FORMATS); // the session page shows every stored format (issue 16)
      const at = (i: number, lastUpdated: number, status: Session['status'], emsp: string) => {
        const s = makeSession(`O${i}`, emsp, lastUpdated);
        s.status = status;
        return toRecord(s, undefined, WIRE_FORMATS);
      };
      await store.putSessions(
        [
          // Today: DE-EMS 3 (2 active), FR-MSP 1 (active). Earlier: 4 days ago (not today, not in the window).
          at(1, todayStart + 1000, 'ACTIVE', 'DE-EMS'),
          at(2, todayStart + 2000, 'ACTIVE', 'DE-EMS'),
          at(3, todayStart + 3000, 'COMPLETED', 'DE-EMS'),
          at(4, todayStart + 4000, 'ACTIVE', 'FR-MSP'),
          at(5, now - 4 * DAY_MS, 'ACTIVE', 'DE-EMS'),
          at(6, now - 4 * DAY_MS, 'COMPLETED', 'FR-MSP'),
        ],
        { mode: 'replace', pushTo: ['DE-EMS'] },
      );
      enqueuedBy = Date.now();
      for (const p of ['DE-EMS', 'FR-MSP']) {
        const [countryCode, partyId] = p.split('-') as [string, string];
        await addPartner(store, { countryCode, partyId, roles: ['EMSP'], format: 'ocpi' });
      }
      peer = await startPeer({
        sessions: [1, 2, 3].map((i) => makeSession(`P${i}`, 'NL-EMS', now - i * 60_000, 'NL-OCS')),
      });
      await addPartner(store, { countryCode: 'NL', partyId: 'OCS', roles: ['CPO'], format: 'ocpi' });
      await savePullConfig(store, 'NL-OCS', { url: peer.versionsUrl, token: 'peer-token', emsp: 'NL-EMS' });
      server = await startTestServer({ console: true }, store);
      auth = await operatorAuth(store);
    });
    after(async () => {
      await server.close();
      await peer.close();
    });

    const get = (path: string) => consoleGet(server.url, auth, path);
    const act = (key: string, action: string) => consoleAct(server.url, auth, key, action);

    it('overview: totals, today, active and per partner; the outbox per partner; pulls', async () => {
      const o = await get('/console/api/overview');
      assert.equal(o.sessions.total, 6);
      assert.equal(o.sessions.today, 4);
      assert.equal(o.sessions.active, 3);
      assert.equal(o.sessions.window_truncated, false);
      assert.deepEqual(o.sessions.per_partner, [
        { partner: 'DE-EMS', role: 'EMSP', sessions_today: 3, active: 2 },
        { partner: 'FR-MSP', role: 'EMSP', sessions_today: 1, active: 1 },
        { partner: 'NL-OCS', role: 'CPO', sessions_today: 0, active: 0 },
      ]);
      const outbox = (o.outbox as { partner: string; pending: number; paused_by_operator: boolean }[]).map(
        (x) => [x.partner, x.pending, x.paused_by_operator],
      );
      assert.deepEqual(outbox, [['DE-EMS', 4, false]]); // pushTo enqueues the sessions DE-EMS owns
      // The oldest waiting change's age: since it was enqueued (before enqueuedBy), as of generated_at.
      const age = (o.outbox as { oldest_age_s: number }[])[0]!.oldest_age_s;
      const generated = Date.parse(o.generated_at as string);
      assert.ok(age >= (generated - enqueuedBy) / 1000 && age <= (generated - now) / 1000 + 1, `${age}`);
      assert.deepEqual(o.pulls, [
        { key: 'NL-OCS', module: 'sessions', last_sync: null, last_run: null, result: null, next_run: null },
      ]);
      assert.equal(typeof o.rates.ingest_per_min, 'number');
      assert.equal(o.errors_last_hour, 0);
    });

    it('pause and resume are kept in the store; retry makes a failed entry due now', async () => {
      await act('DE-EMS', 'pause');
      assert.equal((await store.laneStates()).find((l) => l.partnerKey === 'DE-EMS')?.operatorPaused, true);
      const partners = (await get('/console/api/partners')) as {
        key: string;
        lane: { paused_by_operator: boolean };
      }[];
      assert.equal(partners.find((p) => p.key === 'DE-EMS')!.lane.paused_by_operator, true);
      assert.equal(JSON.stringify(partners).includes('token'), true, 'token_encoding only');
      assert.equal(
        /peer-token|token_hash|their_token/.test(JSON.stringify(partners)),
        false,
        'no token value',
      );
      await act('DE-EMS', 'resume');
      assert.equal((await store.laneStates()).find((l) => l.partnerKey === 'DE-EMS')?.operatorPaused, false);

      // One entry claimed and failed with a retry an hour away; a failure pause on the lane too.
      const [d] = await store.claimLanes([{ partnerKey: 'DE-EMS', limit: 1 }], Date.now(), 60_000);
      assert.ok(d);
      assert.equal(await store.failDelivery(d, Date.now() + 3_600_000, 'HTTP 500'), true);
      await store.laneFailed('DE-EMS', Date.now(), 'HTTP 500');
      await store.pauseLane('DE-EMS', Date.now() + 3_600_000);
      const r = await act('DE-EMS', 'retry');
      assert.equal(r.made_due, 1);
      const entry = await store.outboxEntry(d);
      assert.ok(
        entry && entry.nextAttemptAt <= Date.now() && entry.attempts === 1 && entry.lastError === 'HTTP 500',
      );
      const lane = (await store.laneStates()).find((l) => l.partnerKey === 'DE-EMS')!;
      assert.equal(lane.pausedUntil, 0);
      assert.equal(lane.failures, 0);
      const page = await get(
        `/console/api/sessions/NL/CPO/${(await store.getSessionBySeq(d.objectSeq))!.session.id}`,
      );
      assert.deepEqual(
        (page.deliveries as { partner: string; result: string; error: string }[]).map((x) => [
          x.partner,
          x.result,
          x.error,
        ]),
        [['DE-EMS', 'failing', 'HTTP 500']],
      );
      assert.deepEqual(
        Object.keys(page.formats).sort(),
        [...WIRE_FORMATS].sort(),
        'the body of every wire format',
      );
    });

    it('pull runs one pull of the CPO partner in the background; the overview shows its outcome', async () => {
      const r = await act('NL-OCS', 'pull');
      const job = r.job as { state: string; key: string };
      assert.equal(job.key, 'NL-OCS');
      assert.ok(job.state === 'running' || job.state === 'ok');
      const pull = await waitFor(
        'the pull to finish',
        async () => {
          const o = await get('/console/api/overview');
          const p = (o.pulls as { result: string | null }[])[0]!;
          return p.result === 'ok' || p.result === 'failed' ? p : undefined;
        },
        30_000,
      );
      assert.equal(pull.result, 'ok');
      const list = await get('/console/api/sessions?partner=NL-OCS');
      assert.deepEqual(
        (list.items as { id: string }[]).map((i) => i.id),
        ['P1', 'P2', 'P3'],
      );
      const again = await act('NL-OCS', 'pull');
      assert.ok(['running', 'ok'].includes((again.job as { state: string }).state));
    });
  });
}

cases('SQLite', async () => new SqliteStore(tempDb()));
cases('PostgreSQL', async () => {
  const url = await postgresUrl();
  databases.push(url);
  return PostgresStore.connect(url);
});
