// Row ↔ domain mapping shared by the SQL stores.
import type { OcpiVersion } from '../domain/wire-format.js';
import type {
  Endpoint,
  Partner,
  PartnerFormat,
  PartnerUpdate,
  ReachedParty,
  Role,
  TokenEncoding,
} from '../domain/party.js';

export interface PartnerRow {
  id: number;
  country_code: string;
  party_id: string;
  party_key: string | null;
  roles: string;
  format: string;
  state: string;
  token_hash: string;
  created_at: number | string;
  business_name: string | null;
  version: string | null;
  versions_url: string | null;
  endpoints: string;
  token_encoding: string | null;
  hub_party_id: string | null;
  parties: string;
}

export function partnerFromRow(r: PartnerRow): Partner {
  return {
    id: Number(r.id),
    countryCode: r.country_code,
    partyId: r.party_id,
    key: r.party_key ?? '',
    roles: r.roles.split(',').filter(Boolean) as Role[],
    format: r.format as PartnerFormat,
    state: r.state as Partner['state'],
    createdAt: Number(r.created_at),
    businessName: r.business_name ?? undefined,
    version: (r.version ?? undefined) as OcpiVersion | undefined,
    versionsUrl: r.versions_url ?? undefined,
    endpoints: JSON.parse(r.endpoints || '[]') as Endpoint[],
    tokenEncoding: (r.token_encoding ?? undefined) as TokenEncoding | undefined,
    ...(r.hub_party_id ? { hubPartyId: r.hub_party_id } : {}),
    parties: JSON.parse(r.parties || '[]') as ReachedParty[],
  };
}

/** Column assignments for a partner update, shared by the SQL stores (values in column order). */
export function partnerUpdateColumns(u: PartnerUpdate): Array<[string, string | number | null]> {
  const cols: Array<[string, string | number | null]> = [];
  if (u.countryCode !== undefined) cols.push(['country_code', u.countryCode.toUpperCase()]);
  if (u.partyId !== undefined) cols.push(['party_id', u.partyId.toUpperCase()]);
  if (u.countryCode !== undefined && u.partyId !== undefined) {
    cols.push(['party_key', `${u.countryCode.toUpperCase()}-${u.partyId.toUpperCase()}`]);
  }
  if (u.roles !== undefined) cols.push(['roles', u.roles.join(',')]);
  if (u.format !== undefined) cols.push(['format', u.format]);
  if (u.state !== undefined) cols.push(['state', u.state]);
  if (u.businessName !== undefined) cols.push(['business_name', u.businessName]);
  if (u.version !== undefined) cols.push(['version', u.version]);
  if (u.versionsUrl !== undefined) cols.push(['versions_url', u.versionsUrl]);
  if (u.endpoints !== undefined) cols.push(['endpoints', JSON.stringify(u.endpoints)]);
  if (u.tokenEncoding !== undefined) cols.push(['token_encoding', u.tokenEncoding]);
  if (u.tokenHash !== undefined) cols.push(['token_hash', u.tokenHash]);
  if (u.theirToken !== undefined) cols.push(['their_token', u.theirToken]);
  if (u.hubPartyId !== undefined) cols.push(['hub_party_id', u.hubPartyId]);
  if (u.parties !== undefined) cols.push(['parties', JSON.stringify(u.parties)]);
  return cols;
}
