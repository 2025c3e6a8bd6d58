// Integer ↔ name tables of the documented camelCase format (ocpi-notes §1.3): the integer is the index into
// the array. Written out as data on purpose: they are a wire contract, and must not move when the domain
// lists (src/domain/enums.ts) are re-ordered. A test checks each table holds exactly the domain's values.
import type {
  AuthMethod,
  Capability,
  CdrDimensionType,
  ConnectorFormat,
  ConnectorType,
  EnergySourceCategory,
  EnvironmentalImpactCategory,
  EvseStatus,
  Facility,
  ImageCategory,
  LocationType,
  ParkingRestriction,
  PowerType,
  SessionStatus,
  TokenType,
} from '../../domain/enums.js';

/** The enums the wire formats carry, by name, with their canonical value types. */
export interface EnumTypes {
  AuthMethod: AuthMethod;
  LocationType: LocationType;
  EvseStatus: EvseStatus;
  Capability: Capability;
  ConnectorType: ConnectorType;
  ConnectorFormat: ConnectorFormat;
  PowerType: PowerType;
  ParkingRestriction: ParkingRestriction;
  ImageCategory: ImageCategory;
  Facility: Facility;
  EnergySourceCategory: EnergySourceCategory;
  EnvironmentalImpactCategory: EnvironmentalImpactCategory;
  CdrDimensionType: CdrDimensionType;
  SessionStatus: SessionStatus;
  TokenType: TokenType;
}
export type EnumName = keyof EnumTypes;
export type EnumTables = { readonly [N in EnumName]: readonly EnumTypes[N][] };

/** Candidate A (table order of OCPI 2.2.1, 2.1.1-only values appended) or B (see ocpi-notes §1.3). */
export type CamelCandidate = 'A' | 'B';

// AuthMethod — M-H.
const AUTH_METHOD: readonly AuthMethod[] = ['AUTH_REQUEST', 'COMMAND', 'WHITELIST'];

// Location type (vendor "parkingType"): 2.2.1 ParkingType order + 2.1.1-only OTHER, UNKNOWN — H.
const LOCATION_TYPE: readonly LocationType[] = [
  'ALONG_MOTORWAY',
  'PARKING_GARAGE',
  'PARKING_LOT',
  'ON_DRIVEWAY',
  'ON_STREET',
  'UNDERGROUND_GARAGE',
  'OTHER',
  'UNKNOWN',
];

// EVSE Status — H (the same list in every version).
const EVSE_STATUS: readonly EvseStatus[] = [
  'AVAILABLE',
  'BLOCKED',
  'CHARGING',
  'INOPERATIVE',
  'OUTOFORDER',
  'PLANNED',
  'REMOVED',
  'RESERVED',
  'UNKNOWN',
];

// Capability, candidate A: OCPI 2.2.1 table order.
const CAPABILITY_A: readonly Capability[] = [
  'CHARGING_PROFILE_CAPABLE',
  'CHARGING_PREFERENCES_CAPABLE',
  'CHIP_CARD_SUPPORT',
  'CONTACTLESS_CARD_SUPPORT',
  'CREDIT_CARD_PAYABLE',
  'DEBIT_CARD_PAYABLE',
  'PED_TERMINAL',
  'REMOTE_START_STOP_CAPABLE',
  'RESERVABLE',
  'RFID_READER',
  'START_SESSION_CONNECTOR_REQUIRED',
  'TOKEN_GROUP_CAPABLE',
  'UNLOCK_CAPABLE',
];

// Capability, candidate B: OCPI 2.2 order, the value new in 2.2.1 appended.
const CAPABILITY_B: readonly Capability[] = [
  'CHARGING_PROFILE_CAPABLE',
  'CHARGING_PREFERENCES_CAPABLE',
  'CHIP_CARD_SUPPORT',
  'CONTACTLESS_CARD_SUPPORT',
  'CREDIT_CARD_PAYABLE',
  'DEBIT_CARD_PAYABLE',
  'PED_TERMINAL',
  'REMOTE_START_STOP_CAPABLE',
  'RESERVABLE',
  'RFID_READER',
  'TOKEN_GROUP_CAPABLE',
  'UNLOCK_CAPABLE',
  'START_SESSION_CONNECTOR_REQUIRED',
];

// ConnectorType, candidate A: OCPI 2.2.1 table order — L, unverified.
const CONNECTOR_TYPE_A: readonly ConnectorType[] = [
  'CHADEMO',
  'CHAOJI',
  'DOMESTIC_A',
  'DOMESTIC_B',
  'DOMESTIC_C',
  'DOMESTIC_D',
  'DOMESTIC_E',
  'DOMESTIC_F',
  'DOMESTIC_G',
  'DOMESTIC_H',
  'DOMESTIC_I',
  'DOMESTIC_J',
  'DOMESTIC_K',
  'DOMESTIC_L',
  'DOMESTIC_M',
  'DOMESTIC_N',
  'DOMESTIC_O',
  'GBT_AC',
  'GBT_DC',
  'IEC_60309_2_single_16',
  'IEC_60309_2_three_16',
  'IEC_60309_2_three_32',
  'IEC_60309_2_three_64',
  'IEC_62196_T1',
  'IEC_62196_T1_COMBO',
  'IEC_62196_T2',
  'IEC_62196_T2_COMBO',
  'IEC_62196_T3A',
  'IEC_62196_T3C',
  'NEMA_5_20',
  'NEMA_6_30',
  'NEMA_6_50',
  'NEMA_10_30',
  'NEMA_10_50',
  'NEMA_14_30',
  'NEMA_14_50',
  'PANTOGRAPH_BOTTOM_UP',
  'PANTOGRAPH_TOP_DOWN',
  'TESLA_R',
  'TESLA_S',
];

// ConnectorType, candidate B: OCPI 2.2 order (27 values), then the 13 values new in 2.2.1.
const CONNECTOR_TYPE_B: readonly ConnectorType[] = [
  'CHADEMO',
  'DOMESTIC_A',
  'DOMESTIC_B',
  'DOMESTIC_C',
  'DOMESTIC_D',
  'DOMESTIC_E',
  'DOMESTIC_F',
  'DOMESTIC_G',
  'DOMESTIC_H',
  'DOMESTIC_I',
  'DOMESTIC_J',
  'DOMESTIC_K',
  'DOMESTIC_L',
  'IEC_60309_2_single_16',
  'IEC_60309_2_three_16',
  'IEC_60309_2_three_32',
  'IEC_60309_2_three_64',
  'IEC_62196_T1',
  'IEC_62196_T1_COMBO',
  'IEC_62196_T2',
  'IEC_62196_T2_COMBO',
  'IEC_62196_T3A',
  'IEC_62196_T3C',
  'PANTOGRAPH_BOTTOM_UP',
  'PANTOGRAPH_TOP_DOWN',
  'TESLA_R',
  'TESLA_S',
  'CHAOJI',
  'DOMESTIC_M',
  'DOMESTIC_N',
  'DOMESTIC_O',
  'GBT_AC',
  'GBT_DC',
  'NEMA_5_20',
  'NEMA_6_30',
  'NEMA_6_50',
  'NEMA_10_30',
  'NEMA_10_50',
  'NEMA_14_30',
  'NEMA_14_50',
];

// ConnectorFormat — H.
const CONNECTOR_FORMAT: readonly ConnectorFormat[] = ['SOCKET', 'CABLE'];

// PowerType, candidate A: OCPI 2.2.1 table order — L, unverified.
const POWER_TYPE_A: readonly PowerType[] = [
  'AC_1_PHASE',
  'AC_2_PHASE',
  'AC_2_PHASE_SPLIT',
  'AC_3_PHASE',
  'DC',
];

// PowerType, candidate B: OCPI 2.1.1/2.2 order, the 2.2.1 values appended.
const POWER_TYPE_B: readonly PowerType[] = [
  'AC_1_PHASE',
  'AC_3_PHASE',
  'DC',
  'AC_2_PHASE',
  'AC_2_PHASE_SPLIT',
];

// ParkingRestriction — H (2.1.1 to 2.2.1 share the list).
const PARKING_RESTRICTION: readonly ParkingRestriction[] = [
  'EV_ONLY',
  'PLUGGED',
  'DISABLED',
  'CUSTOMERS',
  'MOTORCYCLES',
];

// ImageCategory — H.
const IMAGE_CATEGORY: readonly ImageCategory[] = [
  'CHARGER',
  'ENTRANCE',
  'LOCATION',
  'NETWORK',
  'OPERATOR',
  'OTHER',
  'OWNER',
];

// Facility: OCPI 2.2.1 table order — H.
const FACILITY: readonly Facility[] = [
  'HOTEL',
  'RESTAURANT',
  'CAFE',
  'MALL',
  'SUPERMARKET',
  'SPORT',
  'RECREATION_AREA',
  'NATURE',
  'MUSEUM',
  'BIKE_SHARING',
  'BUS_STOP',
  'TAXI_STAND',
  'TRAM_STOP',
  'METRO_STATION',
  'TRAIN_STATION',
  'AIRPORT',
  'PARKING_LOT',
  'CARPOOL_PARKING',
  'FUEL_STATION',
  'WIFI',
];

// EnergySourceCategory — H.
const ENERGY_SOURCE_CATEGORY: readonly EnergySourceCategory[] = [
  'NUCLEAR',
  'GENERAL_FOSSIL',
  'COAL',
  'GAS',
  'GENERAL_GREEN',
  'SOLAR',
  'WIND',
  'WATER',
];

// EnvironmentalImpactCategory — H.
const ENVIRONMENTAL_IMPACT_CATEGORY: readonly EnvironmentalImpactCategory[] = [
  'NUCLEAR_WASTE',
  'CARBON_DIOXIDE',
];

// CdrDimensionType: OCPI 2.2.1 table order + 2.1.1-only FLAT = 13 — M.
const CDR_DIMENSION_TYPE: readonly CdrDimensionType[] = [
  'CURRENT',
  'ENERGY',
  'ENERGY_EXPORT',
  'ENERGY_IMPORT',
  'MAX_CURRENT',
  'MIN_CURRENT',
  'MAX_POWER',
  'MIN_POWER',
  'PARKING_TIME',
  'POWER',
  'RESERVATION_TIME',
  'STATE_OF_CHARGE',
  'TIME',
  'FLAT',
];

// SessionStatus: OCPI 2.2.1 table order — H.
const SESSION_STATUS: readonly SessionStatus[] = ['ACTIVE', 'COMPLETED', 'INVALID', 'PENDING', 'RESERVATION'];

// TokenType (2.2.1 camel page only): OCPI 2.2.1 table order — H.
const TOKEN_TYPE: readonly TokenType[] = ['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID'];

/** Candidate A for every enum: the default. */
export const CAMEL_ENUM_TABLES_A: EnumTables = {
  AuthMethod: AUTH_METHOD,
  LocationType: LOCATION_TYPE,
  EvseStatus: EVSE_STATUS,
  Capability: CAPABILITY_A,
  ConnectorType: CONNECTOR_TYPE_A,
  ConnectorFormat: CONNECTOR_FORMAT,
  PowerType: POWER_TYPE_A,
  ParkingRestriction: PARKING_RESTRICTION,
  ImageCategory: IMAGE_CATEGORY,
  Facility: FACILITY,
  EnergySourceCategory: ENERGY_SOURCE_CATEGORY,
  EnvironmentalImpactCategory: ENVIRONMENTAL_IMPACT_CATEGORY,
  CdrDimensionType: CDR_DIMENSION_TYPE,
  SessionStatus: SESSION_STATUS,
  TokenType: TOKEN_TYPE,
};

/** Candidate B: differs from A only for the three enums that grew between OCPI 2.2 and 2.2.1. */
export const CAMEL_ENUM_TABLES_B: EnumTables = {
  ...CAMEL_ENUM_TABLES_A,
  Capability: CAPABILITY_B,
  ConnectorType: CONNECTOR_TYPE_B,
  PowerType: POWER_TYPE_B,
};

/** The tables of one candidate (default A). The one switch between the two readings of ocpi-notes §1.3. */
export function camelEnumTables(candidate: CamelCandidate = 'A'): EnumTables {
  return candidate === 'B' ? CAMEL_ENUM_TABLES_B : CAMEL_ENUM_TABLES_A;
}
