// Parties we exchange data with (OCPI 2.2.1 §7 Credentials, roles §16.6 Role).
import {
  OCPI_VERSIONS,
  styleSpeaks,
  wireFormatFor,
  type OcpiVersion,
  type WireFormat,
} from './wire-format.js';
import type { PartyKey } from './session.js';

export const PARTNER_FORMATS = ['ocpi', 'camel'] as const;
/** Which wire shape a partner gets on the standard URLs: standard OCPI, or the documented camelCase/integer one. */
export type PartnerFormat = (typeof PARTNER_FORMATS)[number];

export const ROLES = ['CPO', 'EMSP'] as const;
export type Role = (typeof ROLES)[number];

/** How a token travels in `Authorization: Token …` (OCPI 2.2.1 §4.1.2: Base64; 2.1.1 peers: raw). */
export type TokenEncoding = 'raw' | 'base64';

/**
 * - invited: holds a token A we handed out offline; may only call versions and credentials.
 * - registering: we are registering with them (our token B is live so they can call back).
 * - registered: credentials exchanged over OCPI.
 * - configured: added by hand (`partners add`), no OCPI registration.
 */
export type PartnerState = 'invited' | 'registering' | 'registered' | 'configured';

/** OCPI 2.2.1 §6.2.2 Endpoint (2.1.1 has no role). */
export interface Endpoint {
  identifier: string;
  role?: 'SENDER' | 'RECEIVER';
  url: string;
}

export interface Partner {
  id: number;
  countryCode: string; // '' while invited
  partyId: string;
  key: PartyKey; // '' while invited
  roles: Role[];
  format: PartnerFormat;
  state: PartnerState;
  createdAt: number;
  businessName?: string;
  version?: OcpiVersion;
  versionsUrl?: string;
  endpoints: Endpoint[];
  /** The encoding this partner expects on our calls to it (remembered after a 401 retry). */
  tokenEncoding?: TokenEncoding;
  /** OCPI 2.3.0 credentials `hub_party_id` as a party key (`NL-HUB`): the platform routes messages for others. */
  hubPartyId?: PartyKey;
  /**
   * The parties its credentials list (CPO/EMSP roles, 2.2.1/2.3.0): a platform's own roles, or, for a 2.3.0 hub,
   * the parties reachable through it. Empty for 2.1.1, hand-added and older registrations (see partiesOf).
   */
  parties: ReachedParty[];
}

/** One CPO/EMSP role of a party a registration reaches (its own, or one behind a hub). */
export interface ReachedParty {
  role: Role;
  key: PartyKey;
}

/** The parties a partner speaks for: the listed ones, else its own key in each of its roles. */
export function partiesOf(partner: Partner): ReachedParty[] {
  if (partner.parties.length) return partner.parties;
  return partner.key ? partner.roles.map((role) => ({ role, key: partner.key })) : [];
}

/** Does this partner speak for the party (its own key, or a party its credentials list)? */
export function speaksFor(partner: Partner, key: PartyKey): boolean {
  return key === partner.key || partiesOf(partner).some((p) => p.key === key);
}

/** Partner fields the registration flow may change. */
export type PartnerUpdate = Partial<
  Pick<
    Partner,
    | 'countryCode'
    | 'partyId'
    | 'roles'
    | 'format'
    | 'state'
    | 'businessName'
    | 'version'
    | 'versionsUrl'
    | 'endpoints'
    | 'tokenEncoding'
    | 'parties'
  >
> & {
  /** null: the platform no longer gives one (a PUT without it). */
  hubPartyId?: PartyKey | null;
  tokenHash?: string;
  /** The token we send when calling this partner (we must keep it in clear to use it). */
  theirToken?: string | null;
};

/**
 * The partner's endpoint of one module interface: `identifier` is the OCPI ModuleID (2.2.1 §6.2.3), `role` the
 * interface we want to call on the partner (2.2.1 §6.2.2 InterfaceRole; 2.1.1 endpoints have no role, so any
 * endpoint of the module is the one).
 */
export function partnerEndpoint(
  partner: Partner,
  identifier: string,
  role: 'SENDER' | 'RECEIVER',
): string | undefined {
  const found = partner.endpoints.find(
    (e) =>
      e.identifier === identifier && (partner.version === '2.1.1' || e.role === undefined || e.role === role),
  );
  return found?.url;
}

/** A party by its OCPI ids (country_code, party_id). */
export interface PartyIds {
  countryCode: string;
  partyId: string;
}

/**
 * OCPI 2.2.1 §4.2 (message routing) headers of a message from `from` to `to`, on the functional modules only
 * (not versions, version details or credentials). `from` unknown (no identity set): the FROM pair is left out.
 */
export function routingHeaders(from: PartyIds | undefined, to: PartyIds): Record<string, string> {
  // Filled in place, FROM first: a spread of a conditional object literal costs a clone per call (on every answer of
  // the sessions sender: measured ~1 % of its CPU).
  const headers: Record<string, string> = {};
  if (from) {
    headers['ocpi-from-country-code'] = from.countryCode;
    headers['ocpi-from-party-id'] = from.partyId;
  }
  headers['ocpi-to-country-code'] = to.countryCode;
  headers['ocpi-to-party-id'] = to.partyId;
  return headers;
}

/**
 * The wire formats in which a partner reads our sessions (the stored formats, issue 16): the format of its style on
 * its registered version, or, for a partner added by hand without a version, every version its style speaks. Only
 * an eMSP reads our sender (OCPI 2.2.1 §9.1: sessions go to the eMSP owning the token; a partner that is a CPO only
 * is pulled from and never reads them), and only once it may use the functional modules (not invited, registering).
 */
export function formatsReadBy(partner: Partner): WireFormat[] {
  if (partner.state === 'invited' || partner.state === 'registering' || !partner.key) return [];
  const emsp = partner.roles.includes('EMSP') || partiesOf(partner).some((p) => p.role === 'EMSP');
  if (!emsp) return [];
  const versions = partner.version ? [partner.version] : OCPI_VERSIONS;
  return versions.filter((v) => styleSpeaks(partner.format, v)).map((v) => wireFormatFor(partner.format, v));
}
