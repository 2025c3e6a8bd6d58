// A batch of session records as flat strings, to hand from one thread to another (postMessage). Cloning the
// sessions' object graphs cost the receiving thread 60-150 µs per session (measured); strings are copied as they
// are, and the receiver parses each document once (30-40 µs) and gives it to the store as the stored document.
import type { Session } from '../../../domain/session.js';
import type { WireFormat } from '../../../domain/wire-format.js';
import type { WriteSource } from '../../../domain/session-change.js';
import type { SessionRecord } from '../../../store/contract.js';

export interface RecordBatch {
  /** JSON.stringify of each session (the stored document). */
  docs: string[];
  owners: string[];
  /** The formats rendered ahead (the store's stored formats when the seeding began). */
  formats: WireFormat[];
  /** The renders, formats.length per session, in `formats` order. */
  bodies: string[];
}

/** The records, each rendered in `formats` (toRecord's). */
export function packRecords(records: readonly SessionRecord[], formats: readonly WireFormat[]): RecordBatch {
  const batch: RecordBatch = { docs: [], owners: [], formats: [...formats], bodies: [] };
  for (const r of records) {
    batch.docs.push(r.doc ?? JSON.stringify(r.session));
    batch.owners.push(r.owner);
    for (const f of formats) batch.bodies.push(r.renders[f]!);
  }
  return batch;
}

/** The records of `batch`, written by `source` (kept in each session's history). */
export function unpackRecords(batch: RecordBatch, source?: WriteSource): SessionRecord[] {
  const n = batch.formats.length;
  return batch.docs.map((doc, i) => {
    const renders: Partial<Record<WireFormat, string>> = {};
    batch.formats.forEach((f, j) => (renders[f] = batch.bodies[i * n + j]!));
    return {
      session: JSON.parse(doc) as Session,
      owner: batch.owners[i]!,
      renders,
      doc,
      ...(source ? { source } : {}),
    };
  });
}
