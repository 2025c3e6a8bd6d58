// The Sessions module's push adapter (service/push-adapter.ts): the CPO PUTs a session to the owning eMSP's
// Sessions RECEIVER the first time and PATCHes it afterwards (OCPI 2.2.1 §9.2.2, §9.1).
import { isDeepStrictEqual } from 'node:util';
import type { Session } from '../../../domain/session.js';
import { since22, type OcpiVersion } from '../../../domain/wire-format.js';
import type { Body, PatchPlan, PushAdapter } from '../../../service/push-adapter.js';
import { codecFor } from '../wire/codecs.js';

/**
 * What brings `before` to `after` at the wire level: a PATCH of the fields that changed (with last_updated), a PUT
 * when a PATCH cannot, or nothing when no field changed (last_updated included: the partner has this state).
 * 2.2.1 appends charging_periods, so the new periods must extend the delivered ones; 2.1.1 replaces them.
 */
export function patchBetween(
  before: Body,
  after: Body,
  version: OcpiVersion,
  periodsKey: string,
  updatedKey: string,
): PatchPlan {
  const patch: Body = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (isDeepStrictEqual(before[key], after[key])) continue;
    if (!(key in after)) return { kind: 'put' }; // a field was removed: only a PUT can do that (2.2.1 §9.2.2.3)
    if (key === periodsKey && since22(version)) {
      const old = (before[key] as unknown[] | undefined) ?? [];
      const now = (after[key] as unknown[] | undefined) ?? [];
      if (now.length < old.length || !old.every((p, i) => isDeepStrictEqual(p, now[i])))
        return { kind: 'put' };
      patch[key] = now.slice(old.length);
    } else {
      patch[key] = after[key];
    }
  }
  if (Object.keys(patch).length === 0) return { kind: 'unchanged' };
  patch[updatedKey] = after[updatedKey];
  return { kind: 'patch', body: patch };
}

export const sessionsPush: PushAdapter = {
  module: 'sessions',
  identifier: 'sessions',
  async load(store, objectSeqs, format) {
    // The stored body is what the sender serves in this format: sent as it is (rendered only while a migration's
    // pending render has not written it); the stored document is what the partner then has (doc, as it is).
    return (await store.sessionsForPush(objectSeqs, format)).map((r) => {
      if (!r) return undefined;
      const s = JSON.parse(r.doc) as Session;
      return {
        path: [s.countryCode, s.partyId, s.id],
        rev: r.rev,
        body: r.body ?? codecFor(format).render(s),
        doc: r.doc,
      };
    });
  },
  patch(delivered, current, format, version) {
    const codec = codecFor(format);
    const before = JSON.parse(codec.render(JSON.parse(delivered) as Session)) as Body;
    const camel = codec.style.naming === 'camel';
    return patchBetween(
      before,
      JSON.parse(current) as Body,
      version,
      camel ? 'chargingPeriods' : 'charging_periods',
      camel ? 'lastUpdated' : 'last_updated',
    );
  },
};
