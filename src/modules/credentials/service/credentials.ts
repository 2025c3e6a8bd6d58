// Use cases of the credentials module, server side (OCPI 2.1.1 §credentials, 2.2.1 §7.2): what a partner may do
// in which state of its registration. The token exchange itself is registration.ts.
import type { Partner } from '../../../domain/party.js';
import type { OcpiVersion } from '../../../domain/wire-format.js';
import type { SessionStore } from '../../../store/contract.js';
import { acceptCredentials, type OutboundOptions } from './registration.js';
import { Refused } from '../../../service/refused.js';

/**
 * POST registers with token A (OCPI 2.2.1 §7.2.2: a registered party must use PUT); PUT sends new credentials of
 * a registered party (§7.2.3: only after registration). Both then run the same exchange.
 */
const WRITES = {
  POST: {
    allowed: (p: Partner) => p.state === 'invited',
    refusal: 'Already registered: use PUT to update or DELETE to unregister',
  },
  PUT: { allowed: (p: Partner) => p.state !== 'invited', refusal: 'Not registered: POST credentials first' },
} as const;

/** POST or PUT credentials: refused (HTTP 405) in the wrong state, else the token exchange. */
export function writeCredentials(
  method: keyof typeof WRITES,
  store: SessionStore,
  caller: Partner,
  version: OcpiVersion,
  body: unknown,
  ourVersionsUrl: string,
  outbound: OutboundOptions,
): Promise<unknown> {
  const rule = WRITES[method];
  if (!rule.allowed(caller)) throw new Refused('not-now', rule.refusal);
  return acceptCredentials(store, caller, version, body, ourVersionsUrl, outbound);
}

/** DELETE: the party unregisters; its tokens stop working at once (OCPI 2.2.1 §7.2.4). */
export async function unregister(store: SessionStore, caller: Partner): Promise<void> {
  if (caller.state === 'invited') throw new Refused('not-now', 'Not registered');
  await store.removePartnerById(caller.id);
}
