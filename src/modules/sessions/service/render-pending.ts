// Use case: the bodies of a stored wire format that is not ready yet (pending_renders: a format added while
// sessions were stored, by a migration or by registering a partner that reads it, issue 16).
//
// A server renders them in the background (PendingRenders), from its start on: every node ticks, the one holding
// the store's `render-formats` lock renders, a batch of sessions per transaction (resumable: the next holder goes
// on after a crash or a stop), yielding between batches. Requests are answered meanwhile: a page in a format that
// is not ready is rendered from the stored documents (byte-identical, slower) until the format is ready. Nothing
// blocks the start: a store of a million sessions whose partner was added before `serve` answers at once.
import { randomUUID } from 'node:crypto';
import type { SessionStore } from '../../../store/contract.js';
import { renderBody } from './writer.js';

export function renderPendingBodies(store: SessionStore, signal?: AbortSignal): Promise<number> {
  return store.renderPendingBodies(renderBody, 500, signal);
}

const LOCK = 'render-formats';
const LOCK_TTL_MS = 60_000;

/** The background render of formats added at runtime: start() on listen, stop() on close. */
export class PendingRenders {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly store: SessionStore,
    private readonly everyMs = 1000,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.everyMs);
    this.timer.unref();
    void this.tick();
  }

  /** One check (and render when something is pending and this process gets the lock); skipped while one runs. */
  tick(): Promise<void> {
    this.running ??= this.run()
      .catch(this.onError)
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.abort.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    if (this.abort.signal.aborted) return;
    const { stored, ready } = await this.store.storedFormats();
    if (stored.length === ready.length) return;
    const holder = randomUUID();
    const take = () => this.store.acquireLock(LOCK, holder, Date.now(), Date.now() + LOCK_TTL_MS);
    if (!(await take())) return; // another process renders
    const renew = setInterval(() => void take().catch(() => undefined), LOCK_TTL_MS / 3);
    renew.unref();
    try {
      await renderPendingBodies(this.store, this.abort.signal);
    } finally {
      clearInterval(renew);
      await this.store.releaseLock(LOCK, holder).catch(() => undefined);
    }
  }
}
