// The console's overview: sessions (total and today from the counters; active and per partner from a bounded
// window of recent sessions), this process's rates, the outbox per partner (outbox-report.ts, one bounded scan),
// the pulls per CPO partner (pull-state.ts, pull-stats.ts; the next run from pull-schedule.ts). No COUNT over all
// sessions: the UI polls every 5 s, and the figures are cached for CACHE_MS per process so that many open consoles
// cost one read.
import { formatDateTime, formatOptionalDateTime } from '../../domain/datetime.js';
import type { ModuleId } from '../../domain/module-id.js';
import type { SessionStore } from '../../store/contract.js';
import { DAY_MS, dayOf } from '../../store/paging.js';
import { outboxReport } from '../outbox-report.js';
import { pullRunning } from '../pull-lock.js';
import { loadPullStats } from '../pull-stats.js';
import { loadSyncState } from '../pull-state.js';
import { pullTargets } from '../pull-targets.js';
import type { ConsoleRates } from './rates.js';
import type { PullJobs } from '../pull-jobs.js';
import type { PullSchedule } from '../pull-schedule.js';
import { laneView } from './lane-view.js';
import type { Overview } from '../../domain/console-types.js';

/** Recent sessions read for "active" and per partner: the last RECENT_MS, at most RECENT_LIMIT rows. */
export const RECENT_MS = 2 * DAY_MS;
export const RECENT_LIMIT = 50_000;
/** Outbox rows read per overview at most (as /metrics: past it the counts are lower bounds). */
const OUTBOX_SCAN = 100_000;
const CACHE_MS = 2_000;

export class OverviewReader {
  private cached: { at: number; value: Promise<Overview> } | undefined;

  constructor(
    private readonly store: SessionStore,
    private readonly pulled: readonly ModuleId[],
    private readonly rates: () => ConsoleRates,
    private readonly jobs?: PullJobs,
    /** `serve --pull-every`: gives each pull's next run; absent: pulls run only when asked (next_run null). */
    private readonly schedule?: PullSchedule,
    private readonly now: () => number = Date.now,
  ) {}

  read(): Promise<Overview> {
    const now = this.now();
    if (this.cached && now - this.cached.at < CACHE_MS) return this.cached.value;
    const value = this.compute(now);
    this.cached = { at: now, value };
    value.catch(() => (this.cached = undefined)); // a failed read is not kept
    return value;
  }

  private async compute(now: number): Promise<Overview> {
    const store = this.store;
    const today = dayOf(now);
    const todayFrom = today * DAY_MS;
    const totals = await store.sessionTotals(today);
    const recent = await store.recentSessions(Math.min(now - RECENT_MS, todayFrom), todayFrom, RECENT_LIMIT);
    const partners = (await store.listPartners()).filter((p) => p.key);
    const perPartner = partners.map((p) => {
      // An eMSP partner's sessions are those it owns; a CPO partner's, those it operates.
      const mine = recent.filter((r) => (p.roles.includes('EMSP') && r.owner === p.key) || r.cpo === p.key);
      return {
        partner: p.key,
        role: p.roles.join(','),
        sessions_today: mine.reduce((n, r) => n + r.today, 0),
        active: mine.reduce((n, r) => n + r.active, 0),
      };
    });
    const report = await outboxReport(store, now, OUTBOX_SCAN);
    const pulls: Overview['pulls'] = [];
    // Every CPO partner (nothing to pull yet shows as never run) and every other key pulls run for.
    const cpos = partners.filter((x) => x.roles.includes('CPO')).map((x) => x.key);
    for (const key of [...new Set([...cpos, ...(await pullTargets(store))])].sort()) {
      for (const module of this.pulled) {
        const state = await loadSyncState(store, module, key);
        const stats = await loadPullStats(store, module, key);
        // Running: a pull of this node, or one holding the pull's lease anywhere (another node, a `pull` command).
        const running = this.jobs?.get(key)?.state === 'running' || (await pullRunning(store, key, now));
        pulls.push({
          key,
          module,
          last_sync: formatOptionalDateTime(state.syncPoint),
          last_run: formatOptionalDateTime(stats?.lastRunAt),
          result: running ? 'running' : (stats?.lastResult ?? null),
          next_run: this.schedule ? formatDateTime(await this.schedule.nextRun(key)) : null,
        });
      }
    }
    const r = this.rates();
    return {
      generated_at: formatDateTime(now),
      sessions: {
        total: totals.total,
        today: totals.today,
        active: recent.reduce((n, x) => n + x.active, 0),
        window_truncated: recent.reduce((n, x) => n + x.n, 0) >= RECENT_LIMIT,
        per_partner: perPartner,
      },
      rates: { ingest_per_min: r.ingestPerMin, pages_per_min: r.pagesPerMin },
      outbox: report.partners.map((o) => ({
        partner: o.partner,
        oldest_age_s:
          o.oldestEnqueuedAt === undefined ? null : Math.max(0, (now - o.oldestEnqueuedAt) / 1000),
        ...laneView(o),
      })),
      outbox_truncated: report.truncated,
      pulls,
      errors_last_hour: r.errorsLastHour,
    };
  }
}
