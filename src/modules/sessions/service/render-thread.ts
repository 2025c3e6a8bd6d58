// Rendering sessions in every wire format off the main thread (render-worker.ts): the pull's page writer hands a
// page's documents over and goes on fetching and parsing the next page while they are rendered; it awaits the
// bodies when it stores the batch. One worker, started on first use; requests are answered in order. The worker
// keeps the process alive only while a request is outstanding.
import { Worker } from 'node:worker_threads';
import type { RecordBatch } from './record-batch.js';

/** main → worker: the documents of one page. */
export interface RenderRequest {
  id: number;
  docs: string[];
}

/** worker → main: their records (the documents, owners and every format's body). */
export interface RenderReply {
  id: number;
  batch: RecordBatch;
}

export class RenderThread {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (b: RecordBatch) => void; reject: (e: Error) => void }
  >();
  private failure: Error | undefined;

  /** The records of `docs` (JSON.stringify of each session), rendered in the worker. */
  render(docs: string[]): Promise<RecordBatch> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    const reply = new Promise<RecordBatch>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    if (this.waiting.size === 1) worker.ref();
    worker.postMessage({ id, docs } satisfies RenderRequest);
    return reply;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.fail(new Error('the render thread was closed'));
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    const worker = new Worker(
      new URL('./render-worker.js', import.meta.url),
      process.env.RT_YOUNG
        ? { resourceLimits: { maxYoungGenerationSizeMb: Number(process.env.RT_YOUNG) } }
        : {},
    );
    worker.on('message', ({ id, batch }: RenderReply) => {
      const w = this.waiting.get(id);
      this.waiting.delete(id);
      if (this.waiting.size === 0) worker.unref();
      w?.resolve(batch);
    });
    worker.on('error', (e: Error) => this.fail(e));
    worker.on('exit', (code) => this.fail(new Error(`the render thread exited (code ${code})`)));
    return worker;
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}
