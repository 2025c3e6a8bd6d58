// Shared by the fault tests (their `ocpi-sessions serve` processes are serve() of test/support/cli.ts, their
// HTTP client request() of test/support/http.ts): RSS of a process, SQLite integrity, a throwaway PostgreSQL
// cluster that the test may stop, freeze and restart, and a small on-demand file system for disk faults.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Session } from '../../src/domain/session.js';
import { codecFor } from '../../src/wire/registry.js';
import { freePort } from '../support/ports.js';

/** Resident set size of a process in MiB (Linux /proc). */
export function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function integrityCheck(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join('; ');
  } finally {
    db.close();
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The OCPI 2.2.1 body of a session as the ingest route takes it. */
export const body221 = (s: Session) =>
  JSON.parse(codecFor('ocpi-2.2.1').renderSession(s)) as Record<string, unknown>;

// ---- a PostgreSQL cluster of our own ----------------------------------------------------------------------

function pgBin(): string | undefined {
  const has = (d: string) => existsSync(path.join(d, 'initdb')) && existsSync(path.join(d, 'pg_ctl'));
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) if (d && has(d)) return d;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  return readdirSync(base)
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => path.join(base, v, 'bin'))
    .find(has);
}

function pgUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const user of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0) return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  }
  return undefined;
}

export interface Cluster {
  url: string;
  port: number;
  start(): void;
  /** pg_ctl stop -m fast: every backend is terminated, clients see their connections close. */
  stop(): void;
  /** SIGSTOP / SIGCONT to every process of the cluster: it accepts TCP connections but answers nothing. */
  freeze(): void;
  thaw(): void;
  destroy(): void;
}

/** A throwaway cluster on a fixed port, which the test alone stops and restarts. Throws why if impossible. */
export async function ownCluster(): Promise<Cluster> {
  const bin = pgBin();
  if (!bin) throw new Error('no initdb/pg_ctl on PATH or under /usr/lib/postgresql/*/bin');
  const as = pgUser();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ocpi-faults-pg-'));
  const data = path.join(dir, 'data');
  if (as) chownSync(dir, as.uid, as.gid);
  mkdirSync(data, { mode: 0o700 });
  if (as) chownSync(data, as.uid, as.gid);
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(path.join(bin, cmd), args, {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
      ...(as ? { uid: as.uid, gid: as.gid } : {}),
    });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--no-sync']);
  const port = await freePort();
  const opts = `-p ${port} -k '${dir}' -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
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
  let running = false;
  const cluster: Cluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start() {
      run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-o', opts, '-w', '-t', '60', 'start']);
      running = true;
    },
    stop() {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
      running = false;
    },
    freeze() {
      for (const pid of pids()) process.kill(pid, 'SIGSTOP');
    },
    thaw() {
      for (const pid of pids()) process.kill(pid, 'SIGCONT');
    },
    destroy() {
      try {
        cluster.thaw();
        if (running) run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // best effort
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.start();
  process.once('exit', () => cluster.destroy());
  return cluster;
}

// ---- a small file system ------------------------------------------------------------------------------

export interface SmallFs {
  dir: string;
  remount(mode: 'ro' | 'rw'): void;
  destroy(): void;
}

/** A tmpfs of `size` (e.g. '4m') mounted on a fresh directory. Throws why when mounting is not permitted. */
export function smallFs(size: string): SmallFs {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ocpi-faults-fs-'));
  const mount = (args: string[]) => {
    const r = spawnSync('mount', args, { encoding: 'utf8' });
    if (r.status !== 0)
      throw new Error(`mount ${args.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`);
  };
  mount(['-t', 'tmpfs', '-o', `size=${size},mode=0777`, 'tmpfs', dir]);
  let mounted = true;
  const destroy = () => {
    if (mounted) spawnSync('umount', ['-l', dir]);
    mounted = false;
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', destroy);
  return { dir, remount: (mode) => mount(['-o', `remount,${mode}`, dir]), destroy };
}

export interface LoopFs {
  dir: string;
  /** EXT4_IOC_SHUTDOWN: from now on every read and write on this file system fails with EIO (a dying disk). */
  shutdown(): void;
  /** Unmount and mount again (journal replayed), as after a reboot. Every file on it must be closed. */
  remount(): void;
  destroy(): void;
}

/** An ext4 file system of `mib` MiB on a loop device, mounted on a fresh directory. Throws why if impossible. */
export function loopExt4(mib: number): LoopFs {
  const base = mkdtempSync(path.join(os.tmpdir(), 'ocpi-faults-loop-'));
  const image = path.join(base, 'fs.img');
  const dir = path.join(base, 'mnt');
  mkdirSync(dir);
  const sh = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0)
      throw new Error(`${cmd} ${args.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`);
    return r.stdout.trim();
  };
  sh('truncate', ['-s', `${mib}M`, image]);
  sh('mkfs.ext4', ['-q', '-F', image]);
  const device = sh('losetup', ['-f', '--show', image]);
  let mounted = false;
  const mount = () => {
    sh('mount', ['-t', 'ext4', device, dir]);
    mounted = true;
  };
  const umount = () => {
    if (mounted) sh('umount', [dir]);
    mounted = false;
  };
  try {
    mount();
    sh('python3', ['-c', 'import fcntl, struct']);
  } catch (e) {
    spawnSync('umount', ['-l', dir]);
    spawnSync('losetup', ['-d', device]);
    rmSync(base, { recursive: true, force: true });
    throw e;
  }
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    if (mounted) spawnSync('umount', ['-l', dir]);
    spawnSync('losetup', ['-d', device]);
    rmSync(base, { recursive: true, force: true });
  };
  process.once('exit', destroy);
  return {
    dir,
    shutdown: () =>
      void sh('python3', [
        '-c',
        // EXT4_IOC_SHUTDOWN = _IOR('X', 125, __u32); 2 = EXT4_GOING_FLAGS_NOLOGFLUSH
        `import os, fcntl, struct; fd = os.open(${JSON.stringify(dir)}, os.O_RDONLY); fcntl.ioctl(fd, 0x8004587d, struct.pack('I', 2))`,
      ]),
    remount: () => {
      umount();
      mount();
    },
    destroy,
  };
}
