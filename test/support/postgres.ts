// PostgreSQL for the tests: every test file gets fresh, empty databases on one server per test run.
//
// The server, in order: TEST_DATABASE_URL (an admin URL: a role that may CREATE DATABASE); else a server
// answering at 127.0.0.1:5432 with trust auth as user `postgres` or the current user (probe skipped with
// PGTEST_FORCE_THROWAWAY=1); else a throwaway cluster (initdb + pg_ctl from PATH or /usr/lib/postgresql/*/bin,
// run as `postgres`/`nobody` when we are root) that is stopped and deleted when the process exits.
// node:test runs test files in separate processes, so scripts/run-tests.mjs calls provideServer() once and
// hands TEST_DATABASE_URL (or PGTEST_UNAVAILABLE, the reason there is none) to them; a test file run on its own
// decides for itself. No server at all is a test FAILURE with the reason, never a skip.
// startCluster() gives a test a cluster of its own that it may stop, freeze and restart (test/faults).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

export interface TestServer {
  /** URL of the `postgres` database as a role that may create databases. */
  adminUrl: string;
  origin: 'TEST_DATABASE_URL' | '127.0.0.1:5432' | 'throwaway';
  /** Stops and deletes a throwaway cluster (synchronous, idempotent; a no-op for the others). */
  stop(): void;
}

const HELP =
  'PostgreSQL is needed for these tests. Set TEST_DATABASE_URL to an admin URL (a role that may CREATE DATABASE), ' +
  'run PostgreSQL at 127.0.0.1:5432 with trust authentication for user "postgres" or the current user, or install ' +
  'the server binaries (initdb and pg_ctl on PATH or under /usr/lib/postgresql/*/bin) for a throwaway cluster.';

/** Decides the server for this run (see the header); throws with a clear message when there is none. */
export async function provideServer(): Promise<TestServer> {
  const fromEnv = process.env.TEST_DATABASE_URL;
  if (fromEnv) return { adminUrl: fromEnv, origin: 'TEST_DATABASE_URL', stop: () => undefined };
  if (process.env.PGTEST_FORCE_THROWAWAY !== '1') {
    const local = await probeLocal();
    if (local) return { adminUrl: local, origin: '127.0.0.1:5432', stop: () => undefined };
  }
  return startThrowaway();
}

let ownServer: Promise<TestServer> | undefined;

/** URL of a new, empty database (ocpi_test_<pid>_<random>) for one test file; drop it with dropDatabase. */
export async function postgresUrl(): Promise<string> {
  const admin = await adminUrl();
  const name = `ocpi_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withClient(admin, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by postgresUrl (best effort: a leftover is reported, not fatal). */
export async function dropDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^ocpi_test_\w+$/.test(name)) throw new Error(`refusing to drop ${name}: not a test database`);
  try {
    const admin = await adminUrl();
    await withClient(admin, async (c) => {
      const major = Number((await c.query<{ v: string }>('SHOW server_version_num')).rows[0]!.v) / 10000;
      await c.query(`DROP DATABASE IF EXISTS ${name}${major >= 13 ? ' WITH (FORCE)' : ''}`);
    });
  } catch (err) {
    process.emitWarning(`could not drop test database ${name}: ${(err as Error).message}`);
  }
}

async function adminUrl(): Promise<string> {
  if (process.env.PGTEST_UNAVAILABLE) throw new Error(process.env.PGTEST_UNAVAILABLE);
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  ownServer ??= provideServer();
  return (await ownServer).adminUrl;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await c.connect();
  } catch (err) {
    throw new Error(
      `cannot connect to the test PostgreSQL at ${redact(url)}: ${(err as Error).message}. ${HELP}`,
    );
  }
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** An admin URL for 127.0.0.1:5432 without a password, as `postgres` or the current user, if one works. */
async function probeLocal(): Promise<string | undefined> {
  const users = [...new Set(['postgres', os.userInfo().username])];
  for (const user of users) {
    const url = `postgres://${encodeURIComponent(user)}@127.0.0.1:5432/postgres`;
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      const r = await c.query<{ ok: boolean }>(
        'SELECT rolsuper OR rolcreatedb AS ok FROM pg_roles WHERE rolname = current_user',
      );
      if (r.rows[0]?.ok) return url;
    } catch {
      // nothing there, or it wants a password: try the next user, then a throwaway cluster
    } finally {
      await c.end().catch(() => undefined);
    }
  }
  return undefined;
}

async function startThrowaway(): Promise<TestServer> {
  if (!findBinDir()) {
    const probed =
      process.env.PGTEST_FORCE_THROWAWAY === '1' ? 'PGTEST_FORCE_THROWAWAY=1' : 'no server at 127.0.0.1:5432';
    throw new Error(`${HELP} (${probed}, and no initdb/pg_ctl found.)`);
  }
  try {
    // Throwaway data: durability buys nothing here.
    const cluster = await startCluster(['synchronous_commit=off']);
    return { adminUrl: cluster.url, origin: 'throwaway', stop: cluster.destroy };
  } catch (err) {
    throw new Error(`could not start a throwaway PostgreSQL cluster: ${(err as Error).message}. ${HELP}`);
  }
}

export interface Cluster {
  /** URL of its `postgres` database as the superuser `postgres` (trust auth). */
  url: string;
  port: number;
  start(): void;
  /** pg_ctl stop -m fast: every backend is terminated, clients see their connections close. */
  stop(): void;
  /** SIGSTOP / SIGCONT to every process of the cluster: it accepts TCP connections but answers nothing. */
  freeze(): void;
  thaw(): void;
  /** Stops it at once and deletes it (synchronous, idempotent); also done when this process exits. */
  destroy(): void;
}

/**
 * A cluster of our own (initdb, then pg_ctl start) on a free port of 127.0.0.1, fsync off, with `settings`
 * (`name=value`) on top; the caller may stop, freeze and restart it. Throws why when it cannot start one.
 */
export async function startCluster(settings: string[] = []): Promise<Cluster> {
  const bin = findBinDir();
  if (!bin) throw new Error('no initdb/pg_ctl on PATH or under /usr/lib/postgresql/*/bin');
  const as = runAs();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ocpi-pgtest-'));
  const data = path.join(dir, 'data');
  const ctl = (cmd: string, args: string[], what = cmd) => check(run(bin, cmd, args, as, dir), what);
  let running = false;
  let frozen = false;
  let destroyed = false;
  const pids = () => {
    const pidFile = path.join(data, 'postmaster.pid');
    if (!existsSync(pidFile)) return [];
    const main = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    const children = spawnSync('pgrep', ['-P', String(main)], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .map(Number);
    return [main, ...children];
  };
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of pids()) process.kill(pid, sig);
  };
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    try {
      if (frozen) signal('SIGCONT');
      if (running) ctl('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // best effort: the directory goes anyway
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (as) chownSync(dir, as.uid, as.gid);
    mkdirSync(data, { mode: 0o700 });
    if (as) chownSync(data, as.uid, as.gid);
    ctl('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--no-sync']);
    const port = await freePort();
    const opts = [
      `-p ${port}`,
      `-k '${dir}'`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c full_page_writes=off',
      ...settings.map((x) => `-c ${x}`),
    ].join(' ');
    const log = path.join(dir, 'server.log');
    const cluster: Cluster = {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      port,
      start() {
        running = true;
        ctl('pg_ctl', ['-D', data, '-l', log, '-o', opts, '-w', '-t', '60', 'start'], 'pg_ctl start');
      },
      stop() {
        ctl('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop'], 'pg_ctl stop');
        running = false;
      },
      freeze() {
        frozen = true;
        signal('SIGSTOP');
      },
      thaw() {
        signal('SIGCONT');
        frozen = false;
      },
      destroy,
    };
    cluster.start();
    stopOnExit(destroy);
    return cluster;
  } catch (err) {
    destroy();
    throw err;
  }
}

function stopOnExit(stop: () => void): void {
  process.once('exit', stop);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      stop();
      process.kill(process.pid, sig); // the listener is gone: the default action now ends the process
    });
  }
}

/** initdb and pg_ctl from one directory: the first on PATH, else the newest /usr/lib/postgresql/<v>/bin. */
function findBinDir(): string | undefined {
  const has = (dir: string) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'));
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir && has(dir)) return dir;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  return readdirSync(base)
    .sort((a, b) => Number(b) - Number(a) || b.localeCompare(a))
    .map((v) => path.join(base, v, 'bin'))
    .find(has);
}

/** initdb refuses to run as root: as root, run the cluster as `postgres` (or `nobody`). */
function runAs(): { uid: number; gid: number; user: string } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const user of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0)
      return { uid: Number(uid.stdout), gid: Number(gid.stdout), user };
  }
  throw new Error('running as root and there is no "postgres" or "nobody" user to run initdb as');
}

function run(
  bin: string,
  cmd: string,
  args: string[],
  as: { uid: number; gid: number } | undefined,
  cwd: string,
): SpawnSyncReturns<string> {
  return spawnSync(path.join(bin, cmd), args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
    ...(as ? { uid: as.uid, gid: as.gid } : {}),
  });
}

function check(r: SpawnSyncReturns<string>, what: string): void {
  if (r.status === 0) return;
  const why = r.error?.message ?? `${r.stderr}${r.stdout}`.trim().split('\n').slice(-5).join(' | ');
  throw new Error(`${what} failed (status ${r.status}): ${why}`);
}
