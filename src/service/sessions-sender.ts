// Use case: list the sessions a partner may see (OCPI Sessions sender GET, 2.1.1 §mod_sessions 3.1 / 2.2.1 §9.2.1).
import type { PageQuery, RenderedPage } from '../domain/page.js';
import type { Partner } from '../domain/party.js';
import { wireFormatFor, type OcpiVersion } from '../domain/wire-format.js';
import type { SessionStore } from '../store/contract.js';

export function listPartnerSessions(
  store: SessionStore,
  partner: Partner,
  version: OcpiVersion,
  query: PageQuery,
): Promise<RenderedPage> {
  // OCPI 2.2.1 §9.1: sessions go only to the eMSP owning the token; another party's are not listed nor counted.
  return store.listSessions({ owner: partner.key }, query, wireFormatFor(partner.format, version));
}
