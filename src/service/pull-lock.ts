// One pull per pull key at a time, across the processes and machines that share a store: two runs of a cron'd
// `pull` that overlap would crawl the same sessions twice and overwrite each other's checkpoint.
//
// A lease in the store's `locks` table, renewed every third of its time to live while the pull runs and dropped
// when it ends. A pull that died (kill -9, a lost machine) leaves a lease that expires after the time to live; on
// the same machine a holder whose process is gone is recognised at once, so a crashed pull resumes right away
// (its checkpoint is in the store).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { LockStore } from '../store/contract.js';

export const PULL_LOCK_TTL_MS = 60_000;

export class PullLockedError extends Error {}

interface Holder {
  host: string;
  pid: number;
  id: string;
  since: number;
}

export async function withPullLock<T>(
  store: LockStore,
  key: string,
  run: () => Promise<T>,
  o: { ttlMs?: number; now?: () => number } = {},
): Promise<T> {
  const ttl = o.ttlMs ?? PULL_LOCK_TTL_MS;
  const now = o.now ?? Date.now;
  const name = `pull:${key}`;
  const me: Holder = { host: hostname(), pid: process.pid, id: randomUUID(), since: now() };
  const holder = JSON.stringify(me);
  const take = () => store.acquireLock(name, holder, now(), now() + ttl);
  if (!(await take())) {
    const current = await store.lockHolder(name);
    const other = parse(current?.holder);
    const gone = current && other && other.host === me.host && !alive(other.pid);
    if (gone) await store.releaseLock(name, current.holder); // its process is gone: the lease is void
    if (!gone || !(await take())) {
      const who = other
        ? `process ${other.pid} on ${other.host}, since ${new Date(other.since).toISOString()}`
        : 'another process';
      throw new PullLockedError(
        `another pull of ${key} is running (${who}); it holds the lock until it ends, or ` +
          `${Math.round(ttl / 1000)} s after it stops renewing it`,
      );
    }
  }
  const renew = setInterval(() => void take().catch(() => undefined), Math.max(1, Math.floor(ttl / 3)));
  renew.unref();
  try {
    return await run();
  } finally {
    clearInterval(renew);
    await store.releaseLock(name, holder).catch(() => undefined);
  }
}

/** Whether a pull of `key` holds its lease now, in any process or machine sharing the store. */
export async function pullRunning(store: LockStore, key: string, now = Date.now()): Promise<boolean> {
  const lease = await store.lockHolder(`pull:${key}`);
  return lease !== undefined && lease.expiresAt > now;
}

function parse(raw: string | undefined): Holder | undefined {
  try {
    const h = JSON.parse(raw ?? '') as Holder;
    return typeof h.host === 'string' && Number.isInteger(h.pid) ? h : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
