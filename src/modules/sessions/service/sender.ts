// Use case: list the sessions a partner may see (OCPI Sessions sender GET, 2.1.1 §mod_sessions 3.1 / 2.2.1 §9.2.1).
import type { PageQuery, RenderedPage } from '../../../domain/page.js';
import { speaksFor, type Partner } from '../../../domain/party.js';
import type { PartyKey } from '../../../domain/session.js';
import type { OcpiVersion } from '../../../domain/wire-format.js';
import type { SessionStore } from '../../../store/contract.js';
import { mayUseFunctionalModules, partnerWireFormat, type Authenticated } from '../../../service/partners.js';
import type { TokenCache } from '../../../service/token-cache.js';
import { renderBody } from './writer.js';

/**
 * Whose sessions a request reads: the party the caller names in OCPI-from-* when its credentials list that party
 * (a platform hosting several parties, a 2.3.0 hub asking for a party reachable through it: 2.3.0
 * transport_and_format §Party to Party via Hub, "Hub to receiving platform: OCPI-from = Requesting-party"), else
 * the partner's own party.
 */
export function ownerFor(partner: Partner, from: PartyKey | undefined): PartyKey {
  return from && speaksFor(partner, from) ? from : partner.key;
}

export function listPartnerSessions(
  store: SessionStore,
  partner: Partner,
  version: OcpiVersion,
  query: PageQuery,
  from?: PartyKey,
): Promise<RenderedPage> {
  // OCPI 2.2.1 §9.1: sessions go only to the eMSP owning the token; another party's are not listed nor counted.
  // A format the store does not keep (yet) for every session is rendered from the documents (issue 16).
  const format = partnerWireFormat(partner, version);
  return store.listSessions({ owner: ownerFor(partner, from) }, query, format, (s) => renderBody(format, s));
}

/**
 * listPartnerSessions for a caller authenticated from the token cache: the page is served only once its own
 * snapshot confirms the authentication (src/service/token-cache.ts); a partner changed meanwhile (format, key) gets
 * its page read again. Undefined: the token is no longer good for this module (HTTP 401).
 */
export async function listSessionsForToken(
  store: SessionStore,
  tokens: TokenCache,
  header: string | undefined,
  auth: Authenticated,
  version: OcpiVersion,
  query: PageQuery,
  from?: PartyKey,
): Promise<{ partner: Partner; page: RenderedPage } | undefined> {
  let current = auth;
  for (let attempt = 0; attempt < 5; attempt++) {
    const page = await listPartnerSessions(store, current.partner, version, query, from);
    const confirmed = await tokens.confirm(header, current, page.partnersVersion);
    if (!confirmed || !mayUseFunctionalModules(confirmed.partner)) return undefined;
    const same =
      ownerFor(confirmed.partner, from) === ownerFor(current.partner, from) &&
      confirmed.partner.format === current.partner.format;
    if (same) return { partner: confirmed.partner, page };
    current = confirmed;
  }
  // Partners changing under every attempt: serve what the token's latest confirmed partner sees.
  return {
    partner: current.partner,
    page: await listPartnerSessions(store, current.partner, version, query, from),
  };
}
