// The window of a pull, from what the store remembers (pull-state.ts).
//
// Bounded and incremental: every crawl asks `date_to` = its start time on our clock (or `--until` when that is
// earlier). Many CPOs order their list by last_updated: a session updated while we crawl moves to the end and
// every object after its old place moves up one, so a page boundary skips one. With the bound, the updated session
// leaves the window instead, X-Total-Count drops and the crawler's correction (client/crawler.ts) re-reads what
// moved up; sessions created while we crawl are outside the window too. A complete crawl sets the sync point to
// its bound, and the next crawl asks `date_from` = that point minus a margin (OCPI 2.2.1 §4.1.3: date_from
// inclusive, date_to exclusive, so consecutive windows chain with nothing in between; OCPI 2.2.1
// transport_and_format, Pull and Push: a receiver gets back in sync by pulling from when it last was in sync).
//
// Clock skew: the bound is our clock, the CPO stamps last_updated with its own. A CPO clock ahead of ours stamps
// an update made just before our start after the bound: it is left out now and read by the next pull (date_from
// ≤ bound). A CPO clock behind ours stamps updates made after our start before the bound, by up to the skew: the
// margin (default 5 min) takes the next window back that far, so they are read then; and such an update made
// during the crawl stays in the window and may shift it, which the page stream's rewinds catch
// (client/page-stream.ts).
import { firstPageUrl } from '../client/page-stream.js';
import type { InProgressCrawl, SyncState } from './pull-state.js';

export const DEFAULT_MARGIN_MS = 5 * 60_000;

export interface WindowAsk {
  /** The sessions endpoint discovered. */
  sessionsUrl: string;
  /** `date_from` (epoch ms); overrides the incremental one. */
  since?: number;
  /** `date_to` (epoch ms) when earlier than the crawl's start (the default bound). */
  until?: number;
  marginMs?: number;
  pageSize?: number;
  /** This run's start (epoch ms, our clock). */
  begun: number;
}

export interface CrawlWindow {
  crawl: InProgressCrawl;
  /** The crawl continues an interrupted one (its checkpoint asked for the same window). */
  resumed: boolean;
  /** The `date_from` asked for. */
  dateFrom?: number;
  /** The sync point before this crawl. */
  previous?: number;
  /** Where the sync point goes when this crawl completes with `recordsSync`. */
  syncPoint: number;
  /**
   * Whether this crawl, once complete, moves the sync point to its bound: not when its window does not reach back
   * to the previous point (a later --since), nor when its bound is not later than that point.
   */
  recordsSync: boolean;
}

/** The window to crawl: the interrupted crawl when it asked the same, else a new one bounded by our clock. */
export function planWindow(state: SyncState, ask: WindowAsk): CrawlWindow {
  const previous = state.syncPoint;
  const margin = ask.marginMs ?? DEFAULT_MARGIN_MS;
  const incrementalFrom = previous !== undefined ? floorSecond(previous - margin) : undefined;
  const dateFrom = ask.since !== undefined ? floorSecond(ask.since) : incrementalFrom;
  const until = ask.until !== undefined ? ceilSecond(ask.until) : undefined;
  const ip = state.inProgress;
  const resumed =
    !!ip && ip.sessionsUrl === ask.sessionsUrl && ip.dateFrom === dateFrom && ip.until === until;
  const crawl = ip && resumed ? { ...ip } : newCrawl(ask, dateFrom, until);
  // The sync point only moves forward, and only over a window that starts no later than the incremental one:
  // the sessions a later window skipped would never be asked for again.
  const syncPoint = crawl.dateTo ?? floorSecond(crawl.startedAt); // (a crawl resumed from before the bound existed)
  const reachesBack =
    incrementalFrom === undefined || (dateFrom !== undefined && dateFrom <= incrementalFrom);
  const recordsSync = reachesBack && (previous === undefined || syncPoint > previous);
  return { crawl, resumed, dateFrom, previous, syncPoint, recordsSync };
}

function newCrawl(ask: WindowAsk, dateFrom: number | undefined, until: number | undefined): InProgressCrawl {
  // The bound: our clock at the start (whole seconds, rounded down), or --until when earlier. Nothing is
  // updated after it while we crawl, so the window can only shrink (see top of file).
  const bound = Math.min(floorSecond(ask.begun), until ?? Infinity);
  return {
    startedAt: ask.begun,
    sessionsUrl: ask.sessionsUrl,
    dateFrom,
    dateTo: bound,
    ...(until === undefined ? {} : { until }),
    nextUrl: firstPageUrl(ask.sessionsUrl, dateFrom, bound, ask.pageSize),
    pagesDone: 0,
  };
}

// Whole seconds: the safest DateTime form for 2.1.1 peers (ocpi-notes §2.8); rounding widens the window.
const floorSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
const ceilSecond = (ms: number) => Math.ceil(ms / 1000) * 1000;
