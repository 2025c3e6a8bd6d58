// `push` (issue 14): a CPO with a push backlog for 50 eMSPs, each a real HTTP receiver on loopback in this process:
// 48 answer at once (~a few ms), one answers after 2 s, one refuses connections. `--sessions` changes (one new
// session each) are pending, spread evenly over the 50; then `ocpi-sessions serve` (1 process on SQLite, 1 and
// `--processes` on PostgreSQL) pushes them. Reported per run:
//   - drain: the time until the 48 healthy partners have every one of their sessions, and deliveries/s over it;
//   - new-change delay: every 100 ms while the backlog drains a new session is written for a healthy partner (by
//     this process, into the same store); the time from its write to its arrival at the receiver (p50, p99, max),
//     during the drain (it queues behind its partner's backlog) and for 10 s after it (`after`: the slow and the
//     dead partner still have their backlogs);
//   - duplicates: a session received more than once (each was changed once: one PUT is all it needs) — must be 0.
// With `--before <cli>` (e.g. /work/main/dist/src/cli/main.js) the same run is made with that build first, cut
// at `--cap` seconds (it may never drain): a before/after comparison in one run on one machine.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { rmSync } from 'node:fs';
import type { CommonOptions } from '../main.js';
import { pgDatabaseUrl, withPg, type StoreKind } from '../lib/dataset.js';
import { scratchDir, startService, type Service, CLI } from '../lib/procs.js';
import { loadAverage, log, machineDescription, markdownTable, num } from '../lib/report.js';
import { SERVER_NODE_FLAGS } from '../../src/cli/node-flags.js';
import { toRecord } from '../../src/modules/sessions/service/writer.js';
import { setIdentity } from '../../src/service/identity.js';
import type { SessionStore } from '../../src/store/contract.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { registerReceiverPartner } from '../../test/support/receiver.js';
import { makeSession } from '../../test/support/sessions.js';

const PARTNERS = 50;
const SLOW_MS = 2000;
const PROBE_EVERY_MS = 100;
const AFTER_MS = 10_000;
const BATCH = 1000;
/** BENCH_NODE_FLAGS: more node flags for the serve processes (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof). */
const EXTRA_NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

interface Receivers {
  keys: string[];
  slow: string;
  dead: string;
  urls: Map<string, string>;
  /** Per session id: how many times it was received. */
  seen: Map<string, number>;
  /** Arrival time of each session id (first). */
  arrived: Map<string, number>;
  healthyReceived: number;
  close(): Promise<void>;
}

async function startReceivers(): Promise<Receivers> {
  const keys = Array.from({ length: PARTNERS }, (_, i) => `DE-E${String(i).padStart(2, '0')}`);
  const [slow, dead] = [keys[0]!, keys[1]!];
  const seen = new Map<string, number>();
  const arrived = new Map<string, number>();
  const servers: http.Server[] = [];
  const urls = new Map<string, string>();
  const r: Receivers = { keys, slow, dead, urls, seen, arrived, healthyReceived: 0, close: async () => {} };
  for (const key of keys) {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const id = decodeURIComponent(/\/([^/?]+)$/.exec(req.url ?? '')?.[1] ?? '');
        const answer = () => {
          const n = (seen.get(id) ?? 0) + 1;
          seen.set(id, n);
          if (n === 1) {
            arrived.set(id, Date.now());
            if (key !== slow) r.healthyReceived++;
          }
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"status_code":1000,"status_message":"Success","timestamp":"2025-06-01T00:00:00Z"}');
        };
        if (key === slow) setTimeout(answer, SLOW_MS);
        else answer();
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    if (key === dead)
      await new Promise((resolve) => server.close(resolve)); // the port now refuses connections
    else servers.push(server);
    urls.set(key, `http://127.0.0.1:${port}/ocpi/emsp/2.2.1/sessions`);
  }
  r.close = async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  };
  return r;
}

/** One change of a new session of `emsp` (a fresh session: one PUT delivers it). */
const session = (id: string, emsp: string, at: number) => makeSession(id, emsp, at);

/** A fresh store with the 50 partners registered and `n` pending changes spread over them. */
async function prepare(kind: StoreKind, o: CommonOptions, r: Receivers, tag: string) {
  let db: string;
  let store: SessionStore;
  if (kind === 'sqlite') {
    db = path.join(scratchDir(), `push-${tag}.db`);
    for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
    store = new SqliteStore(db);
  } else {
    const name = `ocpi_bench_push_${tag}`.replace(/[^a-z0-9_]/g, '_');
    await withPg(o.pgAdminUrl, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${name}`);
    });
    db = pgDatabaseUrl(o.pgAdminUrl, name);
    store = await PostgresStore.connect(db, { poolSize: 4 });
  }
  await setIdentity(store, { countryCode: 'NL', partyId: 'CPO', roles: ['CPO'], name: 'bench CPO' });
  for (const key of r.keys) await registerReceiverPartner(store, key, r.urls.get(key)!);
  const at = Date.UTC(2025, 5, 1);
  for (let i = 0; i < o.sessions; i += BATCH) {
    const recs = [];
    for (let j = i; j < Math.min(o.sessions, i + BATCH); j++)
      recs.push(toRecord(session(`B${j}`, r.keys[j % PARTNERS]!, at + j)));
    await store.putSessions(recs, { mode: 'replace', pushTo: r.keys });
  }
  return { db, store };
}

interface Result {
  label: string;
  drainS?: number;
  healthy: number;
  expected: number;
  perSecond: number;
  delays: number[];
  /** New changes written after the drain, while the slow and dead partners have backlogs. */
  after: number[];
  duplicates: number;
  slowDone: number;
}

async function run(
  kind: StoreKind,
  processes: number,
  o: CommonOptions,
  cli: string,
  label: string,
): Promise<Result> {
  const r = await startReceivers();
  const tag = `${kind}_${processes}_${label}`.toLowerCase();
  const { db, store } = await prepare(kind, o, r, tag);
  let expected = 0;
  for (let j = 0; j < o.sessions; j++) if (j % PARTNERS > 1) expected++;
  const servers: Service[] = [];
  const probes = new Map<string, number>();
  let probeNo = 0;
  let timer: NodeJS.Timeout | undefined;
  try {
    log(
      `${label} ${kind} ×${processes}: ${o.sessions} pending changes for ${PARTNERS} partners; starting serve`,
    );
    const started = Date.now();
    for (let i = 0; i < processes; i++)
      servers.push(
        await startService(
          [
            ...SERVER_NODE_FLAGS,
            ...EXTRA_NODE_FLAGS,
            cli,
            'serve',
            '--db',
            db,
            '--port',
            '0',
            '--log-level',
            'silent',
          ],
          /listening on (http:\/\/[^\s]+)/,
          `serve (${label})`,
        ),
      );
    // New changes for healthy partners while the backlog drains, one every PROBE_EVERY_MS.
    const healthy = r.keys.filter((k) => k !== r.slow && k !== r.dead);
    const writeProbe = async () => {
      const id = `P${probeNo}`;
      const key = healthy[probeNo++ % healthy.length]!;
      probes.set(id, Date.now());
      await store.putSessions([toRecord(session(id, key, Date.now()))], { mode: 'replace', pushTo: [key] });
    };
    let writing: Promise<void> = Promise.resolve();
    timer = setInterval(() => {
      writing = writing.then(writeProbe, writeProbe);
    }, PROBE_EVERY_MS);
    const cap = started + o.capSeconds * 1000;
    let drainS: number | undefined;
    let lastLog = Date.now();
    while (Date.now() < cap) {
      const healthyBacklog = countHealthyBacklog(r);
      if (healthyBacklog >= expected) {
        drainS = (Date.now() - started) / 1000;
        break;
      }
      if (Date.now() - lastLog > 10_000) {
        log(
          `  ${healthyBacklog}/${expected} healthy deliveries after ${((Date.now() - started) / 1000).toFixed(0)} s`,
        );
        lastLog = Date.now();
      }
      await new Promise((res) => setTimeout(res, 50));
    }
    const elapsed = drainS ?? (Date.now() - started) / 1000;
    const during = new Set(probes.keys());
    // Drained: new changes go on for AFTER_MS while the slow and the dead partner still have their backlogs.
    if (drainS !== undefined) await new Promise((res) => setTimeout(res, AFTER_MS));
    clearInterval(timer);
    timer = undefined;
    await writing;
    await new Promise((res) => setTimeout(res, 3000)); // the last probes arrive
    const delay = (ids: string[]) =>
      ids.map((id) => (r.arrived.get(id) ?? Infinity) - probes.get(id)!).sort((a, b) => a - b);
    const delays = delay([...during]);
    const after = delay([...probes.keys()].filter((id) => !during.has(id)));
    const backlogDelivered = countHealthyBacklog(r);
    return {
      label: `${label}: ${kind}, ${processes} process${processes > 1 ? 'es' : ''}`,
      drainS,
      healthy: backlogDelivered,
      expected,
      perSecond: backlogDelivered / elapsed,
      delays,
      after,
      duplicates: [...r.seen.values()].filter((n) => n > 1).length,
      slowDone: [...r.arrived.keys()].filter(
        (id) => id.startsWith('B') && Number(id.slice(1)) % PARTNERS === 0,
      ).length,
    };
  } finally {
    if (timer) clearInterval(timer);
    for (const s of servers) await s.stop();
    await store.close();
    await r.close();
    if (kind === 'postgres') {
      const name = new URL(db).pathname.slice(1);
      await withPg(o.pgAdminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(
        () => undefined,
      );
    }
  }
}

/** Backlog sessions (B<n>) of healthy partners received so far. */
function countHealthyBacklog(r: Receivers): number {
  let n = 0;
  for (const id of r.arrived.keys()) {
    if (id[0] !== 'B') continue;
    const i = Number(id.slice(1)) % PARTNERS;
    if (i !== 0 && i !== 1) n++;
  }
  return n;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
const ms = (v: number | undefined) => (v === undefined ? '' : Number.isFinite(v) ? num(v, 0) : 'never');

export async function push(o: CommonOptions): Promise<void> {
  const startedLoad = loadAverage();
  const results: Result[] = [];
  const plan: [StoreKind, number][] = [];
  for (const kind of o.stores) for (const p of kind === 'sqlite' ? [1] : o.processes) plan.push([kind, p]);
  for (const [kind, processes] of plan) {
    if (o.before) results.push(await run(kind, processes, o, o.before, 'before'));
    results.push(await run(kind, processes, o, CLI, 'lanes'));
  }
  const rows = results.map((x) => [
    x.label,
    x.drainS === undefined ? `> ${o.capSeconds} (cut)` : num(x.drainS),
    `${x.healthy}/${x.expected}`,
    num(x.perSecond, 0),
    ms(pct(x.delays, 50)),
    ms(pct(x.delays, 99)),
    ms(x.delays.at(-1)),
    String(x.delays.length),
    ms(pct(x.after, 50)),
    ms(pct(x.after, 99)),
    String(x.after.length),
    String(x.slowDone),
    String(x.duplicates),
  ]);
  console.log(
    `## push: ${o.sessions} pending changes over ${PARTNERS} receivers (one answers in ${SLOW_MS} ms, one refuses)\n`,
  );
  console.log(
    markdownTable(
      [
        'run',
        'drain 48 healthy (s)',
        'healthy delivered',
        'deliveries/s',
        'new change p50 (ms)',
        'p99 (ms)',
        'max (ms)',
        'new changes',
        'after: p50 (ms)',
        'p99 (ms)',
        'new changes',
        'slow partner delivered',
        'duplicates',
      ],
      rows,
    ),
  );
  console.log(`\n${machineDescription()}; load average at start ${startedLoad}, at end ${loadAverage()}`);
}
