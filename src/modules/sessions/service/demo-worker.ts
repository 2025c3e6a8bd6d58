// The producing half of `seedDemo` (demo.ts), run in a worker thread: generates the demo sessions and renders
// them in the store's stored wire formats (toRecord, the writer's), and hands them over a batch at a time while the main thread
// stores the batch before. At most `AHEAD` batches are on their way: memory stays flat whatever the count.
import { parentPort, workerData } from 'node:worker_threads';
import { generateDemoSessions, type DemoOptions } from '../../../demo/demo-data.js';
import type { SessionRecord } from '../../../store/contract.js';
import { packRecords, type RecordBatch } from './record-batch.js';
import { toRecord } from './writer.js';
import type { WireFormat } from '../../../domain/wire-format.js';

export interface DemoWorkerData extends DemoOptions {
  batchSize: number;
  /** The formats to render (the store's stored formats as the seeding began; the store renders any added since). */
  formats: WireFormat[];
}

/** worker → main: a batch of records, then `done` (the total). main → worker: `ack` when a batch is stored. */
export type DemoWorkerMessage = { batch: RecordBatch } | { done: number };

const AHEAD = 2;

async function produce(port: NonNullable<typeof parentPort>, o: DemoWorkerData): Promise<void> {
  let inFlight = 0;
  let wake: (() => void) | undefined;
  port.on('message', () => {
    inFlight -= 1;
    wake?.();
  });
  const send = async (records: SessionRecord[]) => {
    while (inFlight >= AHEAD) await new Promise<void>((resolve) => (wake = resolve));
    inFlight += 1;
    port.postMessage({ batch: packRecords(records, o.formats) } satisfies DemoWorkerMessage);
  };
  let batch: SessionRecord[] = [];
  let n = 0;
  for (const s of generateDemoSessions(o)) {
    batch.push(toRecord(s, undefined, o.formats));
    n += 1;
    if (batch.length >= o.batchSize) {
      await send(batch);
      batch = [];
    }
  }
  if (batch.length) await send(batch);
  port.postMessage({ done: n } satisfies DemoWorkerMessage);
  port.close();
}

if (parentPort) await produce(parentPort, workerData as DemoWorkerData);
