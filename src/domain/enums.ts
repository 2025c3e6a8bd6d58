// Canonical enum value sets: the union of OCPI 2.1.1 and 2.2.1 values, so one model holds data from either
// version. OCPI 2.3.0 made some enums open (types §OpenEnum): their types below also hold any other string, which
// only the 2.3.0 format accepts (OPEN_ENUMS; rendered to older versions by wire/down-mapping.ts OPEN_FALLBACKS). The order of each list is the order of the documented integer format (ocpi-notes §1.3, candidate A):
// 2.2.1 table order with 2.1.1-only values appended. Wire codecs map these names; nothing else depends on order.

/** An OCPI 2.3.0 OpenEnum (types §OpenEnum): the known values, or any other string. */
export type Open<Known extends string> = Known | (string & {});

/**
 * The enums OCPI 2.3.0 declares open (mod_locations: Capability, ConnectorType, EnvironmentalImpactCategory,
 * Facility, ImageCategory, ParkingRestriction, ParkingType; mod_tokens TokenType). Older versions keep them closed.
 */
export const OPEN_ENUMS = [
  'Capability',
  'ConnectorType',
  'EnvironmentalImpactCategory',
  'Facility',
  'ImageCategory',
  'ParkingRestriction',
  'LocationType',
  'TokenType',
] as const;
export type OpenEnumName = (typeof OPEN_ENUMS)[number];

/** True for an enum OCPI 2.3.0 declares open. */
export function isOpenEnum(name: string): name is OpenEnumName {
  return (OPEN_ENUMS as readonly string[]).includes(name);
}

export const AUTH_METHODS = ['AUTH_REQUEST', 'COMMAND', 'WHITELIST'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

// 2.2.1 ParkingType + 2.1.1-only LocationType values OTHER and UNKNOWN.
export const LOCATION_TYPES = [
  'ALONG_MOTORWAY',
  'PARKING_GARAGE',
  'PARKING_LOT',
  'ON_DRIVEWAY',
  'ON_STREET',
  'UNDERGROUND_GARAGE',
  'OTHER',
  'UNKNOWN',
] as const;
export type LocationType = Open<(typeof LOCATION_TYPES)[number]>;

export const EVSE_STATUSES = [
  'AVAILABLE',
  'BLOCKED',
  'CHARGING',
  'INOPERATIVE',
  'OUTOFORDER',
  'PLANNED',
  'REMOVED',
  'RESERVED',
  'UNKNOWN',
] as const;
export type EvseStatus = (typeof EVSE_STATUSES)[number];

export const CAPABILITIES = [
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
] as const;
export type Capability = Open<(typeof CAPABILITIES)[number]>;

export const CONNECTOR_TYPES = [
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
] as const;
export type ConnectorType = Open<(typeof CONNECTOR_TYPES)[number]>;

export const CONNECTOR_FORMATS = ['SOCKET', 'CABLE'] as const;
export type ConnectorFormat = (typeof CONNECTOR_FORMATS)[number];

export const POWER_TYPES = ['AC_1_PHASE', 'AC_2_PHASE', 'AC_2_PHASE_SPLIT', 'AC_3_PHASE', 'DC'] as const;
export type PowerType = (typeof POWER_TYPES)[number];

export const PARKING_RESTRICTIONS = ['EV_ONLY', 'PLUGGED', 'DISABLED', 'CUSTOMERS', 'MOTORCYCLES'] as const;
export type ParkingRestriction = Open<(typeof PARKING_RESTRICTIONS)[number]>;

export const IMAGE_CATEGORIES = [
  'CHARGER',
  'ENTRANCE',
  'LOCATION',
  'NETWORK',
  'OPERATOR',
  'OTHER',
  'OWNER',
] as const;
export type ImageCategory = Open<(typeof IMAGE_CATEGORIES)[number]>;

export const FACILITIES = [
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
] as const;
export type Facility = Open<(typeof FACILITIES)[number]>;

export const ENERGY_SOURCE_CATEGORIES = [
  'NUCLEAR',
  'GENERAL_FOSSIL',
  'COAL',
  'GAS',
  'GENERAL_GREEN',
  'SOLAR',
  'WIND',
  'WATER',
] as const;
export type EnergySourceCategory = (typeof ENERGY_SOURCE_CATEGORIES)[number];

export const ENVIRONMENTAL_IMPACT_CATEGORIES = ['NUCLEAR_WASTE', 'CARBON_DIOXIDE'] as const;
export type EnvironmentalImpactCategory = Open<(typeof ENVIRONMENTAL_IMPACT_CATEGORIES)[number]>;

// 2.2.1 CdrDimensionType table order + 2.1.1-only FLAT appended.
export const CDR_DIMENSION_TYPES = [
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
] as const;
export type CdrDimensionType = (typeof CDR_DIMENSION_TYPES)[number];

export const SESSION_STATUSES = ['ACTIVE', 'COMPLETED', 'INVALID', 'PENDING', 'RESERVATION'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const TOKEN_TYPES = ['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID'] as const;
export type TokenType = Open<(typeof TOKEN_TYPES)[number]>;

export const PROFILE_TYPES = ['CHEAP', 'FAST', 'GREEN', 'REGULAR'] as const;
export type ProfileType = (typeof PROFILE_TYPES)[number];

export const CHARGING_PREFERENCES_RESPONSES = [
  'ACCEPTED',
  'DEPARTURE_REQUIRED',
  'ENERGY_NEED_REQUIRED',
  'NOT_POSSIBLE',
  'PROFILE_TYPE_NOT_SUPPORTED',
] as const;
export type ChargingPreferencesResponse = (typeof CHARGING_PREFERENCES_RESPONSES)[number];
