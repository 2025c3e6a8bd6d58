// Delivers the push outbox, for every module with a push adapter (push-adapter.ts); one delivery is sent by
// push-send.ts (PUT the first time, then PATCHes; coalesced per object; nothing when nothing changed).
//
// Lanes (push-lanes.ts): each partner's deliveries are claimed and sent in its own lane, up to `perPartner` at
// once, all lanes at most `maxInFlight`, so a slow or dead partner never delays another. An object has one outbox
// entry, leased while it is sent: its next change goes out only after the previous one was acknowledged (or
// failed). A lane that keeps failing pauses and is probed (push-lanes.ts); failed deliveries back off
// exponentially (capped, with jitter) and survive restarts because the outbox lives in the store.
// Several processes share one outbox: a worker claims deliveries under a lease and a fencing token
// (Delivery.claim), renews the claim before a request when the lease has run down and sends nothing once another
// worker has taken the delivery over; completing or failing a delivery it no longer holds changes nothing. So two
// processes never send the same change.
import type { PartyKey } from '../domain/session.js';
import type { ClaimedDelivery, Completed, LaneClaim, LaneState, SessionStore } from '../store/contract.js';
import { GroupCommit } from './group-commit.js';
import type { Log } from './log.js';
import type { PushAdapter } from './push-adapter.js';
import {
  backoffMs,
  LANE_DEFAULTS,
  laneMode,
  partnerFault,
  pauseMs,
  shareBudget,
  type LanePolicy,
} from './push-lanes.js';
import { ClaimLost, PushFailed, PushSender } from './push-send.js';

export interface DeliveryOptions extends Partial<LanePolicy> {
  leaseMs?: number;
  timeoutMs?: number;
  /** `--deny-private-peers`: the receiver URL came from the partner; refuse private/loopback addresses. */
  denyPrivatePeers?: boolean;
  /** Failed attempts are logged here at warn (partner, URL, HTTP status, attempt, next attempt). */
  log?: Log;
}

/**
 * The per-request timeout that fits the lease: a request never outlives the lease renewed just before it (at most
 * half of it, the rest is margin for the store calls around it).
 */
export function leaseBounds(o: DeliveryOptions = {}): { leaseMs: number; timeoutMs: number } {
  const leaseMs = o.leaseMs ?? 60_000;
  const timeoutMs = Math.max(1, Math.min(o.timeoutMs ?? 15_000, Math.floor(leaseMs / 2)));
  return { leaseMs, timeoutMs };
}

/** What this process knows of a lane: its deliveries in flight here and when it last recorded a success. */
interface Lane {
  inFlight: number;
  successRecordedAt: number;
}

/** A lane's last success is written at most this often per process while its state does not change. */
const SUCCESS_RECORD_MS = 5000;
/**
 * Rounds start at most this often: the slots freed meanwhile are claimed together, one claim (one transaction,
 * one fsync on SQLite) for several deliveries instead of one per delivery that ends.
 */
const ROUND_MS = 10;
/** Acknowledged deliveries wait this long for others before their completion is written (one transaction). */
const COMPLETION_GATHER_MS = 5;

export class PushDelivery {
  private readonly policy: LanePolicy;
  private readonly lease: ReturnType<typeof leaseBounds>;
  private readonly sender: PushSender;
  private readonly lanes = new Map<PartyKey, Lane>();
  private readonly sending = new Set<Promise<void>>();
  private inFlight = 0;
  private states = new Map<PartyKey, LaneState>();
  private partners: PartyKey[] = [];
  private readAt = -Infinity;
  private rotation = 0;
  private intervalMs = 200;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private woken = false;
  private lastClaimError: { message: string; at: number } | undefined;

  /** `adapters`: one per module that pushes (src/modules/index.ts), found by the outbox entry's module. */
  constructor(
    private readonly store: SessionStore,
    adapters: readonly PushAdapter[],
    private readonly options: DeliveryOptions = {},
  ) {
    this.lease = leaseBounds(options);
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.policy = { ...LANE_DEFAULTS, ...given };
    const completions = new GroupCommit<Completed, boolean>((items) => store.completeDeliveries(items), {
      gatherMs: COMPLETION_GATHER_MS,
    });
    this.sender = new PushSender(store, new Map(adapters.map((a) => [a.module, a])), completions, {
      ...this.lease,
      denyPrivatePeers: options.denyPrivatePeers,
      log: options.log,
    });
  }

  /**
   * Claims for every lane with room, every `intervalMs` and whenever a delivery ends (a slot is free), at most
   * every ROUND_MS, until stopped.
   */
  start(intervalMs = 200): void {
    this.intervalMs = intervalMs;
    this.loop = (async () => {
      while (!this.stopped) {
        const round = Date.now();
        let claimed = 0;
        try {
          claimed = await this.fill(round);
        } catch (e) {
          this.claimFailed(e as Error);
        }
        if (claimed === 0 || this.inFlight >= this.policy.maxInFlight) await this.sleep(intervalMs);
        const gap = ROUND_MS - (Date.now() - round);
        if (gap > 0 && !this.stopped) await new Promise((resolve) => setTimeout(resolve, gap));
      }
    })();
  }

  /** A round that failed (the store is down): logged once per message and at most every 30 s, then retried. */
  private claimFailed(e: Error): void {
    const now = Date.now();
    if (e.message === this.lastClaimError?.message && now - this.lastClaimError.at < 30_000) return;
    this.lastClaimError = { message: e.message, at: now };
    this.options.log?.warn({ error: e.message }, `push: claiming failed: ${e.message}`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.sending]);
  }

  /** Claims what is due at `now` in every lane and waits for those deliveries; returns how many were attempted. */
  async runOnce(now = Date.now()): Promise<number> {
    this.readAt = -Infinity;
    const n = await this.fill(now);
    await Promise.allSettled([...this.sending]);
    return n;
  }

  /** Waits `ms`, or less when a delivery ends meanwhile (or ended since the last wait). */
  private sleep(ms: number): Promise<void> {
    if (this.woken || this.stopped) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private notify(): void {
    if (this.wake) this.wake();
    else this.woken = true;
  }

  /** One round: which lanes may claim how many, the budget shared between them, one claim for all. */
  private async fill(now: number): Promise<number> {
    const budget = this.policy.maxInFlight - this.inFlight;
    if (budget <= 0) return 0;
    if (now - this.readAt >= this.intervalMs || now < this.readAt) {
      // Lanes with entries and the shared lane states: refreshed once per interval, not per delivery.
      this.partners = await this.store.outboxPartners();
      this.states = new Map((await this.store.laneStates()).map((s) => [s.partnerKey, s]));
      this.readAt = now;
    }
    const wants: LaneClaim[] = [];
    const probes: PartyKey[] = [];
    for (const partnerKey of this.partners) {
      const lane = this.lane(partnerKey);
      const mode = laneMode(this.states.get(partnerKey), now, this.policy);
      if (mode === 'none') continue;
      if (mode === 'probe') {
        // One probe across processes: whoever moves the pause first sends one delivery.
        if (lane.inFlight > 0) continue;
        if (!(await this.store.takeLaneProbe(partnerKey, now, now + this.lease.leaseMs))) {
          this.readAt = -Infinity; // someone else probes: read their outcome next round
          continue;
        }
        const state = this.states.get(partnerKey)!;
        this.states.set(partnerKey, { ...state, pausedUntil: now + this.lease.leaseMs });
        wants.push({ partnerKey, limit: 1 });
        probes.push(partnerKey);
        continue;
      }
      const free = this.policy.perPartner - lane.inFlight;
      if (free > 0) wants.push({ partnerKey, limit: free });
    }
    if (wants.length === 0) return 0;
    const share = shareBudget(wants, budget, this.rotation++ % wants.length);
    const due = await this.store.claimLanes(share, now, this.lease.leaseMs);
    for (const d of due) this.launch(d, now);
    for (const partnerKey of probes) {
      // A probe that found nothing to send (the entries went meanwhile, or another process holds them) is given
      // back at the next round rather than at the end of its lease.
      if (due.some((d) => d.partnerKey === partnerKey)) continue;
      const until = now + this.intervalMs;
      await this.store.pauseLane(partnerKey, until);
      this.states.set(partnerKey, { ...this.states.get(partnerKey)!, pausedUntil: until });
    }
    return due.length;
  }

  private lane(partnerKey: PartyKey): Lane {
    let lane = this.lanes.get(partnerKey);
    if (!lane) this.lanes.set(partnerKey, (lane = { inFlight: 0, successRecordedAt: -Infinity }));
    return lane;
  }

  private launch(d: ClaimedDelivery, claimedAt: number): void {
    const lane = this.lane(d.partnerKey);
    lane.inFlight++;
    this.inFlight++;
    const run = this.attempt(d, claimedAt).finally(() => {
      lane.inFlight--;
      this.inFlight--;
      this.sending.delete(run);
      this.notify();
    });
    this.sending.add(run);
  }

  /** One delivery, its outcome recorded on the entry and on its lane; never throws. */
  private async attempt(d: ClaimedDelivery, claimedAt: number): Promise<void> {
    try {
      const sent = await this.sender.deliver(d, claimedAt);
      if (sent) await this.laneSucceeded(d.partnerKey);
    } catch (e) {
      if (e instanceof ClaimLost) return;
      const err = e as Error;
      try {
        const next = Date.now() + backoffMs(d.attempts, this.policy);
        this.sender.logFailure(d, next, err);
        await this.store.failDelivery(d, next, err.message);
        if (err instanceof PushFailed && partnerFault(err.status)) await this.laneFailed(d.partnerKey, err);
      } catch (storeError) {
        // The store failed too: the lease runs out and the entry is claimed again.
        this.options.log?.warn(
          { partner: d.partnerKey, error: (storeError as Error).message },
          `push: recording a failure failed: ${(storeError as Error).message}`,
        );
      }
    }
  }

  private async laneSucceeded(partnerKey: PartyKey): Promise<void> {
    const lane = this.lane(partnerKey);
    const state = this.states.get(partnerKey);
    const now = Date.now();
    const changed = state !== undefined && (state.failures > 0 || state.pausedUntil > 0);
    if (!changed && now - lane.successRecordedAt < SUCCESS_RECORD_MS) return;
    lane.successRecordedAt = now;
    await this.store.laneSucceeded(partnerKey, now);
    // The partner is back: its entries waiting for their own backoff are due now (full speed at the first success).
    if (changed) await this.store.retryNow(partnerKey, now);
    this.states.set(partnerKey, {
      ...(state ?? { partnerKey, operatorPaused: false }),
      failures: 0,
      pausedUntil: 0,
      lastSuccessAt: now,
    });
  }

  private async laneFailed(partnerKey: PartyKey, err: Error): Promise<void> {
    const now = Date.now();
    const state = await this.store.laneFailed(partnerKey, now, err.message);
    const pause = pauseMs(state.failures, this.policy);
    if (pause !== undefined) {
      state.pausedUntil = now + pause;
      await this.store.pauseLane(partnerKey, state.pausedUntil);
      this.options.log?.warn(
        {
          partner: partnerKey,
          failures: state.failures,
          pausedUntil: new Date(state.pausedUntil).toISOString(),
        },
        `push to ${partnerKey} paused for ${pause} ms after ${state.failures} failed attempts in a row`,
      );
    }
    this.states.set(partnerKey, state);
  }
}
