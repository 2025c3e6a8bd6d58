// A batch of session records as flat strings, to hand from one thread to another (postMessage). Cloning the
// sessions' object graphs cost the receiving thread 60-150 µs per session (measured); strings are copied as they
// are, and the receiver parses each document once (30-40 µs) and gives it to the store as the stored document.
import type { Session } from '../../../domain/session.js';
import { WIRE_FORMATS, type WireFormat } from '../../../domain/wire-format.js';
import type { WriteSource } from '../../../domain/session-change.js';
import type { SessionRecord } from '../../../store/contract.js';

export interface RecordBatch {
  /** JSON.stringify of each session (the stored document). */
  docs: string[];
  owners: string[];
  /** The renders, WIRE_FORMATS.length per session, in WIRE_FORMATS order. */
  bodies: string[];
}

export function packRecords(records: readonly SessionRecord[]): RecordBatch {
  const batch: RecordBatch = { docs: [], owners: [], bodies: [] };
  for (const r of records) {
    batch.docs.push(r.doc ?? JSON.stringify(r.session));
    batch.owners.push(r.owner);
    for (const f of WIRE_FORMATS) batch.bodies.push(r.renders[f]);
  }
  return batch;
}

/** The records of `batch`, written by `source` (kept in each session's history). */
export function unpackRecords(batch: RecordBatch, source?: WriteSource): SessionRecord[] {
  const n = WIRE_FORMATS.length;
  return batch.docs.map((doc, i) => {
    const renders = {} as Record<WireFormat, string>;
    WIRE_FORMATS.forEach((f, j) => (renders[f] = batch.bodies[i * n + j]!));
    return {
      session: JSON.parse(doc) as Session,
      owner: batch.owners[i]!,
      renders,
      doc,
      ...(source ? { source } : {}),
    };
  });
}
