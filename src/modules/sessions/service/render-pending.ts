// Use case: the bodies of a stored wire format that is not ready yet (pending_renders: a format added while
// sessions were stored, by a migration or by registering a partner that reads it, issue 16).
//
// - At start, before the server answers, the formats already pending are rendered (renderPendingBodies), as when
//   a migration introduced ocpi-2.3.0: the read path then serves stored bytes from the first request.
// - A format added while the server runs is rendered in the background (PendingRenders): every node ticks, the one
//   holding the store's `render-formats` lock renders, a batch of sessions per transaction (resumable: the next
//   holder goes on after a crash), yielding between batches; requests are answered meanwhile, a page in the new
//   format rendered from the stored documents until the format is ready.
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
    this.timer = setInterval(() => this.tick(), this.everyMs);
    this.timer.unref();
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
