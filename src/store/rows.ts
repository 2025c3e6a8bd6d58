// Row ↔ domain mapping shared by the SQL stores.
import type { Partner, PartnerFormat, Role } from '../domain/party.js';

export interface PartnerRow {
  id: number;
  country_code: string;
  party_id: string;
  party_key: string;
  roles: string;
  format: string;
  state: string;
  token_hash: string;
  created_at: number | string;
}

export function partnerFromRow(r: PartnerRow): Partner {
  return {
    id: Number(r.id),
    countryCode: r.country_code,
    partyId: r.party_id,
    key: r.party_key,
    roles: r.roles.split(',').filter(Boolean) as Role[],
    format: r.format as PartnerFormat,
    state: r.state as Partner['state'],
    createdAt: Number(r.created_at),
  };
}
