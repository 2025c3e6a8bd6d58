// Canonical enum values a version's string format cannot carry, and what we render instead (null: the value
// is dropped; a list item disappears, an optional field is omitted). Values not listed render unchanged.
// Every rule is listed, with its reason, in docs/DOWN-MAPPING.md.
import { isOpenEnum, type OpenEnumName } from '../domain/enums.js';
import type { EnumName, EnumTypes } from './camel/enum-tables.js';
import type { EnumDomain } from './kit/style.js';

type Replacements = { readonly [N in EnumName]?: { readonly [V in EnumTypes[N]]?: EnumTypes[N] | null } };

const SINCE_22: Replacements = {
  // OCPI 2.2.1 §10.4.3 CdrDimensionType: FLAT was removed in 2.2.
  CdrDimensionType: { FLAT: null },
  // OCPI 2.2.1 §8.4.18 ParkingType has no OTHER/UNKNOWN: `parking_type` (optional) is omitted instead.
  LocationType: { OTHER: null, UNKNOWN: null },
};

export const DOWN_MAPS: Readonly<Record<Exclude<EnumDomain, 'canonical'>, Replacements>> = {
  'ocpi-2.1.1': {
    // OCPI 2.1.1 mod_sessions §4.1 SessionStatus has no RESERVATION: a reserved session has not started yet.
    SessionStatus: { RESERVATION: 'PENDING' },
    // OCPI 2.1.1 mod_cdrs §4.1 AuthMethod has no COMMAND: the eMSP authorized the token, as in AUTH_REQUEST.
    AuthMethod: { COMMAND: 'AUTH_REQUEST' },
    // OCPI 2.1.1 mod_locations §4.16 LocationType lacks the 2.2 parking types ALONG_MOTORWAY, ON_DRIVEWAY.
    LocationType: { ALONG_MOTORWAY: 'OTHER', ON_DRIVEWAY: 'OTHER' },
    // OCPI 2.1.1 mod_locations §4.18 PowerType has only AC_1_PHASE, AC_3_PHASE, DC; 2-phase AC is closest to 1.
    PowerType: { AC_2_PHASE: 'AC_1_PHASE', AC_2_PHASE_SPLIT: 'AC_1_PHASE' },
    // OCPI 2.1.1 mod_locations §4.2 Capability has 6 values; the 2.2+ ones are dropped.
    Capability: {
      CHARGING_PREFERENCES_CAPABLE: null,
      CHIP_CARD_SUPPORT: null,
      CONTACTLESS_CARD_SUPPORT: null,
      DEBIT_CARD_PAYABLE: null,
      PED_TERMINAL: null,
      START_SESSION_CONNECTOR_REQUIRED: null,
      TOKEN_GROUP_CAPABLE: null,
    },
    // OCPI 2.1.1 mod_locations §4.11 Facility has 16 values; the 2.2+ ones are dropped.
    Facility: { BIKE_SHARING: null, TRAM_STOP: null, METRO_STATION: null, PARKING_LOT: null },
    // OCPI 2.1.1 mod_cdrs §4.3 CdrDimensionType has ENERGY, FLAT, MAX_CURRENT, MIN_CURRENT, PARKING_TIME, TIME.
    CdrDimensionType: {
      CURRENT: null,
      ENERGY_EXPORT: null,
      ENERGY_IMPORT: null,
      MAX_POWER: null,
      MIN_POWER: null,
      POWER: null,
      RESERVATION_TIME: null,
      STATE_OF_CHARGE: null,
    },
    // OCPI 2.1.1 mod_locations §4.4 ConnectorType lacks 15 of the 2.2.1 values: no physical equivalent exists,
    // so they are emitted unchanged (OCPI 2.3.0 made ConnectorType an open enum). Deliberately no entry.
  },
  'ocpi-2.2.1': SINCE_22,
  // OCPI 2.3.0 keeps 2.2.1's lists here (mod_cdrs §CdrDimensionType, mod_locations §ParkingType).
  'ocpi-2.3.0': SINCE_22,
};

/**
 * A value of an open enum (OCPI 2.3.0 types §OpenEnum) unknown to the canonical lists, rendered where the enum is
 * closed (2.1.1, 2.2.1, the camel integer tables): replaced by the version's catch-all value where it has one,
 * else dropped (list items, optional fields); ConnectorType is kept as is (see DOWN_MAPS 2.1.1 above). The
 * replacement then goes through DOWN_MAPS like any canonical value (LocationType OTHER is omitted in 2.2.1).
 */
export const OPEN_FALLBACKS: { readonly [N in OpenEnumName]: EnumTypes[N] | null | 'keep' } = {
  // OCPI 2.1.1 / 2.2.1 mod_tokens TokenType: OTHER "Other type of token" (EMAID is new in 2.3.0).
  TokenType: 'OTHER',
  // OCPI 2.1.1 mod_locations §4.10 / 2.2.1 §8.4.12 ImageCategory: OTHER.
  ImageCategory: 'OTHER',
  // OCPI 2.1.1 mod_locations §4.16 LocationType: OTHER (2.2.1 ParkingType has none: omitted).
  LocationType: 'OTHER',
  Capability: null,
  Facility: null,
  ParkingRestriction: null,
  EnvironmentalImpactCategory: null,
  // No catch-all in 2.1.1/2.2.1 and the field is required: the plug's own name is the most useful (2.3.0 MCS,
  // SAE_J3400). Only the OCPI formats can carry it; a camel table has no integer for it.
  ConnectorType: 'keep',
};

/**
 * The value to render for `value` (known: one of `known`) in a format of `domain` that carries open enums or not;
 * undefined when the value is dropped.
 */
export function renderEnum<N extends EnumName>(
  domain: EnumDomain,
  openEnums: boolean,
  name: N,
  known: readonly EnumTypes[N][],
  value: EnumTypes[N],
): EnumTypes[N] | undefined {
  // Cheapest first: the list scan of `known` only for an open enum rendered where it is closed.
  if (openEnums || !isOpenEnum(name) || known.includes(value)) return downMap(domain, name, value);
  const fallback = OPEN_FALLBACKS[name] as EnumTypes[N] | null | 'keep';
  if (fallback === 'keep') return value;
  return fallback === null ? undefined : downMap(domain, name, fallback);
}

/** The value to render for `value` in `domain`; undefined when the value is dropped. */
export function downMap<N extends EnumName>(
  domain: EnumDomain,
  name: N,
  value: EnumTypes[N],
): EnumTypes[N] | undefined {
  if (domain === 'canonical') return value;
  const table = DOWN_MAPS[domain][name] as { readonly [V in EnumTypes[N]]?: EnumTypes[N] | null } | undefined;
  if (!table || !Object.hasOwn(table, value)) return value;
  return table[value] ?? undefined;
}
