// Parties we exchange data with (OCPI 2.2.1 §7 Credentials, roles §16.5 Role).
import type { PartyKey } from './session.js';

export const PARTNER_FORMATS = ['ocpi', 'camel'] as const;
/** Which wire shape a partner gets on the standard URLs: standard OCPI, or the documented camelCase/integer one. */
export type PartnerFormat = (typeof PARTNER_FORMATS)[number];

export const ROLES = ['CPO', 'EMSP'] as const;
export type Role = (typeof ROLES)[number];

export type TokenEncoding = 'raw' | 'base64';

export interface Partner {
  id: number;
  countryCode: string;
  partyId: string;
  key: PartyKey;
  roles: Role[];
  format: PartnerFormat;
  state: 'invited' | 'registered' | 'configured';
  createdAt: number;
}
