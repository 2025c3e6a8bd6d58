// Child processes of the benchmarks (the real server, the baseline server, CLI commands) and what /proc says
// about processes: CPU time, resident memory, machine-wide CPU use.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from '../../src/cli/node-flags.js';

/** The repository root (this file runs as dist/bench/lib/procs.js). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = path.join(ROOT, 'dist/src/cli/main.js');
export const BASELINE_SERVER = path.join(ROOT, 'dist/bench/baseline-server.js');
export const PEER_SERVER = path.join(ROOT, 'dist/bench/peer-server.js');
export const PUSH_RECEIVERS = path.join(ROOT, 'dist/bench/push-receivers.js');
export const CACHE_DIR = path.join(ROOT, 'bench/.cache');

const running = new Set<ChildProcess>();

/** Environment variables the CLI reads as settings (see the README): unset for the children, so runs compare. */
const ENV_SETTINGS = [
  'DATABASE',
  'DATABASE_URL',
  'PORT',
  'HOST',
  'PUBLIC_URL',
  'MAX_LIMIT',
  'LOG_LEVEL',
  'RATE_LIMIT',
  'REQUEST_TIMEOUT_MS',
  'BODY_LIMIT',
  'PGPOOL_MAX',
];

/** The environment for child processes: without the variables that would change what the CLI does. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ENV_SETTINGS) delete env[k];
  return env;
}
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** True while a process with this PID exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A scratch directory for this run under bench/.cache; those of earlier runs that died are removed. */
export function scratchDir(): string {
  mkdirSync(CACHE_DIR, { recursive: true });
  for (const name of readdirSync(CACHE_DIR)) {
    const m = /^tmp-(\d+)$/.exec(name);
    if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1])))
      rmSync(path.join(CACHE_DIR, name), { recursive: true, force: true });
  }
  const dir = path.join(CACHE_DIR, `tmp-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export interface Service {
  pid: number;
  url: string;
  /** The last lines the process printed (for error messages). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts a long-running node process and waits for it to print its URL (the first match of `ready`, group 1).
 * stdout and stderr are drained all along, so a chatty process never blocks on a full pipe.
 */
export function startService(
  args: string[],
  ready: RegExp,
  label: string,
  timeoutMs = 120_000,
  core?: number,
): Promise<Service> {
  // Pinned: taskset execs node in place, so the PID is node's.
  const [command, argv] =
    core === undefined
      ? [process.execPath, args]
      : ['taskset', ['-c', String(core), process.execPath, ...args]];
  const child = spawn(command, argv, {
    cwd: ROOT,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      running.delete(child);
      resolve();
    }),
  );
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${label}: not ready after ${timeoutMs / 1000} s:\n${tail}`));
    }, timeoutMs);
    let seen = '';
    let isReady = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (isReady) return;
      seen += chunk.toString('utf8');
      const m = ready.exec(seen);
      if (m?.[1]) {
        isReady = true;
        clearTimeout(timer);
        resolve({ pid: child.pid!, url: m[1], output: () => tail, stop });
      }
    });
    child.stderr!.on('data', keep);
    void exit.then(() => {
      clearTimeout(timer);
      if (!isReady)
        reject(new Error(`${label} exited before it was ready (code ${child.exitCode}):\n${tail}`));
    });
  });
}

/** BENCH_NODE_FLAGS: more node flags for the serve processes (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof). */
const BENCH_NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

/**
 * Starts `ocpi-sessions serve` on `db` (any free port, logging off) as README "Deploy" runs it (SERVER_NODE_FLAGS,
 * plus BENCH_NODE_FLAGS) and returns it once it listens; pinned to `core` when given; `cli`: another build's
 * dist/src/cli/main.js.
 */
export function startOcpiServer(
  db: string,
  extra: string[] = [],
  core?: number,
  cli = CLI,
): Promise<Service> {
  return startService(
    [
      ...SERVER_NODE_FLAGS,
      ...BENCH_NODE_FLAGS,
      cli,
      'serve',
      '--db',
      db,
      '--port',
      '0',
      '--max-limit',
      '1000',
      '--log-level',
      'silent',
      ...extra,
    ],
    /listening on (http:\/\/[^\s]+)/,
    'ocpi-sessions serve',
    undefined,
    core,
  );
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time in ms. */
  ms: number;
}

/** Runs `ocpi-sessions <args>` to its end (node started with `nodeFlags`), collecting its output. */
export function runCli(
  args: string[],
  timeoutMs = 60 * 60_000,
  cliPath = CLI,
  nodeFlags: readonly string[] = [],
): Promise<CliResult> {
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, cliPath, ...args], {
    cwd: ROOT,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Like runCli, but a non-zero exit is an error carrying the command's output. */
export async function cli(
  args: string[],
  timeoutMs?: number,
  nodeFlags: readonly string[] = [],
): Promise<CliResult> {
  const r = await runCli(args, timeoutMs, CLI, nodeFlags);
  if (r.code !== 0) {
    const shown = args
      .map((a) => (a.startsWith('postgres') ? a.replace(/\/\/[^@/]*@/, '//…@') : a))
      .join(' ');
    throw new Error(`ocpi-sessions ${shown} failed (exit ${r.code}):\n${r.stderr}${r.stdout}`.trimEnd());
  }
  return r;
}

/** True when the built CLI knows `command` (it answers "unknown command" otherwise). */
export async function cliHas(command: string): Promise<boolean> {
  const r = await runCli([command, '--help'], 30_000);
  return !/unknown command/i.test(r.stderr + r.stdout);
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Fields of /proc/<pid>/stat after the command name; index 0 is field 3 (state). */
function statFields(pid: number | 'self'): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // gone
  }
}

/** User + system CPU seconds a live process has used, or undefined when it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  const f = statFields(pid);
  if (!f) return undefined;
  return (Number(f[11]) + Number(f[12])) / ticksPerSecond(); // utime, stime
}

/** CPU seconds of this process's children that have exited and been waited for (cutime + cstime). */
export function reapedChildrenCpuSeconds(): number {
  const f = statFields('self')!;
  return (Number(f[13]) + Number(f[14])) / ticksPerSecond();
}

/** Resident set size now and at its peak, in MiB (VmRSS, VmHWM of /proc/<pid>/status). */
export function rssMiB(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** Machine-wide busy CPU seconds so far (all cores; /proc/stat, everything but idle and iowait). */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // user nice system idle iowait irq softirq steal
  return (total - (v[3] ?? 0) - (v[4] ?? 0)) / ticksPerSecond();
}

/** CPU seconds of this process (user + system), from process.cpuUsage(). */
export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
