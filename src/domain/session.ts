// Canonical Session: a superset of OCPI 2.1.1 §mod_sessions 3.1, 2.2.1 §9.3.1 and 2.3.0 mod_sessions Session objects.
import type { AuthMethod, CdrDimensionType, ProfileType, SessionStatus, TokenType } from './enums.js';
import type { Location, Millis } from './location.js';

export interface CdrDimension {
  type: CdrDimensionType;
  volume: number;
}
export interface ChargingPeriod {
  startDateTime: Millis;
  dimensions: CdrDimension[];
  tariffId?: string; // 2.2.1 only
}
// OCPI 2.3.0 types §TaxAmount.
export interface TaxAmount {
  name: string;
  accountNumber?: string;
  percentage?: number;
  amount: number;
}
// OCPI 2.2.1 §16.5 Price / 2.3.0 types §Price; 2.1.1 total_cost is a plain number excluding VAT (= exclVat).
// Holds what arrived: a 2.2.1 price sets inclVat, a 2.3.0 price its taxes; domain/price.ts derives the other.
export interface Price {
  /** 2.2.1 `excl_vat` = 2.3.0 `before_taxes`. */
  exclVat: number;
  /** 2.2.1 `incl_vat`, when the price arrived in that form. */
  inclVat?: number;
  /** 2.3.0 `taxes`, when the price arrived in that form (an empty list: none listed). */
  taxes?: TaxAmount[];
}
// OCPI 2.2.1 §10.4.5 CdrToken. From 2.1.1 data: uid = contractId = auth_id, type OTHER, party = session owner.
export interface CdrToken {
  countryCode: string;
  partyId: string;
  uid: string;
  type: TokenType;
  contractId: string;
}
export interface ChargingPreferences {
  profileType: ProfileType;
  departureTime?: Millis;
  energyNeed?: number;
  dischargeAllowed?: boolean;
}

export interface Session {
  countryCode: string; // the CPO that owns the session (2.2.1 `country_code`)
  partyId: string; // (2.2.1 `party_id`)
  id: string;
  startDateTime: Millis;
  endDateTime?: Millis;
  kwh: number;
  cdrToken: CdrToken;
  authMethod: AuthMethod;
  authorizationReference?: string;
  locationId: string;
  evseUid: string;
  connectorId: string;
  // The full Location holding only the session's EVSE and Connector (OCPI 2.1.1 §3.1 `location`).
  // Absent when the session arrived in 2.2.1 form and the location is unknown to us.
  location?: Location;
  meterId?: string;
  currency: string;
  chargingPeriods: ChargingPeriod[];
  totalCost?: Price;
  status: SessionStatus;
  lastUpdated: Millis;
  /** Set by the eMSP (OCPI 2.2.1 §9.2.1.2); kept with the session, not part of the OCPI Session object. */
  chargingPreferences?: ChargingPreferences;
}

/** A PATCH body, parsed: only the fields it carries (OCPI 2.2.1 §9.2.2.3 / 2.1.1 §mod_sessions 2.2.3). */
export type SessionPatch = Partial<Omit<Session, 'countryCode' | 'partyId' | 'id'>> & {
  countryCode?: string;
  partyId?: string;
  id?: string;
};

/** The party (eMSP) a session belongs to for visibility: the token owner. */
export function sessionOwner(s: Session): PartyKey {
  return partyKey(s.cdrToken.countryCode, s.cdrToken.partyId);
}

/** A session's key: its CPO (country_code, party_id) and id, matched case-insensitively (a Session is one). */
export interface SessionRef {
  countryCode: string;
  partyId: string;
  id: string;
}

/** `CC-PID`, upper-cased: OCPI 2.2.1 §16.1.1 CiString ids compare case-insensitively. */
export type PartyKey = string;
export function partyKey(countryCode: string, partyId: string): PartyKey {
  return `${countryCode.toUpperCase()}-${partyId.toUpperCase()}`;
}
/** One session's identity as text, case-insensitively: `CC-PID/ID` (OCPI ids compare without case here). */
export function sessionKeyText(countryCode: string, partyId: string, id: string): string {
  return `${partyKey(countryCode, partyId)}/${id.toUpperCase()}`;
}
export function parsePartyKey(key: string): { countryCode: string; partyId: string } | undefined {
  const m = /^([A-Za-z]{2})[-*]?([A-Za-z0-9]{3})$/.exec(key.trim());
  if (!m) return undefined;
  return { countryCode: m[1]!.toUpperCase(), partyId: m[2]!.toUpperCase() };
}
