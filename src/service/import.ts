// Use case: import sessions from a file's text (JSON array, single object, OCPI envelope, or NDJSON).
// Invalid objects are reported with their reasons; valid ones are kept.
import type { Session } from '../domain/session.js';
import type { WireFormat } from '../domain/wire-format.js';
import type { PutOutcome, SessionStore } from '../store/contract.js';
import type { ParseContext, ValidationIssue } from '../wire/codec.js';
import { codecFor } from '../wire/registry.js';
import { writeSessions } from './sessions-writer.js';

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

/** Guesses the wire format of one object from its distinctive keys. */
export function detectFormat(obj: unknown): WireFormat | undefined {
  if (!obj || typeof obj !== 'object') return undefined;
  const o = obj as Record<string, unknown>;
  if ('cdr_token' in o) return 'ocpi-2.2.1';
  if ('cdrToken' in o) return 'camel-2.2.1';
  if ('auth_id' in o || 'start_datetime' in o) return 'ocpi-2.1.1';
  if ('authId' in o || 'startDatetime' in o) return 'camel-2.1.1';
  return undefined;
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
    const format = options.format ?? detectFormat(obj);
    const id = obj && typeof obj === 'object' ? (obj as { id?: unknown }).id : undefined;
    const idText = typeof id === 'string' ? id : undefined;
    if (!format) {
      report.invalid.push({
        index,
        id: idText,
        issues: [{ path: '$', message: 'not a Session in any known format' }],
      });
      return;
    }
    const parsed = codecFor(format).parseSession(obj, options.context);
    if (parsed.ok) valid.push(parsed.value);
    else report.invalid.push({ index, id: idText, issues: parsed.issues });
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
