// Shared by the fault tests (their `ocpi-sessions serve` processes are serve() of test/support/cli.ts, their
// HTTP client request() of test/support/http.ts): RSS of a process, SQLite integrity, small on-demand file systems
// for disk faults. (A PostgreSQL cluster of the test's own is startCluster() of test/support/postgres.ts.)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Session } from '../../src/domain/session.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';

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
  JSON.parse(codecFor('ocpi-2.2.1').render(s)) as Record<string, unknown>;

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
