// Pages of a Sessions SENDER as the checks read them: URLs with a window and offset/limit, the success answer's
// list and paging headers, and the few session fields the checks look at, in either key style.
import { parseDateTime } from '../../domain/datetime.js';
import { nextLink } from '../../client/link-header.js';
import { succeeded } from '../../client/transport.js';
import type { Probe } from '../probe.js';

/** The filters of the checked window: DateTimes as sent. */
export interface Window {
  dateFrom?: string;
  dateTo?: string;
}

export function pageUrl(base: string, window: Window, offset?: number, limit?: number): string {
  const u = new URL(base);
  if (window.dateFrom !== undefined) u.searchParams.set('date_from', window.dateFrom);
  if (window.dateTo !== undefined) u.searchParams.set('date_to', window.dateTo);
  if (offset !== undefined) u.searchParams.set('offset', String(offset));
  if (limit !== undefined) u.searchParams.set('limit', String(limit));
  return u.toString();
}

export interface Page {
  probe: Probe;
  objects: unknown[];
  /** X-Total-Count / X-Limit as integers (undefined: absent or not an integer). */
  total?: number;
  xLimit?: number;
  /** The Link rel="next" target, resolved. */
  next?: string;
}

/** The page of a success answer (HTTP 2xx, OCPI 1xxx, data a list), else undefined. */
export function readPage(probe: Probe): Page | undefined {
  const a = probe.answer;
  if (!a || !succeeded(a) || !a.envelope || !Array.isArray(a.data)) return undefined;
  return {
    probe,
    objects: a.data,
    total: intHeader(a.headers.get('x-total-count')),
    xLimit: intHeader(a.headers.get('x-limit')),
    next: nextLink(a.headers.get('link'), a.url),
  };
}

function intHeader(v: string | null): number | undefined {
  return v !== null && /^\s*\d+\s*$/.test(v) ? Number(v) : undefined;
}

/** A field of a session in either key style (`last_updated` / `lastUpdated`). */
export function field(obj: unknown, ...names: string[]): unknown {
  if (!obj || typeof obj !== 'object') return undefined;
  const o = obj as Record<string, unknown>;
  for (const n of names) if (n in o) return o[n];
  return undefined;
}

export function lastUpdatedText(obj: unknown): string | undefined {
  const v = field(obj, 'last_updated', 'lastUpdated');
  return typeof v === 'string' ? v : undefined;
}

export function lastUpdated(obj: unknown): number | undefined {
  return parseDateTime(lastUpdatedText(obj));
}

export function startOf(obj: unknown): number | undefined {
  return parseDateTime(field(obj, 'start_date_time', 'startDateTime', 'start_datetime', 'startDatetime'));
}

/** The value of a query parameter of a URL, or undefined. */
export function param(url: string, name: string): string | undefined {
  try {
    return new URL(url).searchParams.get(name) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Same scheme, host, port and path (a trailing slash aside). */
export function sameEndpoint(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    const path = (u: URL) => u.pathname.replace(/\/$/, '');
    return x.origin === y.origin && path(x) === path(y);
  } catch {
    return false;
  }
}
