// What a module plugs into the push worker (push-delivery.ts): which interface of the partner receives its
// objects, what the object is now in the partner's format, and the PATCH from what the partner acknowledged.
// Claims, fencing, retries, backoff, token encoding and routing headers are the worker's, the same for every module.
import type { ModuleId } from '../domain/module-id.js';
import type { OcpiVersion, WireFormat } from '../domain/wire-format.js';
import type { SessionStore } from '../store/contract.js';

export type Body = Record<string, unknown>;

/** An object to deliver, as it is now. */
export interface PushedObject {
  /** Its URL under the receiver endpoint: client owned objects by country_code / party_id / id (2.2.1 §3.1.2). */
  path: readonly string[];
  /** The revision read (completing the delivery records it). */
  rev: number;
  /** The PUT body in the partner's format, as JSON text (sent as it is: the stored rendered bytes when kept). */
  body: string;
  /** What is remembered as delivered once the partner acknowledged it (the input of `patch` next time). */
  doc: string;
}

export interface PushAdapter {
  readonly module: ModuleId;
  /** OCPI ModuleID of the partner's RECEIVER interface (2.2.1 §6.2.2). */
  readonly identifier: string;
  /**
   * The objects at `objectSeqs` rendered for the partner, one read for all (the deliveries of one claim); one
   * per seq, in order, undefined when gone.
   */
  load(
    store: SessionStore,
    objectSeqs: readonly number[],
    format: WireFormat,
  ): Promise<(PushedObject | undefined)[]>;
  /**
   * What takes the partner from `delivered` (a `doc` it acknowledged) to `current` (a `body`): a PATCH body, a PUT
   * (a PATCH cannot), or nothing (`unchanged`: the partner has exactly this already; nothing is sent).
   */
  patch(delivered: string, current: string, format: WireFormat, version: OcpiVersion): PatchPlan;
}

export type PatchPlan = { kind: 'patch'; body: Body } | { kind: 'put' } | { kind: 'unchanged' };
