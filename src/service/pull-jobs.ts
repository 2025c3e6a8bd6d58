// Pulls run in the background, for the console's "re-run pull" of a CPO partner and for `serve --pull-every`
// (pull-schedule.ts): one pull (pull.ts pullFrom, under the pull's lock, so never two at once for a key across
// processes); the console's action answers at once with the job's state. Jobs are this process's (a second start
// while one runs gets the running job). Their outcome is also counted in the store (pull-stats.ts lastResult),
// which the overview reads on every node.
import type { PullJob } from '../domain/console-types.js';
import type { PullAdapter } from './pull-adapter.js';
import { pullFrom, PullNotDue } from './pull.js';
import { PullLockedError } from './pull-lock.js';
import type { SessionStore } from '../store/contract.js';
import type { Log } from './log.js';

export class PullJobs {
  private readonly jobs = new Map<string, PullJob>();

  constructor(
    private readonly store: SessionStore,
    private readonly adapters: readonly PullAdapter[],
    private readonly log?: Log,
    /** The server's `--deny-private-peers`: a partner's registered URLs are a peer's word, as for the push. */
    private readonly denyPrivatePeers = false,
  ) {}

  get(key: string): PullJob | undefined {
    return this.jobs.get(key);
  }

  /**
   * Starts a pull of `key` (each module with a pull adapter, one after the other), or returns the running one.
   * `due` (a scheduled pull) is asked under the pull's lock; when it says no, the job is dropped as if never started.
   */
  start(key: string, due?: () => Promise<boolean>): PullJob {
    const running = this.jobs.get(key);
    if (running?.state === 'running') return running;
    const job: PullJob = {
      key,
      module: this.adapters.map((a) => a.module).join(','),
      state: 'running',
      started_at: new Date().toISOString(),
      finished_at: null,
      stored: null,
      error: null,
    };
    this.jobs.set(key, job);
    void this.run(job, running, due);
    return job;
  }

  /** Resolves once no job runs (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.running]);
  }

  private readonly running = new Set<Promise<void>>();

  private run(job: PullJob, previous: PullJob | undefined, due?: () => Promise<boolean>): Promise<void> {
    const p = (async () => {
      let stored = 0;
      try {
        for (const adapter of this.adapters) {
          const summary = await pullFrom(
            this.store,
            { partner: job.key },
            // The transport's default timeout and response-size cap apply (client/transport.ts).
            { adapter, denyPrivatePeers: this.denyPrivatePeers },
            due,
          );
          stored += summary.sessions.new + summary.sessions.updated;
        }
        job.state = 'ok';
        job.stored = stored;
      } catch (e) {
        if (e instanceof PullNotDue) {
          if (previous) this.jobs.set(job.key, previous);
          else this.jobs.delete(job.key);
          return;
        }
        job.state = 'failed';
        job.error = e instanceof Error ? e.message : String(e);
        // Another node (or a `pull` command) running this key's pull is how the lock is meant to work, not a fault.
        if (e instanceof PullLockedError)
          this.log?.info?.({ partner: job.key }, `pull of ${job.key}: ${job.error}`);
        else this.log?.warn({ partner: job.key, err: e }, `pull of ${job.key} failed: ${job.error}`);
      } finally {
        job.finished_at = new Date().toISOString();
      }
    })();
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
    return p;
  }
}
