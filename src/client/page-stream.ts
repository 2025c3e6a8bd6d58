// The pages of a module's Sender list (e.g. a CPO's Sessions: OCPI 2.2.1 §9.2.1.1 / 2.1.1 mod_sessions §3.1.1 GET,
// the paginated GET of 2.2.1 §4.1.3 for any module), as raw objects: discover the sender endpoint (the module's
// identifier, role SENDER), crawl its pages by their Link headers (crawler.ts: retries, the
// token-encoding fallback, corrections of a shrinking X-Total-Count), and repair shifting inside the window. It
// never touches a store: the pull runner (service/pull-runner.ts) has the module's page writer parse and store
// each page, tells the stream which objects it saw where (see), and checkpoints where the stream goes next (advance).
//
// Shifting inside the window (sessions below; any object with a last_updated alike): a session that comes back in the same crawl with a later last_updated moved while
// we paged (everything after its earlier place moved up one, and a page boundary may have skipped an object).
// At the end of that pass the crawl rewinds to the earliest such place (lowered by the number of objects that
// left places before it in the pass) and re-reads from there to the end; a repeat of a version already seen is
// no signal (a correction's overlap). At most MAX_REWINDS rewinds; a crawl that still sees moves, or whose URLs
// have no offset to rewind, completes but is marked `unrepaired`: the runner then does not move the sync point,
// so the next pull re-reads the same window.
import { formatDateTime } from '../domain/datetime.js';
import { routingHeaders, type PartyIds, type TokenEncoding } from '../domain/party.js';
import type { OcpiVersion } from '../domain/wire-format.js';
import { crawlPages, withOffset, type CrawlPage } from './crawler.js';
import { discoverEndpoint, type DiscoveredEndpoint, type InterfaceRef } from './discovery.js';
import { ShiftTracker, type Sighting } from './shift.js';
import { OcpiClient, type RetryInfo, type RetryPolicy } from './transport.js';

/** Rewinds of one crawl after sessions moved inside its window (see top of file). */
export const MAX_REWINDS = 3;

export type Party = PartyIds;

/** Transport of a crawl: retries, notices, and the test seams (clock, fetch, sleep, randomness). */
export interface CrawlTransportOptions {
  timeoutMs?: number;
  retry?: RetryPolicy;
  onRetry?: (r: RetryInfo) => void;
  onNotice?: (message: string) => void;
  /** Refuse private, loopback and link-local peer addresses (`--deny-private-peers`: a server's pull). */
  denyPrivatePeers?: boolean;
  /** Test seams. */
  now?: () => number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface PageStreamOptions extends CrawlTransportOptions {
  /** The interface crawled: a module's SENDER (OCPI 2.2.1 §6.2.2; the data owner serves it, 2.1.1: no role). */
  endpoint: InterfaceRef;
  token: string;
  /** Token encoding to start with (remembered, or the version's default). */
  encoding: TokenEncoding;
  /** Called with the encoding the peer accepted, on the first success and whenever it changes. */
  onEncodingConfirmed?: (encoding: TokenEncoding) => void | Promise<void>;
}

/** A crawl: from where, and what the runner remembered of it. */
export interface CrawlPlan {
  /** The URL to GET first (the first page, or a checkpoint's next page). */
  start: string;
  /** The window's first page (offset 0), where a rewind to 0 goes. */
  firstUrl: string;
  /** X-Total-Count of the page before `start` (when resuming from a checkpoint). */
  previousTotal?: number;
  /** Awaited after each page was stored and before the next is asked for: where the crawl goes next. */
  advance: (next: string | undefined, page: StreamPage) => Promise<void>;
}

export interface StreamPage extends CrawlPage {
  /** Page number within this run (1-based). */
  number: number;
  /** The offset of the page's first object in the list, when known. */
  base?: number;
}

/** What the stream counted (the pull's progress and summary show them). */
export interface StreamCounts {
  pages: number;
  retries: number;
  corrections: number;
  /** Sessions that came back in this run with a later last_updated (moved while we crawled). */
  moved: number;
  /** Re-reads from the earliest place a moved session had (see top of file). */
  rewinds: number;
  authFallbacks: number;
}

export class PageStream {
  readonly http: OcpiClient;
  /** Shifting was seen that a rewind could not repair (see top of file). */
  unrepaired = false;
  /** The last page received. */
  last: StreamPage | undefined;
  private pages = 0;
  private corrections = 0;
  private moved = 0;
  private rewinds = 0;
  private routing: Record<string, string> = {};
  private readonly shifts = new ShiftTracker();

  constructor(private readonly o: PageStreamOptions) {
    this.http = new OcpiClient({
      token: o.token,
      encoding: o.encoding,
      timeoutMs: o.timeoutMs,
      retry: o.retry,
      headers: () => this.routing,
      denyPrivatePeers: o.denyPrivatePeers,
      onEncodingConfirmed: o.onEncodingConfirmed,
      onRetry: o.onRetry,
      fetch: o.fetch,
      sleep: o.sleep,
      random: o.random,
      now: o.now,
    });
  }

  /** The module's endpoint: its URL as given, else found through the versions / version details. */
  discover(url: string, version?: OcpiVersion): Promise<DiscoveredEndpoint> {
    const read = async (at: string) => {
      const res = await this.http.get(at);
      return { url: res.url, data: res.envelope.data };
    };
    return discoverEndpoint(read, url, this.o.endpoint, version);
  }

  /** Sends the routing headers from now on (to the functional module only, not versions/details). */
  route(from: Party, to: Party): void {
    // OCPI 2.2.1 §4.1.7 (Message Routing) headers: functional modules only (not versions/details).
    this.routing = routingHeaders(from, to);
  }

  /** Records a session of the current page at `position` (its offset in the list, when known). */
  see(key: string, lastUpdated: number, position: number | undefined): Sighting {
    const sighting = this.shifts.see(key, lastUpdated, position);
    if (sighting === 'moved') this.moved += 1;
    return sighting;
  }

  counts(): StreamCounts {
    const { pages, corrections, moved, rewinds } = this;
    return {
      pages,
      retries: this.http.retries,
      corrections,
      moved,
      rewinds,
      authFallbacks: this.http.authFallbacks,
    };
  }

  /** Passes over the list, the first from `plan.start`, then one per rewind (top of file). */
  async *crawl(plan: CrawlPlan): AsyncGenerator<StreamPage, void, undefined> {
    let offsetUrl: string | undefined; // the last URL fetched that has an offset (a rewind rewrites only that)
    let previousTotal = plan.previousTotal;
    for (let from: string | undefined = plan.start; from !== undefined;) {
      const pass: string = from;
      from = undefined;
      for await (const crawled of crawlPages(this.http, pass, { previousTotal })) {
        this.pages += 1;
        const base = crawled.offset ?? (crawled.url === plan.firstUrl ? 0 : undefined);
        const page: StreamPage = { ...crawled, number: this.pages, ...(base === undefined ? {} : { base }) };
        this.last = page;
        if (page.offset !== undefined) offsetUrl = page.url;
        yield page;
        this.corrected(page);
        let next = page.next;
        if (next === undefined) next = from = this.endPass(plan.firstUrl, offsetUrl);
        previousTotal = page.total ?? previousTotal;
        await plan.advance(next, page);
      }
    }
  }

  private corrected(page: StreamPage): void {
    if (page.correction) {
      this.corrections += 1;
      this.shifts.dropped(page.correction.drop);
    }
    if (page.uncorrectable)
      this.o.onNotice?.(
        `X-Total-Count dropped at ${page.url}, which has no offset to lower: an object may have been missed ` +
          `(OCPI 2.2.1 §4.1.3); run the pull again with --since to re-read the window`,
      );
  }

  /** The end of a pass: the URL to rewind to, or undefined when the crawl is over. */
  private endPass(firstUrl: string, offsetUrl: string | undefined): string | undefined {
    const end = this.shifts.endPass();
    if (!end) return undefined;
    const at = end.rewindTo;
    const url = at === undefined ? undefined : at === 0 ? firstUrl : offsetUrl && withOffset(offsetUrl, at);
    const what = `${end.moved} sessions came back with a later last_updated: the CPO moved them while we paged, so an object after them may have been skipped`;
    if (url !== undefined && this.rewinds < MAX_REWINDS) {
      this.rewinds += 1;
      this.o.onNotice?.(
        `${what}; re-reading from offset ${at} (rewind ${this.rewinds} of at most ${MAX_REWINDS})`,
      );
      return url;
    }
    this.unrepaired = true;
    this.o.onNotice?.(
      `${what}; ${url === undefined ? 'the list has no offset to re-read from' : `still moving after ${MAX_REWINDS} rewinds`}: ` +
        `the sync point stays where it was, so the next pull asks this window again`,
    );
    return undefined;
  }
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
