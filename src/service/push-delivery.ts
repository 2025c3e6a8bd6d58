// Delivers the push outbox, for every module with a push adapter (push-adapter.ts): an object is PUT to the
// partner's receiver the first time and PATCHed afterwards (sessions: OCPI 2.2.1 §9.2.2, §9.1). Deliveries are
// coalesced per object: each one takes the partner from the state it last acknowledged to the current state (one
// PUT, or one PATCH with everything new), and nothing is sent when the partner has that state already.
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
import { partnerEndpoint, routingHeaders, type Partner } from '../domain/party.js';
import type { PartyKey } from '../domain/session.js';
import { defaultEncoding } from '../domain/token-encoding.js';
import { wireFormatFor, type OcpiVersion } from '../domain/wire-format.js';
import { refused, send, succeeded, type OcpiAnswer } from '../client/transport.js';
import type { Delivery, LaneClaim, LaneState, SessionStore } from '../store/contract.js';
import { getIdentity } from './identity.js';
import { GroupCommit } from './group-commit.js';
import type { Log } from './log.js';
import type { Body, PushAdapter } from './push-adapter.js';
import {
  backoffMs,
  LANE_DEFAULTS,
  laneMode,
  partnerFault,
  pauseMs,
  shareBudget,
  type LanePolicy,
} from './push-lanes.js';

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

/** A delivery attempt that failed at the receiver's URL: with the URL and HTTP status (none: no answer), for the log. */
class PushFailed extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Another worker claimed the delivery after this one's lease ran out: it is theirs, send nothing. */
class ClaimLost extends Error {
  constructor() {
    super('the delivery was claimed by another worker');
  }
}

/** A partner's receiver as the lane sends to it, read at most once per TARGET_TTL_MS. */
interface Target {
  partner: Partner;
  token: string;
  version: OcpiVersion;
  headers: Record<string, string>;
  at: number;
}

/** What this process knows of a lane: its deliveries in flight here and when it last recorded a success. */
interface Lane {
  inFlight: number;
  successRecordedAt: number;
}

const TARGET_TTL_MS = 1000;
/** A lane's last success is written at most this often per process while its state does not change. */
const SUCCESS_RECORD_MS = 5000;
/** Retry of an entry that cannot be sent (no adapter, partner not registered): rarely. */
const PARKED_MS = 3_600_000;

export class PushDelivery {
  private readonly policy: LanePolicy;
  private readonly lease: ReturnType<typeof leaseBounds>;
  private readonly adapters: ReadonlyMap<string, PushAdapter>;
  private readonly lanes = new Map<PartyKey, Lane>();
  private readonly targets = new Map<string, Target>();
  private readonly sending = new Set<Promise<void>>();
  private readonly completions: GroupCommit;
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

  /** `adapters`: one per module that pushes (src/modules/index.ts), found by the outbox entry's module. */
  constructor(
    private readonly store: SessionStore,
    adapters: readonly PushAdapter[],
    private readonly options: DeliveryOptions = {},
  ) {
    this.lease = leaseBounds(options);
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.policy = { ...LANE_DEFAULTS, ...given };
    this.adapters = new Map(adapters.map((a) => [a.module, a]));
    this.completions = new GroupCommit((items) => store.completeDeliveries(items));
  }

  /**
   * Claims for every lane with room, every `intervalMs` and at once whenever a delivery ends (a slot is free),
   * until stopped.
   */
  start(intervalMs = 200): void {
    this.intervalMs = intervalMs;
    this.loop = (async () => {
      while (!this.stopped) {
        let claimed = 0;
        try {
          claimed = await this.fill(Date.now());
        } catch (e) {
          this.options.log?.warn(
            { error: (e as Error).message },
            `push: claiming failed: ${(e as Error).message}`,
          );
        }
        if (claimed === 0 || this.inFlight >= this.policy.maxInFlight) await this.sleep(intervalMs);
      }
    })();
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
        continue;
      }
      const free = this.policy.perPartner - lane.inFlight;
      if (free > 0) wants.push({ partnerKey, limit: free });
    }
    if (wants.length === 0) return 0;
    const share = shareBudget(wants, budget, this.rotation++ % wants.length);
    const due = await this.store.claimLanes(share, now, this.lease.leaseMs);
    for (const d of due) this.launch(d, now);
    return due.length;
  }

  private lane(partnerKey: PartyKey): Lane {
    let lane = this.lanes.get(partnerKey);
    if (!lane) this.lanes.set(partnerKey, (lane = { inFlight: 0, successRecordedAt: -Infinity }));
    return lane;
  }

  private launch(d: Delivery, claimedAt: number): void {
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
  private async attempt(d: Delivery, claimedAt: number): Promise<void> {
    try {
      const sent = await this.deliver(d, claimedAt);
      if (sent) await this.laneSucceeded(d.partnerKey);
    } catch (e) {
      if (e instanceof ClaimLost) return;
      const err = e as Error;
      try {
        const next = Date.now() + backoffMs(d.attempts, this.policy);
        this.logFailure(d, next, err);
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
    this.states.set(partnerKey, {
      ...(state ?? { partnerKey }),
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

  /** Sends the delivery; false when nothing needed sending (the partner has this state, or it cannot be sent). */
  private async deliver(d: Delivery, claimedAt: number): Promise<boolean> {
    const adapter = this.adapters.get(d.module);
    if (!adapter) {
      // Written by a release that pushes a module this one does not: keep it for that release, retry rarely.
      await this.park(d, `no push adapter for module ${d.module}`);
      return false;
    }
    const target = await this.target(d.partnerKey, adapter.identifier);
    if (!target) {
      // Not (or no longer) registered with a receiver: keep the entry, retry rarely; the GET stays the safety net.
      await this.park(d, `partner has no registered ${adapter.identifier} receiver`);
      return false;
    }
    const { partner, token, version, headers } = target;
    const format = wireFormatFor(partner.format, version);
    const current = await adapter.load(this.store, d.objectSeq, format);
    if (!current) {
      await this.completions.complete({ delivery: d, doc: '' });
      return false;
    }
    // What was sent is the revision read here, which may be newer than the one claimed: completing that one keeps
    // the row only for changes after it (else the next delivery would repeat an empty change).
    const done = { ...d, rev: current.rev };
    const delivered = await this.store.getDelivered(d);
    const receiver = partnerEndpoint(partner, adapter.identifier, 'RECEIVER')!;
    const url = [receiver.replace(/\/+$/, ''), ...current.path.map(encodeURIComponent)].join('/');
    let heldUntil = claimedAt + this.lease.leaseMs;
    const send = async (method: 'PUT' | 'PATCH', body: Body) => {
      // Still ours, for long enough: renewed when less than the request's timeout and a quarter lease of margin is
      // left; refused when another worker has it (and sends it): sending too would repeat it.
      const now = Date.now();
      if (heldUntil - now < this.lease.timeoutMs + this.lease.leaseMs / 4) {
        if (!(await this.store.renewDelivery(d, now, this.lease.leaseMs))) throw new ClaimLost();
        heldUntil = now + this.lease.leaseMs;
      }
      try {
        return await this.call(partner, token, { method, url, body, headers });
      } catch (e) {
        throw new PushFailed((e as Error).message, url); // no answer: connection failure or timeout
      }
    };

    let answer: OcpiAnswer | undefined;
    // After a failed attempt we do not know what the receiver applied (it may have applied a PATCH whose answer
    // was lost): a PATCH appending charging periods again would bill them twice. A PUT is idempotent.
    if (delivered !== undefined && d.attempts === 0) {
      const plan =
        delivered === current.doc
          ? { kind: 'unchanged' as const }
          : adapter.patch(delivered, current.body, format, version);
      if (plan.kind === 'unchanged') {
        // The partner acknowledged exactly this state: nothing to send.
        await this.completions.complete({ delivery: done, doc: current.doc });
        return false;
      }
      if (plan.kind === 'patch') {
        answer = await send('PATCH', plan.body);
        // OCPI 2.2.1 §9.2.2.3 / §2.7: the receiver does not know the object: send it whole.
        if (answer.http === 404) answer = undefined;
      }
    }
    answer ??= await send('PUT', current.body);
    if (!succeeded(answer)) {
      const why = `HTTP ${answer.http} ${answer.statusCode ?? ''} ${answer.statusMessage ?? ''}`.trim();
      throw new PushFailed(why, url, answer.http);
    }
    await this.completions.complete({ delivery: done, doc: current.doc });
    return true;
  }

  private async park(d: Delivery, why: string): Promise<void> {
    this.logFailure(d, Date.now() + PARKED_MS, new Error(why));
    await this.store.failDelivery(d, Date.now() + PARKED_MS, why);
  }

  /** The partner's registration, token and routing headers, when it has a registered receiver of `identifier`. */
  private async target(partnerKey: PartyKey, identifier: string): Promise<Target | undefined> {
    const cached = this.targets.get(`${partnerKey} ${identifier}`);
    if (cached && Date.now() - cached.at < TARGET_TTL_MS) return cached;
    const partner = await this.store.getPartner(partnerKey);
    const receiver =
      partner && partner.state === 'registered'
        ? partnerEndpoint(partner, identifier, 'RECEIVER')
        : undefined;
    const token = partner ? await this.store.getTheirToken(partner.id) : undefined;
    if (!partner || !receiver || !token) return undefined;
    const version = partner.version ?? '2.2.1';
    const headers = await this.routingHeaders(partner, version);
    const target = { partner, token, version, headers, at: Date.now() };
    this.targets.set(`${partnerKey} ${identifier}`, target);
    return target;
  }

  private logFailure(d: Delivery, nextAttemptAt: number, e: Error): void {
    this.options.log?.warn(
      {
        partner: d.partnerKey,
        module: d.module,
        objectSeq: d.objectSeq,
        ...(e instanceof PushFailed ? { url: e.url, status: e.status } : {}),
        attempt: d.attempts + 1,
        nextAttemptAt: new Date(nextAttemptAt).toISOString(),
        error: e.message,
      },
      `push to ${d.partnerKey} failed (attempt ${d.attempts + 1}): ${e.message}`,
    );
  }

  private async call(
    partner: Partner,
    token: string,
    req: { method: 'PUT' | 'PATCH'; url: string; body: Body; headers: Record<string, string> },
  ) {
    const encoding = partner.tokenEncoding ?? defaultEncoding(partner.version);
    const answer = await send({
      ...req,
      token,
      encoding,
      timeoutMs: this.lease.timeoutMs,
      denyPrivatePeers: this.options.denyPrivatePeers,
    });
    if (answer.encoding !== encoding && !refused(answer)) {
      await this.store.updatePartner(partner.id, { tokenEncoding: answer.encoding }); // remembered per partner
      partner.tokenEncoding = answer.encoding;
    }
    return answer;
  }

  private async routingHeaders(partner: Partner, version: OcpiVersion): Promise<Record<string, string>> {
    if (version !== '2.2.1') return {};
    const us = await getIdentity(this.store);
    // OCPI 2.2.1 §4.2: TO = the receiving party, FROM = us.
    return routingHeaders(us, partner);
  }
}
