// Group commit: items submitted concurrently are written in batches, one store transaction (one commit, one fsync
// on SQLite) per batch instead of one per item; each submitter is answered only once the transaction holding its
// item committed. An item waits at most for the commit under way; those arriving meanwhile (and those of the same
// turn of the event loop) go together into the next one.
// Serves the push worker's completions (push-delivery.ts) and the sessions receiver/ingest writes (SessionWriter);
// the push also batches its reads of the objects to send with it (push-send.ts: the same batching, no transaction).

/** Most items per transaction. */
const MAX_BATCH = 256;

export interface GroupCommitOptions {
  /**
   * How long the first item of a batch waits for others (ms); default 0: those of the same turn of the event
   * loop. The push's completions wait a few ms: answers arrive one by one, and one transaction takes them all.
   */
  gatherMs?: number;
  /**
   * An error of a batch for which its members are committed again one by one (each answered by its own
   * commit): an error that one member causes (a revision conflict), not a fault of the store. Any other error
   * of a batch fails each of its members with that error.
   */
  alone?: (error: unknown) => boolean;
}

interface Waiting<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit<I, R> {
  private queue: Waiting<I, R>[] = [];
  private running: Promise<void> | undefined;

  /** `commit` writes the items in one transaction and answers one result per item, in order. */
  constructor(
    private readonly commit: (items: readonly I[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions = {},
  ) {}

  /** Resolves with the item's result once the transaction holding it committed. */
  submit(item: I): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.running ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    // The items of the same turn of the event loop (or of the gathering window) join the first one.
    const gather = this.options.gatherMs ?? 0;
    await new Promise((resolve) => (gather > 0 ? setTimeout(resolve, gather) : setImmediate(resolve)));
    while (this.queue.length > 0) await this.write(this.queue.splice(0, MAX_BATCH));
    this.running = undefined;
  }

  private async write(batch: Waiting<I, R>[]): Promise<void> {
    try {
      const results = await this.commit(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (e) {
      if (batch.length > 1 && this.options.alone?.(e)) {
        for (const w of batch) await this.write([w]);
      } else {
        for (const w of batch) w.reject(e);
      }
    }
  }
}
