// Delivers the push outbox: the CPO PUTs a session to the owning eMSP's receiver the first time and PATCHes it
// afterwards (OCPI 2.2.1 §9.2.2, §9.1). Deliveries are coalesced per session: each one takes the eMSP from the
// state it last acknowledged to the current state, so per session they arrive in order. Failures back off
// exponentially (capped, with jitter) and survive restarts because the outbox lives in the store.
// Several processes share one outbox: a worker claims a few deliveries under a lease and a fencing token
// (Delivery.claim), renews the claim before every request and sends nothing once another worker has taken the
// delivery over; completing or failing a delivery it no longer holds changes nothing. So two processes never send
// the same change.
import { isDeepStrictEqual } from 'node:util';
import { partnerEndpoint, routingHeaders, type Partner } from '../domain/party.js';
import type { Session } from '../domain/session.js';
import { defaultEncoding } from '../domain/token-encoding.js';
import { wireFormatFor, type OcpiVersion } from '../domain/wire-format.js';
import { refused, send, succeeded, type OcpiAnswer } from '../client/transport.js';
import type { Delivery, SessionStore } from '../store/contract.js';
import { codecFor } from '../modules/sessions/wire/codecs.js';
import { getIdentity } from './identity.js';

export interface DeliveryOptions {
  /** Most deliveries claimed at once (further bounded by the lease, see leaseBounds). */
  batch?: number;
  leaseMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
  /** `--deny-private-peers`: the receiver URL came from the partner; refuse private/loopback addresses. */
  denyPrivatePeers?: boolean;
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

type Body = Record<string, unknown>;

/**
 * The PATCH that brings `before` to `after` at the wire level, or undefined when a PUT is needed.
 * 2.2.1 appends charging_periods, so the new periods must extend the delivered ones; 2.1.1 replaces them.
 */
export function patchBetween(
  before: Body,
  after: Body,
  version: OcpiVersion,
  periodsKey: string,
  updatedKey: string,
): Body | undefined {
  const patch: Body = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (isDeepStrictEqual(before[key], after[key])) continue;
    if (!(key in after)) return undefined; // a field was removed: only a PUT can do that (2.2.1 §9.2.2.3)
    if (key === periodsKey && version === '2.2.1') {
      const old = (before[key] as unknown[] | undefined) ?? [];
      const now = (after[key] as unknown[] | undefined) ?? [];
      if (now.length < old.length || !old.every((p, i) => isDeepStrictEqual(p, now[i]))) return undefined;
      patch[key] = now.slice(old.length);
    } else {
      patch[key] = after[key];
    }
  }
  patch[updatedKey] = after[updatedKey];
  return patch;
}

export class PushDelivery {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly lease: ReturnType<typeof leaseBounds>;

  constructor(
    private readonly store: SessionStore,
    private readonly options: DeliveryOptions = {},
  ) {
    this.lease = leaseBounds(options);
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
        await this.store.failDelivery(
          d,
          Date.now() + backoffMs(d.attempts, this.options),
          (e as Error).message,
        );
      }
    }
    return due.length;
  }

  private async deliver(d: Delivery): Promise<void> {
    const partner = await this.store.getPartner(d.partnerKey);
    const receiver =
      partner && partner.state === 'registered'
        ? partnerEndpoint(partner, 'sessions', 'RECEIVER')
        : undefined;
    const token = partner ? await this.store.getTheirToken(partner.id) : undefined;
    if (!partner || !receiver || !token) {
      // Not (or no longer) registered with a receiver: keep the entry, retry rarely; the GET stays the safety net.
      await this.store.failDelivery(d, Date.now() + 3_600_000, 'partner has no registered sessions receiver');
      return;
    }
    const stored = await this.store.getSessionBySeq(d.objectSeq);
    if (!stored) {
      await this.store.completeDelivery(d, '');
      return;
    }
    const delivered = await this.store.getDelivered(d);
    const version = partner.version ?? '2.2.1';
    const s = stored.session;
    const url = `${receiver.replace(/\/+$/, '')}/${encodeURIComponent(s.countryCode)}/${encodeURIComponent(s.partyId)}/${encodeURIComponent(s.id)}`;
    const codec = codecFor(wireFormatFor(partner.format, version));
    const current = JSON.parse(codec.render(s)) as Body;
    const headers = await this.routingHeaders(partner, version);
    const send = async (method: 'PUT' | 'PATCH', body: Body) => {
      // Still ours, for another lease: else another worker has it (and sends it); sending too would repeat it.
      if (!(await this.store.renewDelivery(d, Date.now(), this.lease.leaseMs))) throw new ClaimLost();
      return this.call(partner, token, { method, url, body, headers });
    };

    let answer: OcpiAnswer | undefined;
    // After a failed attempt we do not know what the receiver applied (it may have applied a PATCH whose answer
    // was lost): a PATCH appending charging periods again would bill them twice. A PUT is idempotent.
    if (delivered && d.attempts === 0) {
      const before = JSON.parse(codec.render(JSON.parse(delivered) as Session)) as Body;
      const style = partner.format === 'camel';
      const patch = patchBetween(
        before,
        current,
        version,
        style ? 'chargingPeriods' : 'charging_periods',
        style ? 'lastUpdated' : 'last_updated',
      );
      if (patch) {
        answer = await send('PATCH', patch);
        // OCPI 2.2.1 §9.2.2.3 / §2.7: the receiver does not know the session: send it whole.
        if (answer.http === 404) answer = undefined;
      }
    }
    answer ??= await send('PUT', current);
    if (!succeeded(answer)) {
      throw new Error(`HTTP ${answer.http} ${answer.statusCode ?? ''} ${answer.statusMessage ?? ''}`.trim());
    }
    // What was sent is the revision read above, which may be newer than the one claimed: completing that one
    // keeps the row only for changes after it (else the next delivery would repeat an empty change).
    await this.store.completeDelivery({ ...d, rev: stored.rev }, JSON.stringify(s));
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
