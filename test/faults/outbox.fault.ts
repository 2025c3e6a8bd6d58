// Push outbox, partner down for a long time and then flaky: a CPO (real process) pushes live sessions to an
// eMSP (real process) through a proxy (test/support/emsp-proxy.ts) that first refuses everything (the eMSP is "down"), then
// misbehaves (503s, answers lost after the eMSP applied the request, slow answers), then is healthy. The CPO is
// also SIGKILLed while its outbox is full. Deliveries are coalesced per session by design (push-delivery.ts):
// what must hold is that at the end every session at the eMSP equals the CPO's, byte for byte in the 2.2.1
// rendering (so no charging period lost or applied twice), that per session the eMSP never saw last_updated
// go backwards, and that the outbox drains. OUTBOX_DOWN_SECONDS (default 30) is how long the eMSP is away.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Session } from '../../src/domain/session.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { tempDb, tokenHeader } from '../support/server.js';
import { request } from '../support/http.js';
import { freePort } from '../support/ports.js';
import { body221, sleep } from './helpers.js';
import { setParty, cli, serve, type Served } from '../support/cli.js';
import { registeredEmspBehindProxy, type emspProxy } from '../support/emsp-proxy.js';

const DOWN_SECONDS = Number(process.env.OUTBOX_DOWN_SECONDS ?? 30);
const SESSIONS = 25;
const PATCHES = 8;

describe('push outbox: eMSP down for a long time, then flaky, then back', () => {
  const cpoDb = tempDb('cpo.db');
  const emspDb = tempDb('emsp.db');
  let cpo: Served;
  let emsp: Served;
  let cpoPort: number;
  let p: ReturnType<typeof emspProxy>;
  let ingest: Record<string, string>;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  before(async () => {
    setParty(cpoDb, 'NL-CPO', 'CPO', 'CPO');
    cpoPort = await freePort();
    cpo = await serve(cpoDb, cpoPort, ['--push-backoff-ms', '100']);
    ({ proxy: p, emsp } = await registeredEmspBehindProxy(cpoDb, emspDb, 'DE-EMS'));
    ingest = tokenHeader(cli(['ingest-token', '--db', cpoDb]).trim());
  });
  after(async () => {
    await cpo?.stop();
    await emsp?.stop();
    p?.server.close();
  });

  it('delivers the final state of every session, never backwards, nothing twice, and drains the outbox', async () => {
    const base = [
      ...generateDemoSessions({
        count: SESSIONS,
        seed: 12,
        emsps: [{ countryCode: 'DE', partyId: 'EMS' }],
        cpo: { countryCode: 'NL', partyId: 'CPO' },
        now: Date.now() - 3_600_000,
      }),
    ];
    const t0 = Date.now() - 3_000_000;
    const sessions: Session[] = base.map((s, i) => ({
      ...s,
      id: `OB-${i}`,
      status: 'ACTIVE',
      chargingPeriods: [],
      endDateTime: undefined,
      totalCost: undefined,
      startDateTime: t0,
      lastUpdated: t0,
    }));
    const send = async (method: 'PUT' | 'PATCH', id: string, body: unknown) => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const a = await request(
          agent,
          `http://127.0.0.1:${cpoPort}`,
          method,
          `/ingest/2.2.1/sessions/NL/CPO/${id}`,
          ingest,
          body,
        );
        if (a.status === 200 || a.status === 201) return;
        assert.equal(a.status, 0, `${method} ${id}: ${a.status} ${a.text}`); // only: CPO restarting
        await sleep(100);
      }
      assert.fail(`${method} ${id} never accepted`);
    };
    const patch = (i: number, k: number) => ({
      charging_periods: [
        {
          start_date_time: new Date(t0 + k * 60_000).toISOString(),
          dimensions: [{ type: 'ENERGY', volume: k + i / 100 }],
        },
      ],
      kwh: k,
      last_updated: new Date(t0 + k * 60_000 + i).toISOString(),
    });

    const sent = new Map<string, number>(); // session id → periods sent
    let k = 0;
    const change = async (i: number) => {
      const s = sessions[i]!;
      k++;
      await send('PATCH', s.id, patch(i, k));
      sent.set(s.id, (sent.get(s.id) ?? 0) + 1);
    };
    const settled = async (what: string, bound = 300_000) => {
      const end = Date.now() + bound;
      while (Date.now() < end) {
        const h = await request(agent, `http://127.0.0.1:${cpoPort}`, 'GET', '/health', {});
        if (h.json?.data?.outbox === 0) return;
        await sleep(250);
      }
      assert.fail(`outbox not empty ${bound} ms after ${what}`);
    };

    // 1. Up: every session created and delivered once (PUT), so later changes go out as PATCHes.
    for (const s of sessions) await send('PUT', s.id, body221(s));
    await settled('the first PUTs');

    // 2. The eMSP is down for a long time: every session changes many times meanwhile; the CPO is killed once.
    p.setMode('down');
    const downUntil = Date.now() + DOWN_SECONDS * 1000;
    for (let round = 1; round <= PATCHES; round++) {
      for (let i = 0; i < SESSIONS; i++) await change(i);
      if (round === PATCHES / 2) {
        await cpo.kill();
        cpo = await serve(cpoDb, cpoPort, ['--push-backoff-ms', '100']);
      }
      await sleep(Math.max(0, (downUntil - Date.now()) / (PATCHES - round + 1)));
    }
    const depth = await request(agent, `http://127.0.0.1:${cpoPort}`, 'GET', '/health', {});
    assert.ok(depth.json.data.outbox >= SESSIONS, `outbox ${depth.json.data.outbox} while the eMSP is down`);

    // 3. Flaky (503s, answers lost after the eMSP applied a PATCH, slow answers) while changes keep coming,
    //    until several applied-but-unacknowledged PATCHes were retried (bounded).
    p.setMode('flaky');
    const flakyUntil = Date.now() + 120_000;
    while (Date.now() < flakyUntil && p.stats.patchAnswerDropped < 8) {
      await change(Math.floor(Math.random() * SESSIONS));
      await sleep(300);
    }
    for (const [i, s] of sessions.entries()) {
      await send('PATCH', s.id, {
        status: 'COMPLETED',
        end_date_time: new Date(t0 + 100_000 * 60_000).toISOString(),
        last_updated: new Date(t0 + 100_000 * 60_000 + i).toISOString(),
      });
    }
    await sleep(3000);
    p.setMode('up');

    // Everything arrives: the outbox drains and every session at the eMSP is the CPO's.
    const render = (s: Session) => codecFor('ocpi-2.2.1').render(s);
    const cpoStore = new SqliteStore(cpoDb);
    const emspStore = new SqliteStore(emspDb);
    const waitedFrom = Date.now();
    try {
      let differing: string[] = [];
      for (let i = 0; i < 600; i++) {
        const h = await request(agent, `http://127.0.0.1:${cpoPort}`, 'GET', '/health', {});
        differing = [];
        for (const s of sessions) {
          const a = (await cpoStore.getSession('NL', 'CPO', s.id))!.session;
          const b = (await emspStore.getSession('NL', 'CPO', s.id))?.session;
          if (!b || render(a) !== render(b)) differing.push(s.id);
        }
        if (h.json?.data?.outbox === 0 && differing.length === 0) break;
        await sleep(500);
      }
      if (differing.length) {
        // Why: what each side holds, and the outbox rows of those sessions.
        const lines: string[] = [];
        for (const id of differing) {
          const a = (await cpoStore.getSession('NL', 'CPO', id))!;
          const b = (await emspStore.getSession('NL', 'CPO', id))?.session;
          lines.push(
            `${id} seq ${a.seq}: CPO ${a.session.chargingPeriods.length} periods lu ${new Date(a.session.lastUpdated).toISOString()} ${a.session.status}; ` +
              `eMSP ${b?.chargingPeriods.length} periods lu ${b && new Date(b.lastUpdated).toISOString()} ${b?.status}`,
          );
        }
        const Database = (await import('better-sqlite3')).default;
        const raw = new Database(cpoDb, { readonly: true });
        lines.push(JSON.stringify(raw.prepare('SELECT * FROM outbox').all()));
        raw.close();
        assert.fail(`sessions at the eMSP that differ from the CPO:\n${lines.join('\n')}`);
      }
      for (const s of sessions) {
        const b = (await emspStore.getSession('NL', 'CPO', s.id))!.session;
        assert.equal(
          b.chargingPeriods.length,
          sent.get(s.id),
          `${s.id}: ${b.chargingPeriods.length} periods`,
        );
        const starts = b.chargingPeriods.map((x) => x.startDateTime);
        assert.equal(new Set(starts).size, starts.length, `${s.id}: a charging period arrived twice`);
        assert.equal(b.status, 'COMPLETED');
      }
    } finally {
      await cpoStore.close();
      await emspStore.close();
    }
    // Per session, what the eMSP accepted never went back in time.
    const bySession = new Map<string, string[]>();
    for (const a of p.accepted) bySession.set(a.id, [...(bySession.get(a.id) ?? []), a.lastUpdated]);
    for (const [id, times] of bySession) {
      for (let i = 1; i < times.length; i++)
        assert.ok(times[i]! >= times[i - 1]!, `${id}: last_updated went back: ${times.join(' ')}`);
    }
    console.log(
      `outbox: eMSP down ${DOWN_SECONDS} s (CPO killed once meanwhile), then flaky: ${JSON.stringify(p.stats)}; ` +
        `${p.accepted.length} deliveries accepted for ${SESSIONS} sessions and ${k + 2 * SESSIONS} changes; all equal ${Math.round((Date.now() - waitedFrom) / 1000)} s after the eMSP was back`,
    );
  });
});
