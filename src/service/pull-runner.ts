// Pulling Sessions from a CPO into our store: the page stream (client/page-stream.ts) discovers the endpoint and
// yields pages of raw objects; this runner asks it for the window that the stored state calls for
// (pull-window.ts), has the module's page writer store every page (pull-adapter.ts), checkpoints the crawl and, once complete, moves the sync
// point (pull-state.ts).
//
// Crash-safe: the sessions of several pages are committed together (up to `commitEvery` sessions or COMMIT_MS
// apart: one transaction and one sync to disk per batch instead of per page), and only after that commit is the
// URL of the next page checkpointed. A crawl that did not finish (kill -9, network loss, retry budget spent) is
// resumed from the last checkpoint by the next run asking for the same window: it re-fetches at most the pages
// of the batch that was not committed. Refetching a page is harmless: the upsert is keyed and idempotent.
import { versionInPath, type DiscoveredEndpoint } from '../client/discovery.js';
import {
  firstPageUrl,
  PageStream,
  type CrawlTransportOptions,
  type Party,
  type StreamPage,
} from '../client/page-stream.js';
import type { PullCounts, PullProgress } from '../client/progress.js';
import { formatDateTime } from '../domain/datetime.js';
import type { TokenEncoding } from '../domain/party.js';
import { defaultEncoding } from '../domain/token-encoding.js';
import { since22, type OcpiVersion, type WireFormat } from '../domain/wire-format.js';
import type { SessionStore } from '../store/contract.js';
import type { CamelCandidate } from '../wire/camel/enum-tables.js';
import type { ParseContext } from '../wire/codec.js';
import type { InvalidObject, PageParsing, PageWriter, PullAdapter } from './pull-adapter.js';
import {
  loadEncoding,
  loadSyncState,
  saveEncoding,
  saveSyncState,
  type InProgressCrawl,
  type SyncState,
} from './pull-state.js';
import { planWindow, type CrawlWindow } from './pull-window.js';

export interface PullOptions extends CrawlTransportOptions {
  store: SessionStore;
  /** The module pulled (its interface, its page writer); its sync state is kept under it (pull-state.ts). */
  adapter: PullAdapter;
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
  /** Sessions held before a commit (default DEFAULT_COMMIT_EVERY); 1 commits every page on its own. */
  commitEvery?: number;
  marginMs?: number;
  camelEnums?: CamelCandidate;
  onProgress?: (p: PullProgress) => void;
  onInvalid?: (o: InvalidObject) => void;
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

/**
 * Sessions per commit by default (a server's scheduled pulls): two 1 000-session pages, twenty of 100 (one
 * transaction and one sync each). The held sessions are live objects until the commit, in the server's memory. The
 * `pull` command commits 10 000 (PULL_COMMIT_EVERY, cli/commands/pull.ts): fewer rewrites of the random index at
 * scale, for ~100 MB more RSS (docs/performance.md, eighth round).
 */
export const DEFAULT_COMMIT_EVERY = 2000;
/** A batch is committed at least this often (ms), so that a slow peer's pages are not held for long. */
const COMMIT_MS = 5000;

export class PullError extends Error {
  constructor(
    message: string,
    readonly summary: PullSummary,
    readonly kind: 'setup' | 'failed',
  ) {
    super(message);
  }
}

export async function pull(o: PullOptions): Promise<PullSummary> {
  const run = new PullRun(o);
  const state = await run.setUp();
  const endpoint = await run.discover();
  const window = run.plan(state, endpoint);
  await run.crawl(window, endpoint.version);
  return run.summary(true);
}

/** One run of `pull`: the stream, the page writer, and what the summary reports. */
class PullRun {
  private readonly now: () => number;
  private readonly begun: number;
  private stream!: PageStream;
  private writer!: PageWriter;
  private summaryBase: Partial<PullSummary> = {};
  /** The crawl as checkpointed (its `nextUrl` is where a later run resumes). */
  private crawlState: InProgressCrawl | undefined;

  constructor(private readonly o: PullOptions) {
    this.now = o.now ?? Date.now;
    this.begun = this.now();
  }

  /** The stream, starting with the remembered token encoding; the stored sync state. */
  async setUp(): Promise<SyncState> {
    const { o } = this;
    const state = await loadSyncState(o.store, o.adapter.module, o.key);
    const remembered = await loadEncoding(o.store, o.key);
    this.stream = new PageStream({
      endpoint: o.adapter.endpoint,
      token: o.token,
      // OCPI 2.2.1 §4.1.2: Base64 for 2.2.x; 2.1.1 sends the token as is. A remembered choice wins.
      encoding: remembered ?? o.encoding ?? defaultEncoding(o.version ?? versionInPath(o.url)),
      timeoutMs: o.timeoutMs,
      retry: o.retry,
      denyPrivatePeers: o.denyPrivatePeers,
      onEncodingConfirmed: async (e) => {
        if (e === remembered) return;
        await saveEncoding(o.store, o.key, e);
        await o.onEncoding?.(e);
      },
      onRetry: o.onRetry,
      onNotice: o.onNotice,
      fetch: o.fetch,
      sleep: o.sleep,
      random: o.random,
      now: this.now,
    });
    this.writer = o.adapter.pageWriter(o.store, this.stream, {
      camelEnums: o.camelEnums,
      onInvalid: o.onInvalid,
    });
    return state;
  }

  /** The endpoint and, for 2.2.1, the routing headers; 2.1.1 needs both parties named. */
  async discover(): Promise<DiscoveredEndpoint> {
    const { o } = this;
    let endpoint;
    try {
      endpoint = await this.stream.discover(o.url, o.version);
    } catch (e) {
      throw this.fail(e);
    }
    const version = endpoint.version;
    this.summaryBase = { url: endpoint.url, version: version ?? 'detected per object' };
    const why = this.missing211();
    if (version === '2.1.1' && why) throw this.fail(new Error(why), 'setup');
    if (version !== undefined && since22(version) && o.cpo && o.emsp) this.stream.route(o.emsp, o.cpo);
    return endpoint;
  }

  /** The window from the stored sync state (pull-window.ts). */
  plan(state: SyncState, endpoint: DiscoveredEndpoint): CrawlWindow {
    const { o } = this;
    const window = planWindow(state, {
      sessionsUrl: endpoint.url,
      since: o.since,
      until: o.until,
      marginMs: o.marginMs,
      pageSize: o.pageSize,
      begun: this.begun,
    });
    const { crawl, dateFrom } = window;
    if (window.resumed)
      o.onNotice?.(
        `resuming the pull interrupted after ${crawl.pagesDone} pages (started ${formatDateTime(crawl.startedAt)}) at ${crawl.nextUrl}`,
      );
    this.crawlState = crawl;
    this.summaryBase = {
      ...this.summaryBase,
      resumed: window.resumed,
      syncStartedAt: formatDateTime(crawl.startedAt),
      recordsSync: window.recordsSync,
      ...(dateFrom === undefined ? {} : { dateFrom: formatDateTime(dateFrom) }),
      ...(crawl.dateTo === undefined ? {} : { dateTo: formatDateTime(crawl.dateTo) }),
    };
    return window;
  }

  /** Streams the window's pages into the store, committing batches of them and checkpointing after each commit. */
  async crawl(window: CrawlWindow, version: OcpiVersion | undefined): Promise<void> {
    const { o } = this;
    const commitEvery = Math.max(1, o.commitEvery ?? DEFAULT_COMMIT_EVERY);
    // `crawl`: where the pages written so far end; `this.crawlState`: the checkpoint, where what is committed ends.
    let crawl = window.crawl;
    let committedAt = this.now();
    const parsing: PageParsing = { version, context: (format) => this.contextFor(format) };
    const saveCheckpoint = async () => {
      await saveSyncState(o.store, o.adapter.module, o.key, {
        syncPoint: window.previous,
        inProgress: crawl,
      });
      this.crawlState = crawl;
    };
    const commit = async () => {
      await this.writer.flush();
      await saveCheckpoint();
      committedAt = this.now();
    };
    const advance = async (next: string | undefined, page: StreamPage) => {
      if (next !== undefined) {
        crawl = {
          ...crawl,
          nextUrl: next,
          lastTotal: page.total ?? crawl.lastTotal,
          pagesDone: crawl.pagesDone + 1,
        };
        // The end of a pass (a rewind follows) is committed too: the rewind re-reads from a committed state.
        if (
          this.writer.pending >= commitEvery ||
          page.next === undefined ||
          this.now() - committedAt >= COMMIT_MS
        )
          await commit();
      } else {
        await this.writer.flush();
        const recordsSync = this.recordsSync();
        const syncPoint = recordsSync ? window.syncPoint : window.previous;
        await saveSyncState(o.store, o.adapter.module, o.key, { syncPoint });
      }
      o.onProgress?.(this.progress(page));
    };
    const firstUrl = firstPageUrl(crawl.sessionsUrl, crawl.dateFrom, crawl.dateTo, o.pageSize);
    try {
      await saveCheckpoint();
      const pages = this.stream.crawl({
        start: crawl.nextUrl,
        firstUrl,
        previousTotal: crawl.lastTotal,
        advance,
      });
      for await (const page of pages) await this.writer.write(page, parsing);
    } catch (e) {
      // The sessions held are stored if the store takes them, and then the checkpoint moves to the page after the
      // last one advanced past (every page before it was written: held or committed). If not, it stays.
      await this.writer
        .flush()
        .then(saveCheckpoint)
        .catch(() => undefined);
      throw this.failedCrawl(e);
    }
  }

  summary(complete: boolean, error?: string): PullSummary {
    const durationMs = this.now() - this.begun;
    const counts = this.counts();
    const last = this.stream.last;
    return {
      key: this.o.key,
      ...this.summaryBase,
      ...counts,
      encoding: this.stream.http.encoding,
      resumed: this.summaryBase.resumed ?? false,
      recordsSync: this.recordsSync(),
      complete,
      totalCount: last?.total,
      pageLimit: last?.limit,
      invalidObjects: this.writer.invalidObjects,
      durationMs,
      sessionsPerSecond: durationMs > 0 ? Math.round((counts.received * 1000) / durationMs) : 0,
      ...(error === undefined ? {} : { error }),
    };
  }

  /** The window's own rule (pull-window.ts), unless the stream saw shifting it could not repair. */
  private recordsSync(): boolean {
    return (this.summaryBase.recordsSync ?? false) && !this.stream.unrepaired;
  }

  private counts(): PullCounts {
    const s = this.stream.counts();
    const w = this.writer;
    return {
      pages: s.pages,
      received: w.received,
      sessions: { ...w.stored },
      repeated: w.repeated,
      invalid: w.invalid,
      retries: s.retries,
      corrections: s.corrections,
      moved: s.moved,
      rewinds: s.rewinds,
      authFallbacks: s.authFallbacks,
    };
  }

  private progress(page: StreamPage): PullProgress {
    return {
      ...this.counts(),
      position: page.offset !== undefined ? page.offset + page.items.length : undefined,
      total: page.total,
      limit: page.limit,
      elapsedMs: this.now() - this.begun,
    };
  }

  private missing211(): string | undefined {
    const { o } = this;
    return !o.cpo
      ? 'OCPI 2.1.1 sessions do not name their CPO: pass --partner CC-PID (or --cpo CC-PID)'
      : !o.emsp
        ? 'OCPI 2.1.1 sessions do not name the eMSP of their token: set this instance identity or pass --emsp CC-PID'
        : undefined;
  }

  private contextFor(format: WireFormat): ParseContext {
    if (format.endsWith('2.1.1')) {
      const why = this.missing211();
      if (why) throw new PullError(why, this.summary(false, why), 'setup');
    }
    const placeholder = { countryCode: 'ZZ', partyId: 'ZZZ' }; // unused: 2.2.1 sessions name their CPO
    return { cpo: this.o.cpo ?? placeholder, emsp: this.o.emsp };
  }

  private fail(e: unknown, kind: 'setup' | 'failed' = 'failed'): PullError {
    if (e instanceof PullError) return e;
    const message = (e as Error).message ?? String(e);
    return new PullError(message, this.summary(false, message), kind);
  }

  /** A crawl that stopped: what was stored is kept, and the same pull resumes at the checkpoint. */
  private failedCrawl(e: unknown): PullError {
    const err = this.fail(e);
    if (err.kind === 'failed') {
      const kept = this.writer.stored.new + this.writer.stored.updated;
      err.message =
        `${err.message}\n${kept} sessions stored by this run are kept; ` +
        `running the same pull again resumes at ${this.crawlState?.nextUrl}`;
      err.summary.error = err.message;
    }
    return err;
  }
}
