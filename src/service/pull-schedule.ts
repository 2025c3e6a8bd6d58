// `serve --pull-every S`: the server pulls every CPO partner it can pull from (registered over OCPI, or with a pull
// configuration saved by `pull --partner X --url U --token T`) once every S seconds, so an eMSP needs no cron job.
//
// When a pull is due comes from the store, not from this process: the end of the key's last run (pull-stats.ts
// lastRunAt) + the interval. Every node of a cluster ticks; the first to find a pull due runs it under the pull's
// lock (pull-lock.ts), the others find it locked or not due any more, so a partner is pulled once per interval
// whatever the number of nodes (the check is made again under the lock: another node may have run it between this
// node's look and its taking the lock). A run that could not even start (no target: nothing recorded in the store) is
// retried one interval after this process's attempt, not at every tick.
import type { ModuleId } from '../domain/module-id.js';
import type { SessionStore } from '../store/contract.js';
import type { PullJobs } from './pull-jobs.js';
import type { Log } from './log.js';
import { loadPullStats } from './pull-stats.js';
import { pullTargets } from './pull-targets.js';

/** How often due pulls are looked for, at most (a shorter interval ticks at the interval). */
const TICK_MS = 5_000;

export class PullSchedule {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  /** This process's last start of a run per key (epoch ms): bounds retries of runs the store did not record. */
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly store: SessionStore,
    private readonly jobs: PullJobs,
    private readonly modules: readonly ModuleId[],
    readonly everyMs: number,
    private readonly log?: Log,
    private readonly now: () => number = Date.now,
  ) {}

  get tickMs(): number {
    return Math.min(TICK_MS, this.everyMs);
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.ticking ??= this.tick()
        .catch((e: unknown) => this.log?.warn({ err: e }, `scheduled pulls: ${(e as Error).message ?? e}`))
        .finally(() => (this.ticking = undefined));
    };
    tick();
    this.timer = setInterval(tick, this.tickMs);
    this.timer.unref();
  }

  /** Stops scheduling; a pull already running goes on until it ends (its checkpoint makes stopping it safe). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /**
   * When the key's next scheduled run is due (epoch ms): its last run's end (or this process's last attempt, if
   * later) + the interval; now, for a key never pulled or overdue.
   */
  async nextRun(key: string): Promise<number> {
    return Math.max(await this.dueAt(key), this.now());
  }

  private async dueAt(key: string): Promise<number> {
    const last = Math.max(await this.lastRun(key), this.attempts.get(key) ?? 0);
    return last === 0 ? 0 : last + this.everyMs;
  }

  /** One look for due pulls: starts each due one (PullJobs runs them in the background, one per key). */
  async tick(): Promise<void> {
    const now = this.now();
    for (const key of await pullTargets(this.store)) {
      if (this.jobs.get(key)?.state === 'running') continue;
      if ((await this.dueAt(key)) > now) continue;
      this.attempts.set(key, now);
      this.jobs.start(key, async () => (await this.lastRun(key)) + this.everyMs <= this.now());
    }
  }

  /** The end of the key's last run, over the pulled modules (0: never run). */
  private async lastRun(key: string): Promise<number> {
    let last = 0;
    for (const module of this.modules) {
      const stats = await loadPullStats(this.store, module, key);
      last = Math.max(last, stats?.lastRunAt ?? 0);
    }
    return last;
  }
}
