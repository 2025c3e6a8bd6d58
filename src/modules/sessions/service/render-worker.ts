// The rendering half of a pull (render-thread.ts), run in a worker thread: for each batch of stored documents
// (JSON.stringify of the parsed sessions) it renders every wire format (toRecord, the writer's) and sends the
// records back as flat strings (record-batch.ts). The bodies are the renders of the documents as stored, as
// render-pending.ts renders them.
import { parentPort } from 'node:worker_threads';
import type { Session } from '../../../domain/session.js';
import { packRecords } from './record-batch.js';
import type { RenderReply, RenderRequest } from './render-thread.js';
import { toRecord } from './writer.js';

function serve(port: NonNullable<typeof parentPort>): void {
  port.on('message', ({ id, docs }: RenderRequest) => {
    const records = docs.map((doc) => ({ ...toRecord(JSON.parse(doc) as Session), doc }));
    port.postMessage({ id, batch: packRecords(records) } satisfies RenderReply);
  });
}

if (parentPort) serve(parentPort);
