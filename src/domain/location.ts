// Canonical Location / EVSE / Connector: a superset of OCPI 2.1.1 §mod_locations and 2.2.1 §8.3 objects.
// Times are epoch milliseconds (UTC). Optional fields are `undefined` when absent.
import type {
  Capability,
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
} from './enums.js';

export type Millis = number;

export interface GeoLocation {
  latitude: string;
  longitude: string;
}
export interface DisplayText {
  language: string;
  text: string;
}
export interface AdditionalGeoLocation extends GeoLocation {
  name?: DisplayText;
}
export interface Image {
  url: string;
  thumbnail?: string;
  category: ImageCategory;
  type: string;
  width?: number;
  height?: number;
}
export interface BusinessDetails {
  name: string;
  website?: string;
  logo?: Image;
}
export interface RegularHours {
  weekday: number; // 1 = Monday .. 7 = Sunday
  periodBegin: string; // "HH:MM" local time
  periodEnd: string;
}
export interface ExceptionalPeriod {
  periodBegin: Millis;
  periodEnd: Millis;
}
export interface Hours {
  twentyfourseven: boolean;
  regularHours: RegularHours[];
  exceptionalOpenings: ExceptionalPeriod[];
  exceptionalClosings: ExceptionalPeriod[];
}
export interface EnergySource {
  source: EnergySourceCategory;
  percentage: number;
}
export interface EnvironmentalImpact {
  category: EnvironmentalImpactCategory;
  amount: number;
}
export interface EnergyMix {
  isGreenEnergy: boolean;
  energySources: EnergySource[];
  environImpact: EnvironmentalImpact[];
  supplierName?: string;
  energyProductName?: string;
}
export interface StatusSchedule {
  periodBegin: Millis;
  periodEnd?: Millis;
  status: EvseStatus;
}

export interface Connector {
  id: string;
  standard: ConnectorType;
  format: ConnectorFormat;
  powerType: PowerType;
  maxVoltage: number; // 2.1.1 `voltage`
  maxAmperage: number; // 2.1.1 `amperage`
  maxElectricPower?: number; // W, 2.2.1 only
  tariffIds: string[]; // 2.1.1 has a single `tariff_id`: the first entry
  termsAndConditions?: string;
  lastUpdated: Millis;
}

export interface Evse {
  uid: string;
  evseId?: string;
  status: EvseStatus;
  statusSchedule: StatusSchedule[];
  capabilities: Capability[];
  connectors: Connector[];
  floorLevel?: string;
  coordinates?: GeoLocation;
  physicalReference?: string;
  directions: DisplayText[];
  parkingRestrictions: ParkingRestriction[];
  images: Image[];
  lastUpdated: Millis;
}

export interface Location {
  countryCode?: string; // 2.2.1 only: the CPO owning the location
  partyId?: string;
  id: string;
  publish?: boolean; // 2.2.1 only
  type: LocationType; // 2.1.1 `type` / 2.2.1 `parking_type` (see enums.ts for the union)
  name?: string;
  address: string;
  city: string;
  postalCode?: string;
  state?: string;
  country: string; // ISO 3166-1 alpha-3
  coordinates: GeoLocation;
  relatedLocations: AdditionalGeoLocation[];
  evses: Evse[];
  directions: DisplayText[];
  operator?: BusinessDetails;
  suboperator?: BusinessDetails;
  owner?: BusinessDetails;
  facilities: Facility[];
  timeZone?: string;
  openingTimes?: Hours;
  chargingWhenClosed?: boolean;
  images: Image[];
  energyMix?: EnergyMix;
  lastUpdated: Millis;
}
