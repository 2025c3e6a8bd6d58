// The pull's store thread (pull-store-thread.ts): its own connection to the pull's SQLite file, storing one batch
// of held sessions per message (storeBatch, the same as in place) and answering with the batch's counts or its
// error. `close` closes the connection and ends the thread.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteStore } from '../../../store/sqlite/sqlite-store.js';
import { storeBatch, type BatchCounts, type Held } from './pull-batch.js';

export interface StoreWorkerData {
  file: string;
}
/**
 * main → thread: a batch to store as the JSON text of its Held[] (UTF-8), or `close`. JSON, not a structured clone: the
 * thread, the busier of the two, parsed 2 000 held sessions in 12.5 µs each against 29 µs for a clone's
 * deserialization (docs/performance.md, seventh round); a session is plain JSON data (the store keeps it as JSON).
 */
export type StoreRequest = { batch: Uint8Array } | 'close';
/** thread → main: the batch's counts, or why it was not stored (an Error's name, message and SQLite code). */
export type StoreAnswer =
  { counts: BatchCounts } | { error: { name: string; message: string; code?: string; stack?: string } };

const decoder = new TextDecoder();

function serve(port: NonNullable<typeof parentPort>, o: StoreWorkerData): void {
  const store = new SqliteStore(o.file);
  port.on('message', (m: StoreRequest) => {
    if (m === 'close') {
      void store.close().finally(() => port.close());
      return;
    }
    storeBatch(store, JSON.parse(decoder.decode(m.batch)) as Held[]).then(
      (counts) => port.postMessage({ counts } satisfies StoreAnswer),
      (e: unknown) => {
        const { name, message, code, stack } = e as Error & { code?: string };
        port.postMessage({ error: { name, message, code, stack } } satisfies StoreAnswer);
      },
    );
  });
}

if (parentPort) serve(parentPort, workerData as StoreWorkerData);
