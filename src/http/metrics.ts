// The server's Prometheus metrics (prom-client), served by GET /metrics (routes/metrics.ts): one registry per server,
// merged with the process metrics (collectDefaultMetrics, once per process).
// - HTTP, per route pattern as registered (never the raw URL: bounded label values) and status: requests and
//   latency; pages served per partner (sender GETs: 200 answers carrying X-Total-Count); store errors (503 answers
//   of unexpected failures, and readiness checks whose store did not answer).
// - Read from the store at scrape time, at most once per CACHE_MS however often it is scraped: the outbox per partner
//   (pending, oldest age, entries that failed and their failed attempts) from one bounded scan (SessionStore
//   outboxSummary: at most OUTBOX_SCAN_LIMIT rows; past it the figures are lower bounds and
//   ocpi_outbox_scan_truncated is 1), in flight per partner, the push lanes (failures in a row, paused, paused until,
//   last success, last error: the push_lanes table), and the pull runs and pulled objects per partner that every `pull` counts in
//   the store (service/pull-stats.ts), so a pull run by cron in its own process shows here too.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ModuleId } from '../domain/module-id.js';
import { partnersPullStats, type PullStats } from '../service/pull-stats.js';
import type { LaneState, OutboxSummary, SessionStore } from '../store/contract.js';
import { MinuteCounter, type ConsoleRates } from '../service/console/rates.js';

/** Outbox rows read per scrape at most (the outbox is normally drained within seconds; a backlog is the exception). */
export const OUTBOX_SCAN_LIMIT = 100_000;
/** Scrapes within this time share one read of the store. */
const CACHE_MS = 5_000;

let processRegistry: Registry | undefined;

/** Process metrics (CPU, memory, event loop lag, GC, handles): one collector per process, shared by its servers. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

interface StoreFigures {
  outbox?: OutboxSummary;
  lanes?: LaneState[];
  pulls?: { partner: string; module: ModuleId; stats: PullStats }[];
  up: boolean;
}

export class Metrics {
  readonly registry: Registry;
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route' | 'status'>;
  private readonly pages: Counter<'partner' | 'route'>;
  private readonly storeErrors: Counter<'route'>;
  private figures: { at: number; value: Promise<StoreFigures> } | undefined;
  private readonly series = new Map<
    string,
    {
      requests: Counter.Internal;
      duration: Histogram.Internal<'method' | 'route' | 'status'>;
    }
  >();
  private readonly pagesByPartner = new Map<string, Counter.Internal>();
  /** Per-minute counts of this process for the console's overview (rates()). */
  private readonly ingested: MinuteCounter;
  private readonly pagesServed: MinuteCounter;
  private readonly serverErrors: MinuteCounter;

  /** `pulled`: the modules whose pulls are counted (those with a pull adapter, src/modules/index.ts). */
  constructor(
    private readonly store: SessionStore,
    private readonly pulled: readonly ModuleId[] = [],
    private readonly now: () => number = Date.now,
  ) {
    this.ingested = new MinuteCounter(now);
    this.pagesServed = new MinuteCounter(now);
    this.serverErrors = new MinuteCounter(now);
    const own = new Registry();
    const registers = [own];
    this.requests = new Counter({
      name: 'ocpi_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'ocpi_http_request_duration_seconds',
      help: 'Time from request to response, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.pages = new Counter({
      name: 'ocpi_pages_served_total',
      help: 'Pages of a sender list served to a partner (200 answers with X-Total-Count)',
      labelNames: ['partner', 'route'],
      registers,
    });
    this.storeErrors = new Counter({
      name: 'ocpi_store_errors_total',
      help: 'Requests answered 503 because the store failed (readiness checks included)',
      labelNames: ['route'],
      registers,
    });
    this.storeGauges(registers);
    this.registry = Registry.merge([own, processMetrics()]);
  }

  /** Counts every answered request (Fastify's onResponse; synchronous: no promise per request). */
  register(app: FastifyInstance): void {
    app.addHook('onResponse', (request, reply, done) => {
      this.observe(request, reply);
      done();
    });
  }

  /** A request that failed because of the store (errors.ts, the readiness route). */
  storeFault(request: FastifyRequest): void {
    this.storeErrors.inc({ route: routeOf(request) });
  }

  /** The exposition in Prometheus text format. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private observe(request: FastifyRequest, reply: FastifyReply): void {
    const route = routeOf(request);
    const series = this.requestSeries(request.method, route, reply.statusCode);
    series.requests.inc();
    series.duration.observe(reply.elapsedTime / 1000);
    const partner = request.partner?.key;
    if (partner && request.method === 'GET' && reply.statusCode === 200 && reply.hasHeader('x-total-count')) {
      this.pagesSeries(partner, route).inc();
      this.pagesServed.add();
    }
    if (
      request.routeOptions.config?.access === 'ingest' &&
      reply.statusCode < 300 &&
      request.method !== 'GET'
    )
      this.ingested.add();
    if (reply.statusCode >= 500) this.serverErrors.add();
  }

  /**
   * The labelled series of a request, looked up once per (method, route, status) instead of prom-client hashing
   * the labels on every request (bounded: route patterns as registered, never raw URLs).
   */
  private requestSeries(method: string, route: string, status: number) {
    const key = `${method} ${route} ${status}`;
    let series = this.series.get(key);
    if (!series) {
      const labels = { method, route, status: String(status) };
      series = { requests: this.requests.labels(labels), duration: this.duration.labels(labels) };
      this.series.set(key, series);
    }
    return series;
  }

  private pagesSeries(partner: string, route: string) {
    const key = `${partner} ${route}`;
    let series = this.pagesByPartner.get(key);
    if (!series) {
      series = this.pages.labels({ partner, route });
      this.pagesByPartner.set(key, series);
    }
    return series;
  }

  /** This process's rates for the console (mean over the last 5 whole minutes; errors over the last hour). */
  rates(): ConsoleRates {
    return {
      ingestPerMin: this.ingested.sum(5) / 5,
      pagesPerMin: this.pagesServed.sum(5) / 5,
      errorsLastHour: this.serverErrors.lastHour(),
    };
  }

  /** The store's figures, read at most once per CACHE_MS; a store that fails is reported (ocpi_store_up 0). */
  private read(): Promise<StoreFigures> {
    const now = this.now();
    if (this.figures && now - this.figures.at < CACHE_MS) return this.figures.value;
    const value = (async (): Promise<StoreFigures> => {
      try {
        const outbox = await this.store.outboxSummary(OUTBOX_SCAN_LIMIT, now);
        const lanes = await this.store.laneStates();
        const pulls = await partnersPullStats(this.store, this.pulled);
        return { outbox, lanes, pulls, up: true };
      } catch {
        return { up: false };
      }
    })();
    this.figures = { at: now, value };
    return value;
  }

  private storeGauges(registers: Registry[]): void {
    const read = () => this.read();
    const gauge = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      fill: (g: Gauge<L>, f: StoreFigures) => void,
    ) =>
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          const f = await read();
          this.reset();
          fill(this, f);
        },
      });
    gauge('ocpi_store_up', 'Whether the store answered the last metrics read (1) or not (0)', [], (g, f) =>
      g.set(f.up ? 1 : 0),
    );
    const perPartner = (pick: (p: OutboxSummary['partners'][number], now: number) => number) => {
      return (g: Gauge<'partner'>, f: StoreFigures) => {
        for (const p of f.outbox?.partners ?? []) g.set({ partner: p.partnerKey }, pick(p, this.now()));
      };
    };
    gauge(
      'ocpi_outbox_pending',
      'Pushes waiting in the outbox, per partner',
      ['partner'],
      perPartner((p) => p.pending),
    );
    gauge(
      'ocpi_outbox_oldest_age_seconds',
      'Age of the oldest push waiting in the outbox, per partner',
      ['partner'],
      perPartner((p, now) => Math.max(0, (now - p.oldestEnqueuedAt) / 1000)),
    );
    gauge(
      'ocpi_outbox_failing',
      'Outbox entries whose last delivery attempt failed, per partner',
      ['partner'],
      perPartner((p) => p.failing),
    );
    gauge(
      'ocpi_outbox_failed_attempts',
      'Failed delivery attempts of the entries waiting in the outbox, per partner',
      ['partner'],
      perPartner((p) => p.failedAttempts),
    );
    gauge(
      'ocpi_outbox_in_flight',
      'Pushes being sent (claimed and leased by a worker of any process), per partner',
      ['partner'],
      perPartner((p) => p.inFlight),
    );
    const perLane = (pick: (l: LaneState, now: number) => number | undefined) => {
      return (g: Gauge<'partner'>, f: StoreFigures) => {
        for (const l of f.lanes ?? []) {
          const v = pick(l, this.now());
          if (v !== undefined) g.set({ partner: l.partnerKey }, v);
        }
      };
    };
    gauge(
      'ocpi_push_lane_failures',
      "Failed push attempts in a row of a partner's lane (0 after a success)",
      ['partner'],
      perLane((l) => l.failures),
    );
    gauge(
      'ocpi_push_lane_paused',
      "1 while a partner's push lane is paused after failing repeatedly (then probed with one delivery)",
      ['partner'],
      perLane((l, now) => (l.pausedUntil > now ? 1 : 0)),
    );
    gauge(
      'ocpi_push_lane_paused_until_timestamp_seconds',
      "End of the pause of a partner's push lane (Unix time), while paused",
      ['partner'],
      perLane((l, now) => (l.pausedUntil > now ? l.pausedUntil / 1000 : undefined)),
    );
    gauge(
      'ocpi_push_last_success_timestamp_seconds',
      'The last successful push to a partner (Unix time; recorded at most every 5 s per process)',
      ['partner'],
      perLane((l) => (l.lastSuccessAt === undefined ? undefined : l.lastSuccessAt / 1000)),
    );
    gauge(
      'ocpi_push_last_error_timestamp_seconds',
      'The last failed push to a partner (Unix time)',
      ['partner'],
      perLane((l) => (l.lastErrorAt === undefined ? undefined : l.lastErrorAt / 1000)),
    );
    gauge(
      'ocpi_outbox_scan_truncated',
      `1 when the outbox has more than ${OUTBOX_SCAN_LIMIT} entries: the outbox figures are then lower bounds`,
      [],
      (g, f) => g.set(f.outbox?.truncated ? 1 : 0),
    );
    // Counted across runs in the store (pull-stats.ts): counters that only grow, read as they are.
    const pullCounter = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      fill: (c: Counter<L>, pulls: NonNullable<StoreFigures['pulls']>) => void,
    ) =>
      new Counter<L>({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          const f = await read();
          this.reset();
          fill(this, f.pulls ?? []);
        },
      });
    pullCounter(
      'ocpi_pull_runs_total',
      'Pull runs from a partner, by result (ok, failed)',
      ['partner', 'module', 'result'],
      (c, pulls) => {
        for (const { partner, module, stats } of pulls)
          for (const result of ['ok', 'failed'] as const)
            c.inc({ partner, module, result }, stats.runs[result]);
      },
    );
    pullCounter(
      'ocpi_pull_objects_total',
      'Objects (sessions) received by pulls from a partner, by what storing them did (new, updated, unchanged, invalid)',
      ['partner', 'module', 'outcome'],
      (c, pulls) => {
        for (const { partner, module, stats } of pulls) {
          for (const outcome of ['new', 'updated', 'unchanged'] as const)
            c.inc({ partner, module, outcome }, stats.sessions[outcome]);
          c.inc({ partner, module, outcome: 'invalid' }, stats.invalid);
        }
      },
    );
    gauge(
      'ocpi_pull_last_run_timestamp_seconds',
      'End of the last pull run from a partner (Unix time)',
      ['partner', 'module'],
      (g, f) => {
        for (const { partner, module, stats } of f.pulls ?? [])
          if (stats.lastRunAt !== undefined) g.set({ partner, module }, stats.lastRunAt / 1000);
      },
    );
  }
}

/** The route pattern that matched, as registered (e.g. /ocpi/cpo/2.2.1/sessions); `unmatched` for 404s. */
export function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}
