// Use case: import sessions from a file's text (JSON array, single object, OCPI envelope, or NDJSON).
// Invalid objects are reported with their reasons; valid ones are kept.
import type { Session } from '../../../domain/session.js';
import type { WireFormat } from '../../../domain/wire-format.js';
import type { PutOutcome, SessionStore } from '../../../store/contract.js';
import type { ParseContext, ValidationIssue } from '../../../wire/codec.js';
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
}

/** Splits file text into objects: NDJSON (one per line) or JSON (array, envelope `{data: [...]}` or one object). */
export function splitObjects(text: string): { objects: unknown[]; problems: ImportProblem[] } {
  const trimmed = text.trim();
  if (trimmed === '') return { objects: [], problems: [] };
  try {
    const json = JSON.parse(trimmed) as unknown;
    if (Array.isArray(json)) return { objects: json, problems: [] };
    if (json && typeof json === 'object' && Array.isArray((json as { data?: unknown }).data)) {
      return { objects: (json as { data: unknown[] }).data, problems: [] };
    }
    return { objects: [json], problems: [] };
  } catch {
    const objects: unknown[] = [];
    const problems: ImportProblem[] = [];
    trimmed.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        objects.push(JSON.parse(line));
      } catch (e) {
        problems.push({
          index: objects.length,
          issues: [{ path: '$', message: `line ${i + 1} is not JSON: ${(e as Error).message}` }],
        });
        objects.push(undefined);
      }
    });
    return { objects, problems };
  }
}

export async function importSessions(
  store: SessionStore,
  text: string,
  options: { format?: WireFormat; context: ParseContext; batchSize?: number },
): Promise<ImportReport> {
  const { objects, problems } = splitObjects(text);
  const report: ImportReport = {
    total: objects.length,
    created: 0,
    updated: 0,
    stale: 0,
    invalid: [...problems],
  };
  const failed = new Set(problems.map((p) => p.index));
  const valid: Session[] = [];
  objects.forEach((obj, index) => {
    if (obj === undefined && failed.has(index)) return;
    const c = classifySession(obj, options.format ?? detectFormat(obj), () => options.context);
    if (c.ok) valid.push(c.session);
    else report.invalid.push({ index, id: c.id, issues: c.issues });
  });
  const size = options.batchSize ?? 1000;
  for (let i = 0; i < valid.length; i += size) {
    count(report, await writeSessions(store, valid.slice(i, i + size)));
  }
  report.invalid.sort((a, b) => a.index - b.index);
  return report;
}

function count(report: ImportReport, outcomes: PutOutcome[]): void {
  for (const o of outcomes) report[o] += 1;
}
