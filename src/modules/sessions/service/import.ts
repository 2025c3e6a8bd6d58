// Use case: import sessions from a text read in chunks (a JSON array, an OCPI envelope, a single object, or
// NDJSON), of any size: objects are read one at a time (wire/json-objects.ts) and written in batches. Invalid
// objects are reported with their reasons; valid ones are kept. A JSON document that breaks off (a truncated
// file) ends the import with `error`, after everything read before it has been written.
import type { Session } from '../../../domain/session.js';
import type { WireFormat } from '../../../domain/wire-format.js';
import type { PutOutcome, SessionStore } from '../../../store/contract.js';
import type { ParseContext, ValidationIssue } from '../../../wire/codec.js';
import { JsonTextError, readJsonObjects } from '../../../wire/json-objects.js';
import { classifySession, detectFormat } from './classify.js';
import { writeSessions } from './writer.js';

export interface ImportProblem {
  index: number;
  id?: string;
  issues: ValidationIssue[];
}

export interface ImportReport {
  total: number;
  created: number;
  updated: number;
  stale: number;
  invalid: ImportProblem[];
  /** Why reading stopped before the end of the text (a truncated or broken JSON document). */
  error?: string;
}

export interface ImportOptions {
  format?: WireFormat;
  context: ParseContext;
  /** Sessions per write (one transaction). Default 1000. */
  batchSize?: number;
  /** Called after each batch is written, and at the end if something was read since. */
  onProgress?: (report: ImportReport) => void;
}

export async function importSessions(
  store: SessionStore,
  text: AsyncIterable<string>,
  options: ImportOptions,
): Promise<ImportReport> {
  const report: ImportReport = { total: 0, created: 0, updated: 0, stale: 0, invalid: [] };
  const size = options.batchSize ?? 1000;
  let batch: Session[] = [];
  let reported = 0; // report.total at the last onProgress
  const progress = () => {
    reported = report.total;
    options.onProgress?.(report);
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const written = batch;
    batch = [];
    count(report, await writeSessions(store, written, { mode: 'if-newer' }, 'import'));
    progress();
  };
  try {
    for await (const item of readJsonObjects(text)) {
      const index = report.total++;
      if ('problem' in item) {
        report.invalid.push({ index, issues: [{ path: '$', message: item.problem }] });
        continue;
      }
      const obj = item.value;
      const c = classifySession(obj, options.format ?? detectFormat(obj), () => options.context);
      if (c.ok) batch.push(c.session);
      else report.invalid.push({ index, id: c.id, issues: c.issues });
      if (batch.length >= size) await flush();
    }
  } catch (e) {
    if (!(e instanceof JsonTextError)) throw e;
    report.error = e.message;
  }
  await flush();
  if (reported !== report.total) progress();
  return report;
}

function count(report: ImportReport, outcomes: PutOutcome[]): void {
  for (const o of outcomes) report[o] += 1;
}
