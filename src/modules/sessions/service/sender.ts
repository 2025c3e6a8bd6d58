// Use case: list the sessions a partner may see (OCPI Sessions sender GET, 2.1.1 §mod_sessions 3.1 / 2.2.1 §9.2.1).
import type { PageQuery, RenderedPage } from '../../../domain/page.js';
import type { Partner } from '../../../domain/party.js';
import type { OcpiVersion } from '../../../domain/wire-format.js';
import type { SessionStore } from '../../../store/contract.js';
import { mayUseFunctionalModules, partnerWireFormat, type Authenticated } from '../../../service/partners.js';
import type { TokenCache } from '../../../service/token-cache.js';

export function listPartnerSessions(
  store: SessionStore,
  partner: Partner,
  version: OcpiVersion,
  query: PageQuery,
): Promise<RenderedPage> {
  // OCPI 2.2.1 §9.1: sessions go only to the eMSP owning the token; another party's are not listed nor counted.
  return store.listSessions({ owner: partner.key }, query, partnerWireFormat(partner, version));
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
): Promise<{ partner: Partner; page: RenderedPage } | undefined> {
  let current = auth;
  for (let attempt = 0; attempt < 5; attempt++) {
    const page = await listPartnerSessions(store, current.partner, version, query);
    const confirmed = await tokens.confirm(header, current, page.partnersVersion);
    if (!confirmed || !mayUseFunctionalModules(confirmed.partner)) return undefined;
    const same =
      confirmed.partner.key === current.partner.key && confirmed.partner.format === current.partner.format;
    if (same) return { partner: confirmed.partner, page };
    current = confirmed;
  }
  // Partners changing under every attempt: serve what the token's latest confirmed partner sees.
  return {
    partner: current.partner,
    page: await listPartnerSessions(store, current.partner, version, query),
  };
}
