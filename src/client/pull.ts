// Pulling Sessions from a CPO (the eMSP side of OCPI 2.2.1 §9.2.1.1 / 2.1.1 mod_sessions §3.1.1 GET):
// discover the sender endpoint, crawl its pages, parse every object with the codec of its format, and store the
// valid ones (upsert by CPO + id, never replacing a newer last_updated with an older one).
//
// Bounded and incremental (state.ts): every crawl asks `date_to` = its start time on our clock (or `--until` when
// that is earlier). Many CPOs order their list by last_updated: a session updated while we crawl moves to the end
// and every object after its old place moves up one, so a page boundary skips one. With the bound, the updated
// session leaves the window instead, X-Total-Count drops and the crawler's correction (crawler.ts) re-reads what
// moved up; sessions created while we crawl are outside the window too. A complete crawl sets the sync point to
// its bound, and the next crawl asks `date_from` = that point minus a margin (OCPI 2.2.1 §4.1.3: date_from
// inclusive, date_to exclusive, so consecutive windows chain with nothing in between; OCPI 2.2.1
// transport_and_format, Pull and Push: a receiver gets back in sync by pulling from when it last was in sync).
//
// Clock skew: the bound is our clock, the CPO stamps last_updated with its own. A CPO clock ahead of ours stamps
// an update made just before our start after the bound: it is left out now and read by the next pull (date_from
// ≤ bound). A CPO clock behind ours stamps updates made after our start before the bound, by up to the skew: the
// margin (default 5 min) takes the next window back that far, so they are read then; and such an update made
// during the crawl stays in the window and may shift it, which the next rule catches.
//
// Shifting inside the window: a session that comes back in the same crawl with a later last_updated moved while
// we paged (everything after its earlier place moved up one, and a page boundary may have skipped an object).
// At the end of that pass the crawl rewinds to the earliest such place (lowered by the number of objects that
// left places before it in the pass) and re-reads from there to the end; a repeat of a version already seen is
// no signal (a correction's overlap). At most MAX_REWINDS rewinds; a crawl that still sees moves, or whose URLs
// have no offset to rewind, completes but does not move the sync point, so the next pull re-reads the same window.
//
// Crash-safe: during a crawl, the URL of the next page is checkpointed after each page's sessions are committed; a
// crawl that did not finish (kill -9, network loss, retry budget spent) is resumed from there by the next run
// asking for the same window. Refetching a page is harmless: the upsert is keyed and idempotent.
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
import { crawlPages, withOffset, type CrawlPage } from './crawler.js';
import { ShiftTracker } from './shift.js';
import { discoverSessionsEndpoint, versionInPath } from './discovery.js';
import { OcpiHttpClient, type RetryInfo, type RetryPolicy } from './http.js';
import { loadEncoding, loadSyncState, saveEncoding, saveSyncState, type InProgressCrawl } from './state.js';

export interface Party {
  countryCode: string;
  partyId: string;
}

export const DEFAULT_MARGIN_MS = 5 * 60_000;
/** Rewinds of one crawl after sessions moved inside its window (see top of file). */
export const MAX_REWINDS = 3;
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
  /** `date_to` (epoch ms) when earlier than the crawl's start (the default bound). */
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
  /** Sessions that came back in this run with a later last_updated (moved while we crawled). */
  moved: number;
  /** Re-reads from the earliest place a moved session had (see top of file). */
  rewinds: number;
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
   * Whether this crawl, once complete, moves the sync point to its bound `dateTo` (the next incremental pull asks
   * date_from = dateTo − margin). Not when its window does not reach back to the previous point (a later --since),
   * when its bound is not later than that point, or when it saw shifting it could not repair.
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
    moved: 0,
    rewinds: 0,
    authFallbacks: 0,
  };
  const invalidObjects: InvalidObject[] = [];
  const shifts = new ShiftTracker();
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
  const previous = state.syncPoint;
  const incrementalFrom = previous !== undefined ? floorSecond(previous - margin) : undefined;
  const dateFrom = o.since !== undefined ? floorSecond(o.since) : incrementalFrom;
  const until = o.until !== undefined ? ceilSecond(o.until) : undefined;
  const ip = state.inProgress;
  let crawl: InProgressCrawl;
  let resumed = false;
  if (ip && ip.sessionsUrl === endpoint.url && ip.dateFrom === dateFrom && ip.until === until) {
    crawl = { ...ip };
    resumed = true;
    o.onNotice?.(
      `resuming the pull interrupted after ${ip.pagesDone} pages (started ${formatDateTime(ip.startedAt)}) at ${ip.nextUrl}`,
    );
  } else {
    // The bound: our clock at the start (whole seconds, rounded down), or --until when earlier. Nothing is
    // updated after it while we crawl, so the window can only shrink (see top of file).
    const bound = Math.min(floorSecond(begun), until ?? Infinity);
    crawl = {
      startedAt: begun,
      sessionsUrl: endpoint.url,
      dateFrom,
      dateTo: bound,
      ...(until === undefined ? {} : { until }),
      nextUrl: firstPageUrl(endpoint.url, dateFrom, bound, o.pageSize),
      pagesDone: 0,
    };
  }
  const dateTo = crawl.dateTo;
  // The sync point only moves forward, and only over a window that starts no later than the incremental one:
  // the sessions a later window skipped would never be asked for again.
  const syncPoint = dateTo ?? floorSecond(crawl.startedAt); // (a crawl resumed from before the bound existed)
  const reachesBack =
    incrementalFrom === undefined || (dateFrom !== undefined && dateFrom <= incrementalFrom);
  let recordsSync = reachesBack && (previous === undefined || syncPoint > previous);
  summaryBase = {
    ...summaryBase,
    resumed,
    syncStartedAt: formatDateTime(crawl.startedAt),
    recordsSync,
    ...(dateFrom === undefined ? {} : { dateFrom: formatDateTime(dateFrom) }),
    ...(dateTo === undefined ? {} : { dateTo: formatDateTime(dateTo) }),
  };
  const saveCheckpoint = () => saveSyncState(store, key, { syncPoint: previous, inProgress: crawl });

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

  /** `base`: the offset of the page's first object in the list, when known. */
  const processPage = async (page: CrawlPage, pageNo: number, base: number | undefined) => {
    const valid: Session[] = [];
    const positions: Array<number | undefined> = [];
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
          positions.push(base !== undefined ? base + index : undefined);
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
      const sighting = shifts.see(k, s.lastUpdated, positions[i]);
      const first = sighting === 'first';
      if (!first) counts.repeated += 1;
      if (sighting === 'moved') counts.moved += 1;
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

  // --- the crawl: passes over the list, the first from the checkpoint, then one per rewind (top of file)
  const firstUrl = firstPageUrl(crawl.sessionsUrl, crawl.dateFrom, crawl.dateTo, o.pageSize);
  let offsetUrl: string | undefined; // the last URL fetched that has an offset (a rewind rewrites only that)
  try {
    await saveCheckpoint();
    for (let from: string | undefined = crawl.nextUrl; from !== undefined;) {
      const pass: string = from;
      from = undefined;
      for await (const page of crawlPages(http, pass, { previousTotal: crawl.lastTotal })) {
        counts.pages += 1;
        last = page;
        if (page.offset !== undefined) offsetUrl = page.url;
        await processPage(page, counts.pages, page.offset ?? (page.url === firstUrl ? 0 : undefined));
        if (page.correction) {
          counts.corrections += 1;
          shifts.dropped(page.correction.drop);
        }
        if (page.uncorrectable)
          o.onNotice?.(
            `X-Total-Count dropped at ${page.url}, which has no offset to lower: an object may have been missed ` +
              `(OCPI 2.2.1 §4.1.3); run the pull again with --since to re-read the window`,
          );
        let next = page.next;
        const end = next === undefined ? shifts.endPass() : undefined;
        if (end) {
          const at = end.rewindTo;
          const url =
            at === undefined ? undefined : at === 0 ? firstUrl : offsetUrl && withOffset(offsetUrl, at);
          const what = `${end.moved} sessions came back with a later last_updated: the CPO moved them while we paged, so an object after them may have been skipped`;
          if (url !== undefined && counts.rewinds < MAX_REWINDS) {
            counts.rewinds += 1;
            o.onNotice?.(
              `${what}; re-reading from offset ${at} (rewind ${counts.rewinds} of at most ${MAX_REWINDS})`,
            );
            next = from = url;
          } else {
            recordsSync = false;
            summaryBase.recordsSync = false;
            o.onNotice?.(
              `${what}; ${url === undefined ? 'the list has no offset to re-read from' : `still moving after ${MAX_REWINDS} rewinds`}: ` +
                `the sync point stays where it was, so the next pull asks this window again`,
            );
          }
        }
        if (next !== undefined) {
          crawl = {
            ...crawl,
            nextUrl: next,
            lastTotal: page.total ?? crawl.lastTotal,
            pagesDone: crawl.pagesDone + 1,
          };
          await saveCheckpoint();
        } else {
          await saveSyncState(store, key, { syncPoint: recordsSync ? syncPoint : previous });
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
