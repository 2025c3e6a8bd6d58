// kill -9 while a CPO back end streams ingest PUTs and PATCHes over keep-alive connections: the server is
// SIGKILLed at random points and restarted on the same database. 32 connections at once and half of the
// requests creating new sessions, so the server commits them in groups (src/service/group-commit.ts): the kills
// land during group commits. Afterwards every request that got a 2xx "Success" is in the store exactly once:
// sessions PUT exist; each PATCH appended one charging period that
// names it (start = T0 + n s, volume n), present once if acknowledged, at most once if its answer was lost in
// the crash, and absent if it was answered "Not applied" (stale) or 404 (its PUT was lost). SQLite and
// PostgreSQL. KILL9_REQUESTS (default 3000) and KILL9_CRASHES (default 4) size the run.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Session } from '../../src/domain/session.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import type { SessionStore } from '../../src/store/contract.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { tempDb, tokenHeader } from '../support/server.js';
import { request, type Answer } from '../support/http.js';
import { freePort } from '../support/ports.js';
import { body221, integrityCheck, sleep } from './helpers.js';
import { setParty, cli, serve, type Served } from '../support/cli.js';

const REQUESTS = Number(process.env.KILL9_REQUESTS ?? 3000);
const CRASHES = Number(process.env.KILL9_CRASHES ?? 4);
const SESSIONS = 20;
const WORKERS = 32;
const T0 = Date.UTC(2030, 0, 1);

interface Op {
  n: number;
  method: 'PUT' | 'PATCH';
  session: Session;
  answer?: Answer;
}

function patchBody(n: number) {
  return {
    charging_periods: [
      { start_date_time: new Date(T0 + n * 1000).toISOString(), dimensions: [{ type: 'ENERGY', volume: n }] },
    ],
    kwh: n,
    last_updated: new Date(T0 + n * 1000).toISOString(),
  };
}

async function run(kind: 'sqlite' | 'postgres') {
  const db = kind === 'sqlite' ? tempDb('kill9.db') : await postgresUrl();
  try {
    setParty(db, 'NL-OCS', 'CPO', 'Us');
    const auth = tokenHeader(cli(['ingest-token', '--db', db]).trim());
    const port = await freePort();
    let server: Served = await serve(db, port);
    const sessions = [
      ...generateDemoSessions({
        count: SESSIONS,
        seed: 9,
        emsps: [{ countryCode: 'DE', partyId: 'EMP' }],
        cpo: { countryCode: 'NL', partyId: 'OCS' },
        now: Date.UTC(2025, 0, 1),
      }),
    ].map((s, i): Session => ({
      ...s,
      id: `K9-${i}`,
      status: 'ACTIVE',
      chargingPeriods: [],
      lastUpdated: T0,
      endDateTime: undefined,
      totalCost: undefined,
    }));
    // The stream: every session PUT first, then PUTs of new sessions (creates, grouped into shared commits)
    // alternating with PATCHes of random sessions, 32 connections at once, so PATCHes of one session also race
    // each other (some are then answered "Not applied": a newer one won).
    const ops: Op[] = sessions.map((session, n) => ({ n, method: 'PUT' as const, session }));
    for (let n = ops.length; n < REQUESTS; n++) {
      if (n % 2 === 0)
        ops.push({ n, method: 'PUT', session: { ...sessions[n % SESSIONS]!, id: `K9-N${n}` } });
      else ops.push({ n, method: 'PATCH', session: sessions[Math.floor(Math.random() * SESSIONS)]! });
    }
    // Crash points: after this many answered requests, spread over the run.
    const crashAt = Array.from({ length: CRASHES }, (_, i) =>
      Math.floor(((i + 0.3 + Math.random() * 0.5) * REQUESTS) / (CRASHES + 0.5)),
    ).sort((a, b) => a - b);

    let agent = new http.Agent({ keepAlive: true, maxSockets: WORKERS });
    let next = 0;
    let answered = 0;
    let restarting: Promise<void> | undefined;
    let crashes = 0;
    const crash = async () => {
      crashes++;
      await server.kill();
      agent.destroy(); // the old process's sockets are gone
      agent = new http.Agent({ keepAlive: true, maxSockets: WORKERS });
      server = await serve(db, port);
    };
    const worker = async () => {
      for (;;) {
        if (restarting) await restarting;
        const op = ops[next++];
        if (!op) return;
        const path = `/ingest/2.2.1/sessions/NL/OCS/${op.session.id}`;
        op.answer = await request(
          agent,
          server.url,
          op.method,
          path,
          auth,
          op.method === 'PUT' ? body221(op.session) : patchBody(op.n),
        );
        answered++;
        if (crashAt[crashes] !== undefined && answered >= crashAt[crashes]! && !restarting) {
          restarting = crash().finally(() => (restarting = undefined));
        }
        if (op.answer.status === 0 && !restarting) await sleep(20); // refused while the process restarts
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    if (restarting) await restarting;
    assert.equal(await server.stop(), 0);

    // What the store says, read directly.
    const store: SessionStore = kind === 'sqlite' ? new SqliteStore(db) : await PostgresStore.connect(db);
    let ackPut = 0;
    let ackPatch = 0;
    let lostAnswers = 0;
    let stale = 0;
    let lost = 0;
    try {
      const stored = new Map<string, Session>();
      for (const { session: s } of ops.filter((o) => o.method === 'PUT')) {
        const x = await store.getSession('NL', 'OCS', s.id);
        if (x) stored.set(s.id, x.session);
      }
      for (const op of ops) {
        const a = op.answer!;
        const ok = a.status >= 200 && a.status < 300 && a.json?.status_message === 'Success';
        if (a.status === 0) lostAnswers++;
        if (/Not applied/.test(a.text)) stale++;
        else assert.ok(a.status < 500, `${op.method} ${op.n}: HTTP ${a.status} ${a.text}`);
        const s = stored.get(op.session.id);
        if (op.method === 'PUT') {
          if (ok) {
            ackPut++;
            if (!s) lost++;
          }
          continue;
        }
        const copies = s ? s.chargingPeriods.filter((p) => p.dimensions[0]?.volume === op.n).length : 0;
        assert.ok(copies <= 1, `PATCH ${op.n} appended ${copies} times`);
        if (ok) {
          ackPatch++;
          if (copies !== 1) lost++;
        } else if (a.status !== 0) {
          assert.equal(copies, 0, `PATCH ${op.n} answered ${a.status} ${a.text} but stored`);
        }
      }
      for (const s of stored.values()) {
        const volumes = s.chargingPeriods.map((p) => p.dimensions[0]!.volume);
        assert.equal(new Set(volumes).size, volumes.length, `${s.id}: duplicated periods`);
      }
    } finally {
      await store.close();
    }
    if (kind === 'sqlite') assert.equal(integrityCheck(db), 'ok');
    assert.equal(lost, 0, `${lost} acknowledged requests are not in the store`);
    assert.equal(crashes, CRASHES);
    console.log(
      `kill -9 (${kind}): ${ops.length} requests, ${crashes} crashes survived, ${ackPut} PUT + ${ackPatch} PATCH acknowledged, ` +
        `${stale} answered "Not applied", ${lostAnswers} answers lost in crashes, sessions/periods lost: ${lost}`,
    );
  } finally {
    if (kind === 'postgres') await dropDatabase(db);
  }
}

describe('kill -9 during an ingest stream', () => {
  it('SQLite: every acknowledged request is stored exactly once', () => run('sqlite'));
  it('PostgreSQL: every acknowledged request is stored exactly once', () => run('postgres'));
});
