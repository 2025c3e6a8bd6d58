// Use case: seed deterministic demo data (sessions over the given eMSPs) into a store.
//
// Two threads: a worker generates and renders the sessions (demo-worker.ts), this thread stores them, each batch
// in one putSessions transaction (the store's one write path), while the worker prepares the next. Measured on 2
// cores: generation + rendering and storing take about as long as each other, so the seeding takes about half as
// long as one thread doing both (docs/performance.md, "third round").
import { Worker } from 'node:worker_threads';
import type { SessionStore } from '../../../store/contract.js';
import type { DemoWorkerData, DemoWorkerMessage } from './demo-worker.js';
import { unpackRecords } from './record-batch.js';
import { putRecords } from './writer.js';

export interface SeedOptions {
  sessions: number;
  seed: number;
  emsps: { countryCode: string; partyId: string }[];
  cpo: { countryCode: string; partyId: string };
  now?: number;
  batchSize?: number;
  onProgress?: (written: number) => void;
}

export async function seedDemo(store: SessionStore, o: SeedOptions): Promise<number> {
  const data: DemoWorkerData = {
    count: o.sessions,
    seed: o.seed,
    emsps: o.emsps,
    cpo: o.cpo,
    now: o.now ?? Math.floor(Date.now() / 1000) * 1000,
    batchSize: o.batchSize ?? 2000,
    formats: (await store.storedFormats()).stored,
  };
  const worker = new Worker(new URL('./demo-worker.js', import.meta.url), { workerData: data });
  let written = 0;
  try {
    for await (const message of messages(worker)) {
      if ('done' in message) {
        if (message.done !== written) throw new Error(`demo: ${message.done} generated, ${written} stored`);
        return written;
      }
      const records = unpackRecords(message.batch, 'demo');
      await putRecords(store, records, { mode: 'replace' });
      worker.postMessage('ack');
      written += records.length;
      o.onProgress?.(written);
    }
    throw new Error('demo: the generating thread stopped early');
  } finally {
    await worker.terminate();
  }
}

/** The worker's messages in order; its error (or an exit before `done`) ends the iteration with that error. */
async function* messages(worker: Worker): AsyncGenerator<DemoWorkerMessage> {
  const queue: DemoWorkerMessage[] = [];
  let failure: Error | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => wake?.();
  worker.on('message', (m: DemoWorkerMessage) => (queue.push(m), notify()));
  worker.on('error', (err: Error) => ((failure = err), notify()));
  worker.on('exit', () => ((ended = true), notify()));
  for (;;) {
    const next = queue.shift();
    if (next) {
      yield next;
      continue;
    }
    if (failure) throw failure;
    if (ended) return;
    await new Promise<void>((resolve) => (wake = resolve));
  }
}
