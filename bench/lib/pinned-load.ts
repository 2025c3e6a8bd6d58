// One load run from a load generator in its own process, pinned to its own core (`taskset`), so that it never
// competes with the server for a core: wrk when it is on PATH (Debian package `wrk`), else autocannon in a child
// process (bench/autocannon-worker.ts). Nothing is installed here. The server's CPU time (and its database
// backends') is read from /proc before and after the measured run only (the warm-up is a run of its own).
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cpuSeconds, ROOT } from './procs.js';

/** A fixed request; the generator cycles through the list in order. */
export interface GetRequest {
  path: string;
  authorization: string;
}

export interface PinnedConfig {
  connections: number;
  duration: number;
  warmup: number;
  /** The core the load generator runs on (the servers run on another one). */
  core: number;
  /** A scratch directory for the request list and the wrk script. */
  dir: string;
}

export interface PinnedResult {
  tool: 'wrk' | 'autocannon';
  requests: number;
  rps: number;
  bytesPerResponse: number;
  /** ms */
  p50: number;
  p99: number;
  /** Socket errors, timeouts and non-2xx answers. */
  errors: number;
  /** Server CPU per answer (ms), and of its database backends (PostgreSQL). */
  serverMs: number;
  dbMs?: number;
  /** CPU seconds per wall second of the server. */
  serverCores: number;
}

/** The raw figures a generator reports for its measured run. */
interface Raw {
  requests: number;
  seconds: number;
  bytes: number;
  p50: number;
  p99: number;
  errors: number;
}

let wrkPath: string | null | undefined;
/** wrk's path when it is on PATH. */
export function findWrk(): string | undefined {
  if (wrkPath === undefined) {
    try {
      wrkPath = execFileSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim() || null;
    } catch {
      wrkPath = null;
    }
  }
  return wrkPath ?? undefined;
}

export function loadTool(): 'wrk' | 'autocannon' {
  return findWrk() ? 'wrk' : 'autocannon';
}

/** The servers' processes whose CPU a run charges to the answers. */
export interface Charged {
  serverPid: number;
  dbPids?: () => Promise<number[]>;
}

export async function runPinnedLoad(
  url: string,
  requests: GetRequest[],
  config: PinnedConfig,
  charged: Charged,
): Promise<PinnedResult> {
  const tool = loadTool();
  const script = tool === 'wrk' ? wrkScript(requests, config.dir) : requestFile(requests, config.dir);
  const run = (seconds: number) =>
    tool === 'wrk' ? runWrk(url, script, seconds, config) : runAutocannon(url, script, seconds, config);
  if (config.warmup > 0) await run(config.warmup);
  const before = await cpu(charged);
  const raw = await run(config.duration);
  const after = await cpu(charged);
  const server = after.server - before.server;
  const db = charged.dbPids ? delta(before.db, after.db) : undefined;
  return {
    tool,
    requests: raw.requests,
    rps: raw.requests / raw.seconds,
    bytesPerResponse: raw.requests ? raw.bytes / raw.requests : 0,
    p50: raw.p50,
    p99: raw.p99,
    errors: raw.errors,
    serverMs: raw.requests ? (server * 1000) / raw.requests : NaN,
    dbMs: db === undefined || !raw.requests ? undefined : (db * 1000) / raw.requests,
    serverCores: server / (after.wall - before.wall),
  };
}

async function cpu(charged: Charged) {
  const db = new Map<number, number>();
  for (const pid of (await charged.dbPids?.()) ?? []) {
    const s = cpuSeconds(pid);
    if (s !== undefined) db.set(pid, s);
  }
  return { wall: performance.now() / 1000, server: cpuSeconds(charged.serverPid) ?? NaN, db };
}

function delta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, s] of after) sum += s - (before.get(pid) ?? 0);
  return sum;
}

/** A wrk Lua script cycling through the requests; done() prints the summary as one JSON line. */
function wrkScript(requests: GetRequest[], dir: string): string {
  const file = path.join(dir, `wrk-${process.pid}.lua`);
  const list = requests
    .map((r) => `{${JSON.stringify(r.path)},${JSON.stringify(r.authorization)}}`)
    .join(',\n');
  writeFileSync(
    file,
    `local reqs = {\n${list}\n}
local i = 0
request = function()
  i = i % #reqs + 1
  return wrk.format("GET", reqs[i][1], { ["Authorization"] = reqs[i][2] })
end
done = function(s, latency)
  local e = s.errors
  io.write(string.format('{"requests":%d,"seconds":%f,"bytes":%d,"p50":%f,"p99":%f,"errors":%d}\\n',
    s.requests, s.duration / 1e6, s.bytes, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.status + e.timeout))
end
`,
  );
  return file;
}

function requestFile(requests: GetRequest[], dir: string): string {
  const file = path.join(dir, `requests-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(requests));
  return file;
}

function runWrk(url: string, script: string, seconds: number, c: PinnedConfig): Promise<Raw> {
  // One thread: the generator has one core to itself. wrk takes whole seconds.
  const d = Math.max(1, Math.round(seconds));
  const args = ['-c', String(c.core), findWrk()!, '-t1', `-c${c.connections}`, `-d${d}s`, '--timeout', '30s'];
  return runJson(['taskset', ...args, '-s', script, url], 'wrk');
}

function runAutocannon(url: string, requestsFile: string, seconds: number, c: PinnedConfig): Promise<Raw> {
  const worker = path.join(ROOT, 'dist/bench/autocannon-worker.js');
  const args = [process.execPath, worker, url, requestsFile, String(c.connections), String(seconds)];
  return runJson(['taskset', '-c', String(c.core), ...args], 'autocannon worker');
}

/** Runs a generator to its end; its last stdout line that is a JSON object is the result. */
function runJson(argv: string[], label: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => {
      const line = out
        .trim()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{'));
      if (code !== 0 || !line) return reject(new Error(`${label} exited with ${code}:\n${out}${err}`));
      resolve(JSON.parse(line) as Raw);
    });
  });
}
