// Group commit for the push worker (push-delivery.ts): acknowledged deliveries are recorded in batches, one store
// transaction (one commit, one fsync on SQLite) per batch instead of one per delivery. A completion waits at most
// for the commit under way; those arriving meanwhile go together into the next one.
import type { Completed } from '../store/contract.js';

/** Most completions per transaction. */
const MAX_BATCH = 256;

interface Waiting {
  item: Completed;
  resolve: (held: boolean) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit {
  private queue: Waiting[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly commit: (items: readonly Completed[]) => Promise<boolean[]>) {}

  /** Records the delivery as completed; false when its claim was lost (completeDelivery's answer). */
  complete(item: Completed): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.running ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    // The completions of the same turn of the event loop join the first one.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        const held = await this.commit(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(held[i]!));
      } catch (e) {
        for (const w of batch) w.reject(e);
      }
    }
    this.running = undefined;
  }
}
