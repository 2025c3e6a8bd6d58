// Delivers the push outbox, for every module with a push adapter (push-adapter.ts): an object is PUT to the
// partner's receiver the first time and PATCHed afterwards (sessions: OCPI 2.2.1 §9.2.2, §9.1). Deliveries are
// coalesced per object: each one takes the partner from the state it last acknowledged to the current state, so
// per object they arrive in order. Failures back off
// exponentially (capped, with jitter) and survive restarts because the outbox lives in the store.
// Several processes share one outbox: a worker claims a few deliveries under a lease and a fencing token
// (Delivery.claim), renews the claim before every request and sends nothing once another worker has taken the
// delivery over; completing or failing a delivery it no longer holds changes nothing. So two processes never send
// the same change.
import { partnerEndpoint, routingHeaders, type Partner } from '../domain/party.js';
import { defaultEncoding } from '../domain/token-encoding.js';
import { wireFormatFor, type OcpiVersion } from '../domain/wire-format.js';
import { refused, send, succeeded, type OcpiAnswer } from '../client/transport.js';
import type { Delivery, SessionStore } from '../store/contract.js';
import { getIdentity } from './identity.js';
import type { Log } from './log.js';
import type { Body, PushAdapter } from './push-adapter.js';

export interface DeliveryOptions {
  /** Most deliveries claimed at once (further bounded by the lease, see leaseBounds). */
  batch?: number;
  leaseMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
  /** `--deny-private-peers`: the receiver URL came from the partner; refuse private/loopback addresses. */
  denyPrivatePeers?: boolean;
  /** Failed attempts are logged here at warn (partner, URL, HTTP status, attempt, next attempt). */
  log?: Log;
}

/**
 * Per-request timeout and batch that fit the lease: a request never outlives the lease renewed just before it
 * (at most half of it, the rest is margin for the store calls around it), and a claimed batch is sent before its
 * lease ends even when every request times out (a delivery is at most two requests: PATCH, then PUT on 404).
 */
export function leaseBounds(o: DeliveryOptions = {}): { leaseMs: number; timeoutMs: number; batch: number } {
  const leaseMs = o.leaseMs ?? 60_000;
  const timeoutMs = Math.max(1, Math.min(o.timeoutMs ?? 15_000, Math.floor(leaseMs / 2)));
  const batch = Math.max(1, Math.min(o.batch ?? 50, Math.floor(leaseMs / (2 * timeoutMs))));
  return { leaseMs, timeoutMs, batch };
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

export function backoffMs(attempts: number, o: DeliveryOptions = {}): number {
  const base = o.baseBackoffMs ?? 1000;
  const max = o.maxBackoffMs ?? 5 * 60_000;
  const capped = Math.min(max, base * 2 ** Math.min(attempts, 20));
  return Math.round(capped / 2 + (Math.random() * capped) / 2);
}

export class PushDelivery {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly lease: ReturnType<typeof leaseBounds>;

  private readonly adapters: ReadonlyMap<string, PushAdapter>;

  /** `adapters`: one per module that pushes (src/modules/index.ts), found by the outbox entry's module. */
  constructor(
    private readonly store: SessionStore,
    adapters: readonly PushAdapter[],
    private readonly options: DeliveryOptions = {},
  ) {
    this.lease = leaseBounds(options);
    this.adapters = new Map(adapters.map((a) => [a.module, a]));
  }

  /** Polls the outbox every `intervalMs` until stopped; at once again after a full batch (more may be due). */
  start(intervalMs = 200): void {
    const tick = () => {
      if (this.stopped) return;
      let full = false;
      this.running = this.runOnce()
        .then((n) => void (full = n >= this.lease.batch))
        .catch(() => undefined)
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, full ? 0 : intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Delivers what is due now; returns how many deliveries were attempted. */
  async runOnce(now = Date.now()): Promise<number> {
    const due = await this.store.claimDeliveries(now, this.lease.batch, this.lease.leaseMs);
    for (const d of due) {
      try {
        await this.deliver(d);
      } catch (e) {
        if (e instanceof ClaimLost) continue;
        const next = Date.now() + backoffMs(d.attempts, this.options);
        this.logFailure(d, next, e as Error);
        await this.store.failDelivery(d, next, (e as Error).message);
      }
    }
    return due.length;
  }

  private async deliver(d: Delivery): Promise<void> {
    const adapter = this.adapters.get(d.module);
    if (!adapter) {
      // Written by a release that pushes a module this one does not: keep it for that release, retry rarely.
      const why = `no push adapter for module ${d.module}`;
      this.logFailure(d, Date.now() + 3_600_000, new Error(why));
      await this.store.failDelivery(d, Date.now() + 3_600_000, why);
      return;
    }
    const partner = await this.store.getPartner(d.partnerKey);
    const receiver =
      partner && partner.state === 'registered'
        ? partnerEndpoint(partner, adapter.identifier, 'RECEIVER')
        : undefined;
    const token = partner ? await this.store.getTheirToken(partner.id) : undefined;
    if (!partner || !receiver || !token) {
      // Not (or no longer) registered with a receiver: keep the entry, retry rarely; the GET stays the safety net.
      const why = `partner has no registered ${adapter.identifier} receiver`;
      this.logFailure(d, Date.now() + 3_600_000, new Error(why));
      await this.store.failDelivery(d, Date.now() + 3_600_000, why);
      return;
    }
    const version = partner.version ?? '2.2.1';
    const format = wireFormatFor(partner.format, version);
    const current = await adapter.load(this.store, d.objectSeq, format);
    if (!current) {
      await this.store.completeDelivery(d, '');
      return;
    }
    const delivered = await this.store.getDelivered(d);
    const url = [receiver.replace(/\/+$/, ''), ...current.path.map(encodeURIComponent)].join('/');
    const headers = await this.routingHeaders(partner, version);
    const send = async (method: 'PUT' | 'PATCH', body: Body) => {
      // Still ours, for another lease: else another worker has it (and sends it); sending too would repeat it.
      if (!(await this.store.renewDelivery(d, Date.now(), this.lease.leaseMs))) throw new ClaimLost();
      try {
        return await this.call(partner, token, { method, url, body, headers });
      } catch (e) {
        throw new PushFailed((e as Error).message, url); // no answer: connection failure or timeout
      }
    };

    let answer: OcpiAnswer | undefined;
    // After a failed attempt we do not know what the receiver applied (it may have applied a PATCH whose answer
    // was lost): a PATCH appending charging periods again would bill them twice. A PUT is idempotent.
    if (delivered && d.attempts === 0) {
      const patch = adapter.patch(delivered, current.body, format, version);
      if (patch) {
        answer = await send('PATCH', patch);
        // OCPI 2.2.1 §9.2.2.3 / §2.7: the receiver does not know the object: send it whole.
        if (answer.http === 404) answer = undefined;
      }
    }
    answer ??= await send('PUT', current.body);
    if (!succeeded(answer)) {
      const why = `HTTP ${answer.http} ${answer.statusCode ?? ''} ${answer.statusMessage ?? ''}`.trim();
      throw new PushFailed(why, url, answer.http);
    }
    // What was sent is the revision read above, which may be newer than the one claimed: completing that one
    // keeps the row only for changes after it (else the next delivery would repeat an empty change).
    await this.store.completeDelivery({ ...d, rev: current.rev }, current.doc);
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
