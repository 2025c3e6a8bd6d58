// One load run with autocannon (programmatic API, in this process), plus where the CPU went while it ran.
import autocannon, { type RequestSpec } from 'autocannon';
import { cpuSeconds, machineBusySeconds, selfCpuSeconds } from './procs.js';

export interface LoadConfig {
  connections: number;
  /** Seconds measured. */
  duration: number;
  /** Seconds of unmeasured load first (JIT, caches, connection pools). */
  warmup: number;
}

/** The processes whose CPU time a run reports: the server and, for PostgreSQL, its backends. */
export interface Watched {
  serverPid: number;
  /** PIDs of the database backends serving the server (asked before and after the run). */
  dbPids?: () => Promise<number[]>;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  /** MB (10^6 bytes) per second of response bytes (headers and body). */
  mbps: number;
  bytesPerResponse: number;
  /** Exact percentiles of the 2xx response times, ms. */
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** CPU seconds per second of wall time (1 = one core busy). */
  serverCores: number;
  dbCores?: number;
  loadgenCores: number;
  /** Busy CPU of everything else on the machine (other users, other tests), cores. */
  otherCores: number;
  /** Server CPU per response, ms. */
  serverMsPerReq: number;
  dbMsPerReq?: number;
}

/** Runs `requests` (a generator through setupRequest, or fixed requests) against `url`. */
export async function runLoad(
  url: string,
  requests: RequestSpec[],
  config: LoadConfig,
  watched: Watched,
): Promise<LoadResult> {
  const base = { url, connections: config.connections, pipelining: 1, timeout: 30, requests };
  if (config.warmup > 0) await autocannon({ ...base, duration: config.warmup });

  const latencies: number[] = [];
  const before = await sample(watched);
  const instance = autocannon({ ...base, duration: config.duration });
  // on() returns the instance itself (a thenable), which is awaited just below: nothing floats.
  void instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await instance;
  const after = await sample(watched);

  const wall = after.wall - before.wall;
  const requestsDone = result.requests.total;
  const server = after.server - before.server;
  const db = watched.dbPids ? cpuDelta(before.db, after.db) : undefined;
  const loadgen = after.self - before.self;
  const busy = after.busy - before.busy;
  latencies.sort((a, b) => a - b);
  return {
    requests: requestsDone,
    seconds: result.duration,
    rps: requestsDone / result.duration,
    mbps: result.throughput.total / result.duration / 1e6,
    bytesPerResponse: requestsDone ? result.throughput.total / requestsDone : 0,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    errors: result.errors,
    non2xx: result.non2xx,
    serverCores: server / wall,
    dbCores: db === undefined ? undefined : db / wall,
    loadgenCores: loadgen / wall,
    otherCores: Math.max(0, (busy - server - (db ?? 0) - loadgen) / wall),
    serverMsPerReq: requestsDone ? (server * 1000) / requestsDone : NaN,
    dbMsPerReq: db === undefined || !requestsDone ? undefined : (db * 1000) / requestsDone,
  };
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

interface Sample {
  wall: number;
  server: number;
  db: Map<number, number>;
  self: number;
  busy: number;
}

async function sample(watched: Watched): Promise<Sample> {
  const db = new Map<number, number>();
  for (const pid of (await watched.dbPids?.()) ?? []) {
    const s = cpuSeconds(pid);
    if (s !== undefined) db.set(pid, s);
  }
  return {
    wall: performance.now() / 1000,
    server: cpuSeconds(watched.serverPid) ?? NaN,
    db,
    self: selfCpuSeconds(),
    busy: machineBusySeconds(),
  };
}

/** CPU used between two samples by a set of processes; one that appeared in between counts from zero. */
function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, s] of after) sum += s - (before.get(pid) ?? 0);
  return sum;
}

/** Samples CPU around any async work (the Link walk, a pull): same accounting as runLoad. */
export async function measureCpu<T>(
  watched: Watched,
  work: () => Promise<T>,
): Promise<{ value: T; wall: number; server: number; db?: number; self: number; other: number }> {
  const before = await sample(watched);
  const value = await work();
  const after = await sample(watched);
  const wall = after.wall - before.wall;
  const server = after.server - before.server;
  const db = watched.dbPids ? cpuDelta(before.db, after.db) : undefined;
  const self = after.self - before.self;
  const other = Math.max(0, after.busy - before.busy - server - (db ?? 0) - self);
  return { value, wall, server, db, self, other };
}
