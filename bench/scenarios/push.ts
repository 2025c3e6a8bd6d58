// `push` (issue 14): a CPO with a push backlog for 50 eMSPs, each a real HTTP receiver on loopback (in a process of
// their own, bench/push-receivers.ts, pinned to core 1; one serve process is pinned to core 0):
// 48 answer at once (~a few ms), one answers after 2 s, one refuses connections. `--sessions` changes (one new
// session each) are pending, spread evenly over the 50; then `ocpi-sessions serve` (1 process on SQLite, 1 and
// `--processes` on PostgreSQL) pushes them. Reported per run:
//   - drain: the time until the 48 healthy partners have every one of their sessions, and deliveries/s over it;
//   - new-change delay: every 100 ms while the backlog drains a new session is written for a healthy partner (by
//     this process, into the same store); the time from its write to its arrival at the receiver (p50, p99, max),
//     during the drain (it queues behind its partner's backlog) and for 10 s after it (`after`: the slow and the
//     dead partner still have their backlogs);
//   - duplicates: a session received more than once (each was changed once: one PUT is all it needs) — must be 0;
//   - CPU per delivery (ms) while the backlog drains: serve processes, their PostgreSQL backends (by
//     application_name), the receivers, this process, and the rest of the machine (other users).
// With `--before <cli>` (e.g. /work/main/dist/src/cli/main.js) the same run is made with that build first, cut
// at `--cap` seconds (it may never drain): a before/after comparison in one run on one machine.
import path from 'node:path';
import { rmSync } from 'node:fs';
import type { CommonOptions } from '../main.js';
import { pgDatabaseUrl, withPg, type StoreKind } from '../lib/dataset.js';
import pg from 'pg';
import {
  cpuSeconds,
  machineBusySeconds,
  PUSH_RECEIVERS as RECEIVERS,
  scratchDir,
  selfCpuSeconds,
  startService,
  type Service,
  CLI,
} from '../lib/procs.js';
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
/** The receivers run pinned to this core; one serve process to the other (3 share both cores, unpinned). */
const RECEIVER_CORE = 1;
const SERVER_CORE = 0;
/** The application_name of the serve processes' PostgreSQL connections: their backends' CPU is counted apart. */
const SERVE_APP = 'bench-push-serve';
/** BENCH_NODE_FLAGS: more node flags for the serve processes (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof). */
const EXTRA_NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

/** The receivers' process (bench/push-receivers.ts), pinned to RECEIVER_CORE, and its control URL. */
interface Receivers {
  keys: string[];
  slow: string;
  dead: string;
  urls: Record<string, string>;
  process: Service;
  get<T>(what: 'stats' | 'report'): Promise<T>;
}

interface ReceiverStats {
  requests: number;
  healthyBacklog: number;
}

interface ReceiverReport extends ReceiverStats {
  slowDone: number;
  duplicates: number;
  arrived: Record<string, number>;
}

async function startReceivers(): Promise<Receivers> {
  const proc = await startService(
    [RECEIVERS, '--partners', String(PARTNERS), '--slow-ms', String(SLOW_MS)],
    /receivers control on (http:\/\/\S+)/,
    'push receivers',
    undefined,
    RECEIVER_CORE,
  );
  const get = async <T>(what: string): Promise<T> => (await (await fetch(`${proc.url}/${what}`)).json()) as T;
  const u = await get<Omit<Receivers, 'process' | 'get'>>('urls');
  return { ...u, process: proc, get };
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
  for (const key of r.keys) await registerReceiverPartner(store, key, r.urls[key]!);
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
  cpu?: CpuPerDelivery;
}

/**
 * CPU per delivery (ms) from the moment every serve process is ready to the end of the drain: the serve processes,
 * their PostgreSQL backends, the receivers' process, this process (the new changes, polling) and everything else on
 * the machine (other users); deliveries are the requests the receivers answered meanwhile.
 */
interface CpuPerDelivery {
  deliveries: number;
  serve: number;
  db?: number;
  receivers: number;
  bench: number;
  other: number;
  /** Cores busy on average over the window: ours (serve + db + receivers + bench) and the rest of the machine. */
  oursCores: number;
  otherCores: number;
  /** PostgreSQL transactions (every statement outside BEGIN is one) per delivery, all clients of the database. */
  xacts?: number;
}

interface CpuSample {
  wall: number;
  serve: number;
  db: Map<number, number>;
  receivers: number;
  bench: number;
  busy: number;
  requests: number;
  /** PostgreSQL: transactions committed in the database so far (pg_stat_database, flushed about every second). */
  xacts?: number;
}

interface DbWatch {
  pids(): Promise<number[]>;
  xacts(): Promise<number>;
}

async function sampleCpu(servers: Service[], r: Receivers, watch: DbWatch | undefined): Promise<CpuSample> {
  const db = new Map<number, number>();
  for (const pid of (await watch?.pids()) ?? []) {
    const s = cpuSeconds(pid);
    if (s !== undefined) db.set(pid, s);
  }
  const xacts = await watch?.xacts();
  const { requests } = await r.get<ReceiverStats>('stats');
  return {
    wall: performance.now() / 1000,
    serve: servers.reduce((sum, s) => sum + (cpuSeconds(s.pid) ?? 0), 0),
    db,
    receivers: cpuSeconds(r.process.pid) ?? 0,
    bench: selfCpuSeconds(),
    busy: machineBusySeconds(),
    requests,
    xacts,
  };
}

function cpuPerDelivery(a: CpuSample, b: CpuSample, postgres: boolean): CpuPerDelivery {
  const deliveries = b.requests - a.requests;
  const per = (seconds: number) => (seconds * 1000) / deliveries;
  let db = 0;
  for (const [pid, s] of b.db) db += s - (a.db.get(pid) ?? 0);
  const serve = b.serve - a.serve;
  const receivers = b.receivers - a.receivers;
  const bench = b.bench - a.bench;
  const ours = serve + db + receivers + bench;
  const other = Math.max(0, b.busy - a.busy - ours);
  const wall = b.wall - a.wall;
  return {
    deliveries,
    serve: per(serve),
    db: postgres ? per(db) : undefined,
    receivers: per(receivers),
    bench: per(bench),
    other: per(other),
    oursCores: ours / wall,
    otherCores: other / wall,
    xacts: a.xacts === undefined || b.xacts === undefined ? undefined : (b.xacts - a.xacts) / deliveries,
  };
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
  let admin: pg.Client | undefined;
  try {
    log(
      `${label} ${kind} ×${processes}: ${o.sessions} pending changes for ${PARTNERS} partners; starting serve`,
    );
    let serveDb = db;
    let watch: DbWatch | undefined;
    if (kind === 'postgres') {
      const u = new URL(db);
      u.searchParams.set('application_name', SERVE_APP);
      serveDb = u.toString();
      admin = new pg.Client({ connectionString: o.pgAdminUrl });
      await admin.connect();
      const c = admin;
      const database = new URL(db).pathname.slice(1);
      watch = {
        pids: async () =>
          (
            await c.query<{ pid: number }>(
              `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`,
              [database, SERVE_APP],
            )
          ).rows.map((x) => x.pid),
        xacts: async () =>
          Number(
            (
              await c.query<{ n: string }>(
                'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1',
                [database],
              )
            ).rows[0]?.n ?? NaN,
          ),
      };
    }
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
            serveDb,
            '--port',
            '0',
            '--log-level',
            'silent',
          ],
          /listening on (http:\/\/[^\s]+)/,
          `serve (${label})`,
          undefined,
          processes === 1 ? SERVER_CORE : undefined,
        ),
      );
    const cpuFrom = await sampleCpu(servers, r, watch);
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
      const { healthyBacklog } = await r.get<ReceiverStats>('stats');
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
    const cpu = cpuPerDelivery(cpuFrom, await sampleCpu(servers, r, watch), kind === 'postgres');
    const elapsed = drainS ?? (Date.now() - started) / 1000;
    const during = new Set(probes.keys());
    // Drained: new changes go on for AFTER_MS while the slow and the dead partner still have their backlogs.
    if (drainS !== undefined) await new Promise((res) => setTimeout(res, AFTER_MS));
    clearInterval(timer);
    timer = undefined;
    await writing;
    await new Promise((res) => setTimeout(res, 3000)); // the last probes arrive
    const report = await r.get<ReceiverReport>('report');
    const delay = (ids: string[]) =>
      ids.map((id) => (report.arrived[id] ?? Infinity) - probes.get(id)!).sort((a, b) => a - b);
    const delays = delay([...during]);
    const after = delay([...probes.keys()].filter((id) => !during.has(id)));
    return {
      label: `${label}: ${kind}, ${processes} process${processes > 1 ? 'es' : ''}`,
      drainS,
      healthy: report.healthyBacklog,
      expected,
      perSecond: report.healthyBacklog / elapsed,
      delays,
      after,
      duplicates: report.duplicates,
      slowDone: report.slowDone,
      cpu,
    };
  } finally {
    if (timer) clearInterval(timer);
    for (const s of servers) await s.stop();
    await store.close();
    await r.process.stop();
    await admin?.end().catch(() => undefined);
    if (kind === 'postgres') {
      const name = new URL(db).pathname.slice(1);
      await withPg(o.pgAdminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(
        () => undefined,
      );
    }
  }
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
  console.log(
    `\nCPU per delivery (ms), from every serve process ready to the end of the drain; receivers pinned to core ` +
      `${RECEIVER_CORE}, one serve process to core ${SERVER_CORE} (three unpinned):\n`,
  );
  console.log(
    markdownTable(
      [
        'run',
        'deliveries',
        'serve',
        'PG backends',
        'serve + PG',
        'receivers',
        'bench',
        'others',
        'our cores busy',
        'other cores busy',
        'PG xacts',
      ],
      results.map((x) => {
        const c = x.cpu;
        if (!c) return [x.label];
        return [
          x.label,
          String(c.deliveries),
          num(c.serve, 3),
          c.db === undefined ? '' : num(c.db, 3),
          num(c.serve + (c.db ?? 0), 3),
          num(c.receivers, 3),
          num(c.bench, 3),
          num(c.other, 3),
          num(c.oursCores, 2),
          num(c.otherCores, 2),
          c.xacts === undefined ? '' : num(c.xacts, 2),
        ];
      }),
    ),
  );
  console.log(`\n${machineDescription()}; load average at start ${startedLoad}, at end ${loadAverage()}`);
}
