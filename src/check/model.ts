// What a conformance check run produces (docs/check-report.md describes the JSON form, schema
// `ocpi-sessions-check/1`): one result per named check, with its outcome and the evidence it rests on.
import type { TokenEncoding } from '../domain/party.js';
import type { OcpiVersion } from '../domain/wire-format.js';

/** error: sessions are lost, refused or corrupted; warning: a deviation a tolerant client survives. */
export type Severity = 'error' | 'warning';
/** not-determined: the check could not decide (the reason says why), e.g. the request budget ran out. */
export type Outcome = 'pass' | 'fail' | 'not-determined';

export const AREAS = [
  'versions',
  'authorization',
  'envelope',
  'pagination',
  'filters',
  'ordering',
  'objects',
  'performance',
  'receiver',
] as const;
export type Area = (typeof AREAS)[number];

/** One request and what came back, as shown in a report. */
export interface Evidence {
  /** `GET <url>` (PUT, PATCH for the receiver checks; the token is never shown). */
  request: string;
  /** HTTP status; absent when no answer came (the error says why). */
  status?: number;
  /** Selected response headers (X-Total-Count, X-Limit, Link), as sent. */
  headers?: Record<string, string>;
  /** The start of the body, or the part that matters. */
  excerpt?: string;
  error?: string;
  /** Time to the whole answer. */
  ms?: number;
}

export interface CheckResult {
  id: string;
  area: Area;
  title: string;
  severity: Severity;
  /** Spec sections (OCPI 2.2.1, and 2.1.1 where it differs). */
  spec: string;
  outcome: Outcome;
  /** What was found (pass or fail), or why it could not be decided. */
  detail: string;
  evidence: Evidence[];
}

export interface CheckReport {
  schema: 'ocpi-sessions-check/1';
  target: {
    /** The URL given on the command line. */
    url: string;
    /** The Sessions endpoint checked: the CPO's SENDER, or the eMSP's RECEIVER (undefined: not found). */
    sessionsUrl?: string;
    version?: OcpiVersion;
    /** The other party's role: cpo (its SENDER checked) or emsp (its RECEIVER, with --write). */
    role: 'cpo' | 'emsp';
    /** Key style of the answers: standard OCPI or the documented camelCase / integer format. */
    style?: 'ocpi' | 'camel';
    /** The token encoding the peer accepted (the version's own when it accepts both). */
    encoding?: TokenEncoding;
    party?: string;
  };
  startedAt: string;
  finishedAt: string;
  requests: { made: number; max: number };
  summary: { passed: number; failed: number; notDetermined: number; total: number };
  results: CheckResult[];
  /** What a pull client can do about the failures (recorded with the partner, see docs/check-report.md). */
  quirks: string[];
}

/** The report of a run that started at `started` (epoch ms) and made `requests`. */
export function makeReport(
  target: CheckReport['target'],
  started: number,
  requests: CheckReport['requests'],
  results: CheckResult[],
  quirks: string[],
): CheckReport {
  return {
    schema: 'ocpi-sessions-check/1',
    target,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    requests,
    summary: summarize(results),
    results,
    quirks,
  };
}

export function summarize(results: CheckResult[]): CheckReport['summary'] {
  const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
  return {
    passed: count('pass'),
    failed: count('fail'),
    notDetermined: count('not-determined'),
    total: results.length,
  };
}
