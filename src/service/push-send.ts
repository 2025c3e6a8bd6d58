// Sends one claimed delivery of the push outbox (push-delivery.ts runs the lanes): an object is PUT to the
// partner's receiver the first time and PATCHed afterwards (sessions: OCPI 2.2.1 §9.2.2, §9.1), coalesced: the
// partner is taken from the state it last acknowledged to the current one (one PUT, or one PATCH with everything
// new), and nothing is sent when it has that state already. After a failed attempt the object goes whole (PUT).
// The claim is renewed before a request when its lease has run down; nothing is sent once another worker holds it.
// Acknowledged deliveries are recorded through the group commit; the objects of deliveries started together are
// read together (one adapter.load per module and format); what the partner acknowledged comes with the claim.
// The body goes out as JSON text through the transport's direct exchange (undici request, keep-alive pool per
// receiver origin on the one dispatcher).
import { partnerEndpoint, routingHeaders, type Partner, type PartyIds } from '../domain/party.js';
import { parsePartyKey, type PartyKey } from '../domain/session.js';
import { defaultEncoding } from '../domain/token-encoding.js';
import {
  NO_CAMEL_MESSAGE,
  since22,
  styleSpeaks,
  wireFormatFor,
  type OcpiVersion,
  type WireFormat,
} from '../domain/wire-format.js';
import { refused, send, succeeded, type OcpiAnswer } from '../client/transport.js';
import type { ClaimedDelivery, Completed, Delivery, SessionStore } from '../store/contract.js';
import { GroupCommit } from './group-commit.js';
import { getIdentity } from './identity.js';
import type { Log } from './log.js';
import type { PushAdapter, PushedObject } from './push-adapter.js';
import { routeTo } from './push-route.js';

export interface SendOptions {
  leaseMs: number;
  timeoutMs: number;
  /** `--deny-private-peers`: the receiver URL came from the partner; refuse private/loopback addresses. */
  denyPrivatePeers?: boolean;
  log?: Log;
}

/** A delivery attempt that failed at the receiver's URL: with the URL and HTTP status (none: no answer), for the log. */
export class PushFailed extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Another worker claimed the delivery after this one's lease ran out: it is theirs, send nothing. */
export class ClaimLost extends Error {
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

const TARGET_TTL_MS = 1000;
/** Retry of an entry that cannot be sent (no adapter, partner not registered): rarely. */
const PARKED_MS = 3_600_000;

export class PushSender {
  private readonly targets = new Map<string, Target>();
  /** Per module and format: the objects of the deliveries started together, read in one call (adapter.load). */
  private readonly loaders = new Map<string, GroupCommit<number, PushedObject | undefined>>();

  constructor(
    private readonly store: SessionStore,
    private readonly adapters: ReadonlyMap<string, PushAdapter>,
    private readonly completions: GroupCommit<Completed, boolean>,
    private readonly options: SendOptions,
  ) {}

  /** Sends the delivery; false when nothing needed sending (the partner has this state, or it cannot be sent). */
  async deliver(d: ClaimedDelivery, claimedAt: number): Promise<boolean> {
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
    if (!styleSpeaks(partner.format, version)) {
      // No camel 2.3.0 (domain/wire-format.ts): nothing can be sent until the partner registers over 2.2.1.
      await this.park(d, NO_CAMEL_MESSAGE);
      return false;
    }
    const format = wireFormatFor(partner.format, version);
    const current = await this.loader(adapter, format).submit(d.objectSeq);
    if (!current) {
      await this.completions.submit({ delivery: d, doc: '' });
      return false;
    }
    // What was sent is the revision read here, which may be newer than the one claimed: completing that one keeps
    // the row only for changes after it (else the next delivery would repeat an empty change).
    const done = { ...d, rev: current.rev };
    const delivered = d.delivered; // read with the claim
    const receiver = partnerEndpoint(partner, adapter.identifier, 'RECEIVER')!;
    const url = [receiver.replace(/\/+$/, ''), ...current.path.map(encodeURIComponent)].join('/');
    let heldUntil = claimedAt + this.options.leaseMs;
    const send = async (method: 'PUT' | 'PATCH', body: string) => {
      // Still ours, for long enough: renewed when less than the request's timeout and a quarter lease of margin is
      // left; refused when another worker has it (and sends it): sending too would repeat it.
      const now = Date.now();
      if (heldUntil - now < this.options.timeoutMs + this.options.leaseMs / 4) {
        if (!(await this.store.renewDelivery(d, now, this.options.leaseMs))) throw new ClaimLost();
        heldUntil = now + this.options.leaseMs;
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
        await this.completions.submit({ delivery: done, doc: current.doc });
        return false;
      }
      if (plan.kind === 'patch') {
        answer = await send('PATCH', JSON.stringify(plan.body));
        // OCPI 2.2.1 §9.2.2.3 / §2.7: the receiver does not know the object: send it whole.
        if (answer.http === 404) answer = undefined;
      }
    }
    answer ??= await send('PUT', current.body);
    if (!succeeded(answer)) {
      const why = `HTTP ${answer.http} ${answer.statusCode ?? ''} ${answer.statusMessage ?? ''}`.trim();
      throw new PushFailed(why, url, answer.http);
    }
    await this.completions.submit({ delivery: done, doc: current.doc });
    return true;
  }

  /** The batched read of `adapter`'s objects in `format`: the loads of one turn of the event loop go together. */
  private loader(adapter: PushAdapter, format: WireFormat): GroupCommit<number, PushedObject | undefined> {
    const k = `${adapter.module} ${format}`;
    let loader = this.loaders.get(k);
    if (!loader)
      this.loaders.set(k, (loader = new GroupCommit((seqs) => adapter.load(this.store, seqs, format))));
    return loader;
  }

  private async park(d: Delivery, why: string): Promise<void> {
    this.logFailure(d, Date.now() + PARKED_MS, new Error(why));
    await this.store.failDelivery(d, Date.now() + PARKED_MS, why);
  }

  /** The partner's registration, token and routing headers, when it has a registered receiver of `identifier`. */
  private async target(partnerKey: PartyKey, identifier: string): Promise<Target | undefined> {
    const cached = this.targets.get(`${partnerKey} ${identifier}`);
    if (cached && Date.now() - cached.at < TARGET_TTL_MS) return cached;
    // The party's own registration, else a hub listing it (push-route.ts); TO names the party either way.
    const direct = await this.store.getPartner(partnerKey);
    const partner = await routeTo(direct, () => this.store.listPartners(), partnerKey, identifier);
    const party = parsePartyKey(partnerKey);
    if (!partner || !party) return undefined;
    const token = await this.store.getTheirToken(partner.id);
    if (!token) return undefined;
    const version = partner.version ?? '2.2.1';
    const headers = await this.routingHeaders(party, version);
    const target = { partner, token, version, headers, at: Date.now() };
    this.targets.set(`${partnerKey} ${identifier}`, target);
    return target;
  }

  logFailure(d: Delivery, nextAttemptAt: number, e: Error): void {
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
    req: { method: 'PUT' | 'PATCH'; url: string; body: string; headers: Record<string, string> },
  ) {
    const encoding = partner.tokenEncoding ?? defaultEncoding(partner.version);
    const answer = await send({
      method: req.method,
      url: req.url,
      bodyJson: req.body,
      headers: req.headers,
      direct: true,
      token,
      encoding,
      timeoutMs: this.options.timeoutMs,
      denyPrivatePeers: this.options.denyPrivatePeers,
    });
    if (answer.encoding !== encoding && !refused(answer)) {
      await this.store.updatePartner(partner.id, { tokenEncoding: answer.encoding }); // remembered per partner
      partner.tokenEncoding = answer.encoding;
    }
    return answer;
  }

  private async routingHeaders(party: PartyIds, version: OcpiVersion): Promise<Record<string, string>> {
    if (!since22(version)) return {};
    const us = await getIdentity(this.store);
    // OCPI 2.2.1 §4.2: TO = the receiving party (behind a hub too: 2.3.0 §Party to Party via Hub), FROM = us.
    return routingHeaders(us, party);
  }
}
