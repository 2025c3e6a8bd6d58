// Pulling Sessions from a CPO (the eMSP side of OCPI 2.2.1 §9.2.1.1 / 2.1.1 mod_sessions §3.1.1 GET):
// discover the sender endpoint, crawl its pages, parse every object with the codec of its format, and store the
// valid ones (upsert by CPO + id, never replacing a newer last_updated with an older one).
//
// Incremental and crash-safe (state.ts): the start time of the last complete crawl is remembered per pull key and
// the next crawl asks `date_from` = that time minus a safety margin (OCPI 2.2.1 transport_and_format, Pull and
// Push: a receiver must be able to get back in sync by pulling; ocpi-notes §2.1: date_from = when it last was in
// sync). The margin covers clock skew between us and the CPO. During a crawl, the URL of the next page is
// checkpointed after each page's sessions are committed; a crawl that did not finish (kill -9, network loss, retry
// budget spent) is resumed from there by the next run asking for the same window. Refetching a page is harmless:
// the upsert is keyed and idempotent.
import { isDeepStrictEqual } from 'node:util';
import { formatDateTime } from '../domain/datetime.js';
import type { TokenEncoding } from '../domain/party.js';
import { partyKey, type Session } from '../domain/session.js';
import { wireFormatFor, type OcpiVersion, type WireFormat } from '../domain/wire-format.js';
import { detectFormat } from '../service/import.js';
import { toRecord } from '../service/sessions-writer.js';
import type { SessionStore } from '../store/contract.js';
import type { CamelCandidate } from '../wire/camel/enum-tables.js';
import type { ParseContext, ValidationIssue } from '../wire/codec.js';
import { codecFor } from '../wire/registry.js';
import { crawlPages, type CrawlPage } from './crawler.js';
import { discoverSessionsEndpoint, versionInPath } from './discovery.js';
import { OcpiHttpClient, type RetryInfo, type RetryPolicy } from './http.js';
import { loadEncoding, loadSyncState, saveEncoding, saveSyncState, type InProgressCrawl } from './state.js';

export interface Party {
  countryCode: string;
  partyId: string;
}

export const DEFAULT_MARGIN_MS = 5 * 60_000;
/** At most this many invalid objects are kept in the summary (all are counted and reported via onInvalid). */
export const MAX_INVALID_LISTED = 1000;

export interface PullOptions {
  store: SessionStore;
  /** Names the remembered state: a partner's `CC-PID`, or `url:<url>#<token hash>` (service/pull.ts urlKey). */
  key: string;
  /** A versions URL, a version details URL, or a sessions URL. */
  url: string;
  token: string;
  version?: OcpiVersion;
  /** Token encoding to start with when none is remembered for `key` (default: by version, see below). */
  encoding?: TokenEncoding;
  /** Told when the peer accepted an encoding other than the one remembered (e.g. to update a partner record). */
  onEncoding?: (encoding: TokenEncoding) => void | Promise<void>;
  /** The CPO we pull from: owner of 2.1.1 sessions (which do not name it). */
  cpo?: Party;
  /** Ourselves: the token owner of 2.1.1 sessions (which do not name it). */
  emsp?: Party;
  /** `date_from` (epoch ms); overrides the incremental one. */
  since?: number;
  /** `date_to` (epoch ms). */
  until?: number;
  /** `limit` asked on the first page (the server may cap it; later pages follow its Link). */
  pageSize?: number;
  marginMs?: number;
  timeoutMs?: number;
  retry?: RetryPolicy;
  camelEnums?: CamelCandidate;
  onProgress?: (p: PullProgress) => void;
  onInvalid?: (o: InvalidObject) => void;
  onRetry?: (r: RetryInfo) => void;
  onNotice?: (message: string) => void;
  /** Test seams. */
  now?: () => number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface InvalidObject {
  /** Page number within this run (1-based) and index in its `data` list (0-based). */
  page: number;
  index: number;
  url: string;
  id?: string;
  issues: ValidationIssue[];
}

export interface PullCounts {
  pages: number;
  /** Objects received, including invalid ones and objects seen again on a refetched page. */
  received: number;
  /** Distinct sessions of this run by what storing them did. */
  sessions: { new: number; updated: number; unchanged: number };
  /** Objects received again in this run (a refetched page after a correction or a resume). */
  repeated: number;
  /** Distinct invalid objects, skipped. */
  invalid: number;
  retries: number;
  corrections: number;
  authFallbacks: number;
}

export interface PullProgress extends PullCounts {
  /** Position in the result list after the last page (its offset + objects), when the URL has an offset. */
  position?: number;
  /** Last X-Total-Count and X-Limit. */
  total?: number;
  limit?: number;
  elapsedMs: number;
}

export interface PullSummary extends PullCounts {
  key: string;
  /** The sessions endpoint crawled. */
  url?: string;
  version?: OcpiVersion | 'detected per object';
  encoding: TokenEncoding;
  dateFrom?: string;
  dateTo?: string;
  resumed: boolean;
  /** This crawl's start (kept across a resume). */
  syncStartedAt?: string;
  /**
   * Whether this crawl, once complete, is the base of the next incremental pull (date_from = syncStartedAt −
   * margin). Not when its window does not reach back to the previous base (a later --since) or has an end (--until).
   */
  recordsSync: boolean;
  complete: boolean;
  totalCount?: number;
  pageLimit?: number;
  invalidObjects: InvalidObject[];
  durationMs: number;
  sessionsPerSecond: number;
  error?: string;
}

export class PullError extends Error {
  constructor(
    message: string,
    readonly summary: PullSummary,
    readonly kind: 'setup' | 'failed',
  ) {
    super(message);
  }
}

/** `ocpi` vs `camel` by key style, the version from the crawl (or, without one, from the object's keys). */
export function formatOf(
  obj: unknown,
  version: OcpiVersion | undefined,
  fallbackStyle: 'ocpi' | 'camel',
): WireFormat | undefined {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const keys = Object.keys(obj);
  const style = keys.some((k) => /[a-z0-9][A-Z]/.test(k))
    ? 'camel'
    : keys.some((k) => k.includes('_'))
      ? 'ocpi'
      : fallbackStyle;
  const v = version ?? (detectFormat(obj)?.endsWith('2.1.1') ? '2.1.1' : '2.2.1');
  return wireFormatFor(style, v);
}

export async function pull(o: PullOptions): Promise<PullSummary> {
  const now = o.now ?? Date.now;
  const { store, key } = o;
  const begun = now();
  const counts: PullCounts = {
    pages: 0,
    received: 0,
    sessions: { new: 0, updated: 0, unchanged: 0 },
    repeated: 0,
    invalid: 0,
    retries: 0,
    corrections: 0,
    authFallbacks: 0,
  };
  const invalidObjects: InvalidObject[] = [];
  const seen = new Set<string>();
  const seenInvalid = new Set<string>();
  let summaryBase: Partial<PullSummary> = {};
  let last: CrawlPage | undefined;

  const state = await loadSyncState(store, key);
  const remembered = await loadEncoding(store, key);
  const hint = o.version ?? versionInPath(o.url);
  let routing: Record<string, string> = {};
  const http = new OcpiHttpClient({
    token: o.token,
    // OCPI 2.2.1 §4.1.2: Base64 for 2.2.x; 2.1.1 sends the token as is. A remembered choice wins.
    encoding: remembered ?? o.encoding ?? (hint === '2.1.1' ? 'raw' : 'base64'),
    timeoutMs: o.timeoutMs,
    retry: o.retry,
    headers: () => routing,
    onEncodingConfirmed: async (e) => {
      if (e === remembered) return;
      await saveEncoding(store, key, e);
      await o.onEncoding?.(e);
    },
    onRetry: o.onRetry,
    fetch: o.fetch,
    sleep: o.sleep,
    random: o.random,
    now,
  });

  const summary = (complete: boolean, error?: string): PullSummary => {
    const durationMs = now() - begun;
    return {
      key,
      ...summaryBase,
      ...counts,
      retries: http.retries,
      authFallbacks: http.authFallbacks,
      encoding: http.encoding,
      resumed: summaryBase.resumed ?? false,
      recordsSync: summaryBase.recordsSync ?? false,
      complete,
      totalCount: last?.total,
      pageLimit: last?.limit,
      invalidObjects,
      durationMs,
      sessionsPerSecond: durationMs > 0 ? Math.round((counts.received * 1000) / durationMs) : 0,
      ...(error === undefined ? {} : { error }),
    };
  };
  const fail = (e: unknown, kind: 'setup' | 'failed' = 'failed'): PullError => {
    if (e instanceof PullError) return e;
    const message = (e as Error).message ?? String(e);
    return new PullError(message, summary(false, message), kind);
  };

  // --- the endpoint and the window
  let endpoint;
  try {
    endpoint = await discoverSessionsEndpoint(http, o.url, o.version);
  } catch (e) {
    throw fail(e);
  }
  const version = endpoint.version;
  summaryBase = { url: endpoint.url, version: version ?? 'detected per object' };
  const missing211 = () =>
    !o.cpo
      ? 'OCPI 2.1.1 sessions do not name their CPO: pass --partner CC-PID (or --cpo CC-PID)'
      : !o.emsp
        ? 'OCPI 2.1.1 sessions do not name the eMSP of their token: set this instance identity or pass --emsp CC-PID'
        : undefined;
  if (version === '2.1.1' && missing211()) throw fail(new Error(missing211()), 'setup');
  if (version === '2.2.1' && o.cpo && o.emsp) {
    // OCPI 2.2.1 §4.1.7 (Message Routing) headers: functional modules only (not versions/details).
    routing = {
      'ocpi-from-country-code': o.emsp.countryCode,
      'ocpi-from-party-id': o.emsp.partyId,
      'ocpi-to-country-code': o.cpo.countryCode,
      'ocpi-to-party-id': o.cpo.partyId,
    };
  }

  const margin = o.marginMs ?? DEFAULT_MARGIN_MS;
  const incrementalFrom =
    state.lastCompleteSyncStart !== undefined ? floorSecond(state.lastCompleteSyncStart - margin) : undefined;
  const dateFrom = o.since !== undefined ? floorSecond(o.since) : incrementalFrom;
  const dateTo = o.until !== undefined ? ceilSecond(o.until) : undefined;
  // A window that leaves out part of what the incremental one would ask must not become the new base: the
  // sessions it skipped would never be asked for again.
  const recordsSync =
    dateTo === undefined &&
    (incrementalFrom === undefined || (dateFrom !== undefined && dateFrom <= incrementalFrom));
  const ip = state.inProgress;
  let crawl: InProgressCrawl;
  let resumed = false;
  if (ip && ip.sessionsUrl === endpoint.url && ip.dateFrom === dateFrom && ip.dateTo === dateTo) {
    crawl = { ...ip };
    resumed = true;
    o.onNotice?.(
      `resuming the pull interrupted after ${ip.pagesDone} pages (started ${formatDateTime(ip.startedAt)}) at ${ip.nextUrl}`,
    );
  } else {
    crawl = {
      startedAt: begun,
      sessionsUrl: endpoint.url,
      dateFrom,
      dateTo,
      nextUrl: firstPageUrl(endpoint.url, dateFrom, dateTo, o.pageSize),
      pagesDone: 0,
    };
  }
  summaryBase = {
    ...summaryBase,
    resumed,
    syncStartedAt: formatDateTime(crawl.startedAt),
    recordsSync,
    ...(dateFrom === undefined ? {} : { dateFrom: formatDateTime(dateFrom) }),
    ...(dateTo === undefined ? {} : { dateTo: formatDateTime(dateTo) }),
  };
  const saveCheckpoint = () =>
    saveSyncState(store, key, { lastCompleteSyncStart: state.lastCompleteSyncStart, inProgress: crawl });

  // --- parsing
  const codecOptions = { camelEnums: o.camelEnums };
  const placeholder = { countryCode: 'ZZ', partyId: 'ZZZ' }; // unused: 2.2.1 sessions name their CPO
  const contextFor = (format: WireFormat): ParseContext => {
    if (format.endsWith('2.1.1')) {
      const why = missing211();
      if (why) throw new PullError(why, summary(false, why), 'setup');
    }
    return { cpo: o.cpo ?? placeholder, emsp: o.emsp };
  };

  const processPage = async (page: CrawlPage, pageNo: number) => {
    const valid: Session[] = [];
    page.items.forEach((obj, index) => {
      counts.received += 1;
      const format = formatOf(obj, version, page.envelopeStyle);
      let issues: ValidationIssue[];
      if (!format) {
        issues = [{ path: '$', message: 'not a Session object' }];
      } else {
        const r = codecFor(format, codecOptions).parseSession(obj, contextFor(format));
        if (r.ok) {
          valid.push(r.value);
          return;
        }
        issues = r.issues;
      }
      // OCPI 2.2.1 transport_and_format, GET: the client cannot tell the server; log it and process the valid objects.
      const id = idOf(obj);
      const dedupe = id !== undefined ? `id:${id}` : `json:${JSON.stringify(obj) ?? String(obj)}`;
      if (seenInvalid.has(dedupe)) {
        counts.repeated += 1;
        return;
      }
      seenInvalid.add(dedupe);
      counts.invalid += 1;
      const report: InvalidObject = { page: pageNo, index, url: page.url, id, issues };
      if (invalidObjects.length < MAX_INVALID_LISTED) invalidObjects.push(report);
      o.onInvalid?.(report);
    });

    const firsts: boolean[] = [];
    const stored = await Promise.all(valid.map((s) => store.getSession(s.countryCode, s.partyId, s.id)));
    const write: Session[] = [];
    valid.forEach((s, i) => {
      const k = `${partyKey(s.countryCode, s.partyId)}/${s.id.toUpperCase()}`;
      const first = !seen.has(k);
      if (first) seen.add(k);
      else counts.repeated += 1;
      const old = stored[i]?.session;
      // Unchanged: what we hold is newer, or the same version (same last_updated and content).
      if (
        old &&
        (old.lastUpdated > s.lastUpdated || (old.lastUpdated === s.lastUpdated && sameContent(old, s)))
      ) {
        if (first) counts.sessions.unchanged += 1;
        return;
      }
      write.push(s);
      firsts.push(first);
    });
    if (write.length === 0) return;
    // One transaction per page; 'if-newer' keeps a newer stored session should one arrive meanwhile.
    const outcomes = await store.putSessions(write.map(toRecord), { mode: 'if-newer' });
    outcomes.forEach((outcome, i) => {
      if (!firsts[i]) return;
      if (outcome === 'created') counts.sessions.new += 1;
      else if (outcome === 'updated') counts.sessions.updated += 1;
      else counts.sessions.unchanged += 1;
    });
  };

  // --- the crawl
  try {
    await saveCheckpoint();
    for await (const page of crawlPages(http, crawl.nextUrl, { previousTotal: crawl.lastTotal })) {
      counts.pages += 1;
      last = page;
      await processPage(page, counts.pages);
      if (page.correction) counts.corrections += 1;
      if (page.uncorrectable)
        o.onNotice?.(
          `X-Total-Count dropped at ${page.url}, which has no offset to lower: an object may have been missed ` +
            `(OCPI 2.2.1 §4.1.3); run the pull again with --since to re-read the window`,
        );
      if (page.next !== undefined) {
        crawl = {
          ...crawl,
          nextUrl: page.next,
          lastTotal: page.total ?? crawl.lastTotal,
          pagesDone: crawl.pagesDone + 1,
        };
        await saveCheckpoint();
      } else {
        await saveSyncState(store, key, {
          lastCompleteSyncStart: recordsSync ? crawl.startedAt : state.lastCompleteSyncStart,
        });
      }
      o.onProgress?.({
        ...counts,
        retries: http.retries,
        authFallbacks: http.authFallbacks,
        position: page.offset !== undefined ? page.offset + page.items.length : undefined,
        total: page.total,
        limit: page.limit,
        elapsedMs: now() - begun,
      });
    }
  } catch (e) {
    const err = fail(e);
    if (err.kind === 'failed') {
      const kept = counts.sessions.new + counts.sessions.updated;
      err.message =
        `${err.message}\n${kept} sessions stored by this run are kept; ` +
        `running the same pull again resumes at ${crawl.nextUrl}`;
      err.summary.error = err.message;
    }
    throw err;
  }
  return summary(true);
}

/** The first page: the sessions URL with our window and page size (later pages follow the Link header). */
export function firstPageUrl(
  sessionsUrl: string,
  dateFrom?: number,
  dateTo?: number,
  limit?: number,
): string {
  const u = new URL(sessionsUrl);
  // OCPI 2.2.1 §4.1.3: date_from inclusive, date_to exclusive, limit = the page size asked for.
  if (dateFrom !== undefined) u.searchParams.set('date_from', formatDateTime(dateFrom));
  if (dateTo !== undefined) u.searchParams.set('date_to', formatDateTime(dateTo));
  if (limit !== undefined) u.searchParams.set('limit', String(limit));
  return u.toString();
}

function idOf(obj: unknown): string | undefined {
  if (!obj || typeof obj !== 'object') return undefined;
  const id = (obj as { id?: unknown }).id;
  return typeof id === 'string' ? id : typeof id === 'number' ? String(id) : undefined;
}

function sameContent(stored: Session, incoming: Session): boolean {
  // The stored session went through JSON (no undefined members); compare like with like.
  return isDeepStrictEqual(stored, JSON.parse(JSON.stringify(incoming)));
}

// Whole seconds: the safest DateTime form for 2.1.1 peers (ocpi-notes §2.8); rounding widens the window.
const floorSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
const ceilSecond = (ms: number) => Math.ceil(ms / 1000) * 1000;
