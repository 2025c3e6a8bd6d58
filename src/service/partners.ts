// Use cases around partners: add by hand, list, remove, authenticate a request's token.
import type { Partner, PartnerFormat, Role } from '../domain/party.js';
import { parsePartyKey, partyKey } from '../domain/session.js';
import type { SessionStore } from '../store/contract.js';
import { getIdentity } from './identity.js';
import { tokenCandidates } from '../domain/token-encoding.js';
import { generateToken, hashesEqual, hashToken } from './tokens.js';
import { Refused } from './refused.js';
import {
  NO_CAMEL_MESSAGE,
  styleSpeaks,
  wireFormatFor,
  type OcpiVersion,
  type WireFormat,
} from '../domain/wire-format.js';

export class PartnerError extends Error {}

export async function addPartner(
  store: SessionStore,
  input: {
    countryCode: string;
    partyId: string;
    format?: PartnerFormat;
    roles?: Role[];
    token?: string;
    /** The OCPI version it reads our sessions in: only that format is stored for it (absent: every version). */
    version?: OcpiVersion;
  },
): Promise<{ partner: Partner; token: string }> {
  if (!/^[A-Za-z]{2}$/.test(input.countryCode)) throw new PartnerError('country code must be 2 letters');
  if (!/^[A-Za-z0-9]{3}$/.test(input.partyId)) throw new PartnerError('party id must be 3 letters or digits');
  if (input.version !== undefined && !styleSpeaks(input.format ?? 'ocpi', input.version))
    throw new PartnerError(NO_CAMEL_MESSAGE);
  const token = input.token ?? generateToken();
  if (!/^[\x21-\x7e]{1,64}$/.test(token))
    throw new PartnerError('token must be 1..64 printable ASCII characters');
  const key = partyKey(input.countryCode, input.partyId);
  const us = await getIdentity(store);
  // A partner with our own party key would read and write our own CPO sessions through the receiver.
  if (us && key === partyKey(us.countryCode, us.partyId))
    throw new PartnerError(`${key} is this platform's own party`);
  if ((await store.listPartners()).some((p) => p.key === key))
    throw new PartnerError(`partner ${key} exists already`);
  if (await store.findPartnerByTokenHash(hashToken(token))) throw new PartnerError('token already in use');
  const partner = await store.addPartner({
    countryCode: input.countryCode,
    partyId: input.partyId,
    roles: input.roles ?? ['EMSP'],
    format: input.format ?? 'ocpi',
    tokenHash: hashToken(token),
    ...(input.version ? { version: input.version } : {}),
  });
  return { partner, token };
}

export async function removePartner(store: SessionStore, key: string): Promise<boolean> {
  const party = parsePartyKey(key);
  if (!party) throw new PartnerError(`not a party (CC-PID): ${key}`);
  return store.removePartner(partyKey(party.countryCode, party.partyId));
}

export interface Authenticated {
  partner: Partner;
  /** The token as the caller meant it (decoded when it came Base64-encoded). */
  token: string;
  /** The store's partners version as of the lookup (see src/service/token-cache.ts). */
  partnersVersion: number;
}

/** The partner an Authorization header identifies and the token it used, or undefined (HTTP 401). */
export async function authenticate(
  store: SessionStore,
  header: string | undefined,
): Promise<Authenticated | undefined> {
  const candidates = tokenCandidates(header);
  if (!candidates) return undefined;
  for (const candidate of candidates) {
    const hash = hashToken(candidate);
    const found = await store.findPartnerByTokenHash(hash);
    if (found && hashesEqual(found.tokenHash, hash)) {
      const { tokenHash: _drop, partnersVersion, ...partner } = found;
      return { partner, token: candidate, partnersVersion };
    }
  }
  return undefined;
}

/**
 * Whether a partner may use the functional modules (sessions, charging preferences). OCPI 2.2.1 §7.2.1: token A
 * (an invited partner, or one we are registering with) is good for versions and credentials only.
 */
export function mayUseFunctionalModules(partner: Partner): boolean {
  return partner.state !== 'invited' && partner.state !== 'registering';
}

/**
 * The wire format a partner reads and writes on an OCPI version's URLs. The camelCase/integer format has no 2.3.0
 * (domain/wire-format.ts CAMEL_VERSIONS): such a partner is answered HTTP 404 + 2001 with NO_CAMEL_MESSAGE.
 */
export function partnerWireFormat(partner: Partner, version: OcpiVersion): WireFormat {
  if (!styleSpeaks(partner.format, version)) throw new Refused('not-supported', NO_CAMEL_MESSAGE);
  return wireFormatFor(partner.format, version);
}
