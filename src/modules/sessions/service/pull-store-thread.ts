// The pull's store thread, main side: hands a batch of held sessions to pull-store-worker.ts and resolves with
// its counts once the batch is committed there (durable: synchronous = FULL), so the runner checkpoints only
// after that (pull-runner.ts). One batch at a time. The thread starts with the first batch; it keeps the process
// alive only while a batch is in flight, and `close` ends it. A thread that dies (an error outside a batch, an
// exit) fails the batch in flight; the next batch starts a new thread.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { BatchCounts, Held } from './pull-batch.js';
import type { StoreAnswer, StoreRequest, StoreWorkerData } from './pull-store-worker.js';

const encoder = new TextEncoder();

interface Waiting {
  resolve: (counts: BatchCounts) => void;
  reject: (e: Error) => void;
}

export class StoreThread {
  private worker: Worker | undefined;
  private waiting: Waiting | undefined;

  constructor(private readonly file: string) {}

  /** Stores the batch on the thread; rejects with the thread's error (nothing of the batch is then stored). */
  store(batch: Held[]): Promise<BatchCounts> {
    if (this.waiting) return Promise.reject(new Error('the pull store thread has a batch in flight'));
    const worker = (this.worker ??= this.start());
    return new Promise<BatchCounts>((resolve, reject) => {
      this.waiting = { resolve, reject };
      worker.ref();
      // The JSON's bytes, moved (transferred), not copied: posting the 2.7 MB string of a batch of 2 000 took more
      // CPU than its stringify (docs/performance.md, seventh round).
      const bytes = encoder.encode(JSON.stringify(batch)); // its own ArrayBuffer (Buffer.from may share a pool)
      worker.postMessage({ batch: bytes } satisfies StoreRequest, [bytes.buffer]);
    });
  }

  /** Ends the thread (after its batch in flight, if any, was answered: the runner awaits every flush first). */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    const exited = once(worker, 'exit');
    worker.ref(); // the process waits for the connection to close
    worker.postMessage('close' satisfies StoreRequest);
    await exited;
  }

  private start(): Worker {
    const data: StoreWorkerData = { file: this.file };
    const worker = new Worker(new URL('./pull-store-worker.js', import.meta.url), { workerData: data });
    worker.on('message', (m: StoreAnswer) => {
      worker.unref();
      const waiting = this.take();
      if ('counts' in m) waiting?.resolve(m.counts);
      else waiting?.reject(Object.assign(new Error(m.error.message), m.error));
    });
    const died = (e: Error) => {
      if (this.worker === worker) this.worker = undefined;
      this.take()?.reject(e);
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`the pull store thread exited (code ${code})`)));
    return worker;
  }

  private take(): Waiting | undefined {
    const waiting = this.waiting;
    this.waiting = undefined;
    return waiting;
  }
}
