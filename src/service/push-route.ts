// Which registration carries a party's pushes. The outbox, the delivered state and the lane are keyed by the
// receiving party (the session's owner), not by a registration: a party may be reached directly and through a
// 2.3.0 hub that lists it (credentials §Credentials object: "Roaming Hubs' platforms are expected to include the
// parties that are reachable through the Roaming Hub in the list in `roles`"). Each object goes once per party,
// by one route: the party's own registration while it has a receiver, else the earliest registered platform that
// lists the party (docs/architecture.md "Parties and registrations").
import { partiesOf, partnerEndpoint, type Partner, type Role } from '../domain/party.js';
import type { PartyKey } from '../domain/session.js';
import type { SessionStore } from '../store/contract.js';

function receives(p: Partner, identifier: string): boolean {
  return p.state === 'registered' && partnerEndpoint(p, identifier, 'RECEIVER') !== undefined;
}

/** The parties (in `role`) reachable through a registered receiver of `identifier`: the push targets. */
export function reachableParties(partners: readonly Partner[], identifier: string, role: Role): PartyKey[] {
  const keys = new Set<PartyKey>();
  for (const p of partners)
    if (receives(p, identifier))
      for (const party of partiesOf(p)) if (party.role === role) keys.add(party.key);
  return [...keys];
}

/**
 * The registration a push to `party` goes through, if any: `direct` (the party's own registration, one indexed
 * read) when it receives, else one listing it, from `all` (read only then).
 */
export async function routeTo(
  direct: Partner | undefined,
  all: () => Promise<readonly Partner[]>,
  party: PartyKey,
  identifier: string,
): Promise<Partner | undefined> {
  if (direct && receives(direct, identifier)) return direct;
  return (await all())
    .filter((p) => p.key !== party && receives(p, identifier) && partiesOf(p).some((x) => x.key === party))
    .sort((a, b) => a.createdAt - b.createdAt || a.id - b.id)[0];
}

/**
 * A registration that now carries pushes (registered, or registered again): the entries of every party it reaches
 * that wait for a retry, including those parked while the party had no route (push-send.ts, an hour), are due now.
 */
export async function wakeRoutes(store: SessionStore, partner: Partner, now = Date.now()): Promise<void> {
  const parties = new Set(partiesOf(partner).map((p) => p.key));
  if (partner.key) parties.add(partner.key);
  for (const party of parties) await store.retryNow(party, now);
}
