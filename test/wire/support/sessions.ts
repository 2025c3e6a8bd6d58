// Shared test data for the wire codecs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Connector, Evse, Location } from '../../../src/domain/location.js';
import type { Session } from '../../../src/domain/session.js';
import type { ParseContext, ParseResult } from '../../../src/wire/codec.js';
import { fixturesDir } from '../../support/paths.js';

/** The parties of the spec examples: CPO BE-BEC, token of eMSP NL-TST. */
export const ctx: ParseContext = {
  cpo: { countryCode: 'BE', partyId: 'BEC' },
  emsp: { countryCode: 'NL', partyId: 'TST' },
};

/** A spec example, as JSON.parse gives it (so `41.00` is already `41`). */
export function example(version: '2.1.1' | '2.2.1' | '2.3.0', name: string): Record<string, unknown> {
  const file = path.join(fixturesDir, 'spec-examples', version, `${name}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

export function ok<T>(r: ParseResult<T>): T {
  if (!r.ok) throw new Error(`unexpected issues: ${JSON.stringify(r.issues, null, 1)}`);
  return r.value;
}

export function issuesOf<T>(r: ParseResult<T>): Record<string, string> {
  if (r.ok) throw new Error('expected issues, got a value');
  return Object.fromEntries(r.issues.map((i) => [i.path, i.message]));
}

const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);
const minutes = (n: number) => T0 + n * 60_000;

const image = {
  url: 'https://cpo.example/img.png',
  thumbnail: 'https://cpo.example/t.png',
  category: 'CHARGER',
  type: 'png',
  width: 640,
  height: 480,
} as const;

export function fullConnector(): Connector {
  return {
    id: '1',
    standard: 'IEC_62196_T2',
    format: 'SOCKET',
    powerType: 'AC_3_PHASE',
    maxVoltage: 230,
    maxAmperage: 32,
    tariffIds: ['T1'],
    termsAndConditions: 'https://cpo.example/terms',
    lastUpdated: minutes(1),
  };
}

export function fullEvse(): Evse {
  return {
    uid: 'EVSE-1',
    evseId: 'BE*BEC*E1',
    status: 'CHARGING',
    statusSchedule: [{ periodBegin: minutes(60), periodEnd: minutes(120), status: 'RESERVED' }],
    capabilities: ['RFID_READER', 'REMOTE_START_STOP_CAPABLE'],
    connectors: [fullConnector()],
    floorLevel: '-1',
    coordinates: { latitude: '51.047599', longitude: '3.729944' },
    physicalReference: 'P1',
    directions: [{ language: 'en', text: 'Level -1' }],
    parkingRestrictions: ['EV_ONLY'],
    images: [{ ...image }],
    lastUpdated: minutes(1),
  };
}

export function fullLocation(): Location {
  const business = (name: string) => ({
    name,
    website: `https://${name}.example`,
    logo: { ...image, category: 'OPERATOR' as const },
  });
  return {
    id: 'LOC1',
    type: 'ON_STREET',
    name: 'Gent Zuid',
    address: 'F.Rooseveltlaan 3A',
    city: 'Gent',
    postalCode: '9000',
    country: 'BEL',
    coordinates: { latitude: '51.047599', longitude: '3.729944' },
    relatedLocations: [
      { latitude: '51.047600', longitude: '3.729945', name: { language: 'nl', text: 'Ingang' } },
    ],
    evses: [fullEvse()],
    directions: [{ language: 'en', text: 'Behind the station' }],
    operator: business('operator'),
    suboperator: business('suboperator'),
    owner: business('owner'),
    facilities: ['CAFE', 'TRAIN_STATION'],
    timeZone: 'Europe/Brussels',
    openingTimes: {
      twentyfourseven: false,
      regularHours: [{ weekday: 1, periodBegin: '08:00', periodEnd: '20:00' }],
      exceptionalOpenings: [{ periodBegin: minutes(1440), periodEnd: minutes(1500) }],
      exceptionalClosings: [{ periodBegin: minutes(2880), periodEnd: minutes(2940) }],
    },
    chargingWhenClosed: true,
    images: [{ ...image, category: 'LOCATION' }],
    energyMix: {
      isGreenEnergy: true,
      energySources: [{ source: 'SOLAR', percentage: 100 }],
      environImpact: [{ category: 'CARBON_DIOXIDE', amount: 0 }],
      supplierName: 'Green Power',
      energyProductName: 'Sun',
    },
    lastUpdated: minutes(1),
  };
}

/** A session with every field populated that some format carries. */
export function fullSession(): Session {
  return {
    countryCode: 'BE',
    partyId: 'BEC',
    id: 'S-1',
    startDateTime: T0,
    endDateTime: minutes(90),
    kwh: 12.5,
    cdrToken: {
      countryCode: 'NL',
      partyId: 'TST',
      uid: '123abc',
      type: 'RFID',
      contractId: 'NL-TST-C12345678-S',
    },
    authMethod: 'WHITELIST',
    authorizationReference: 'AUTH-1',
    locationId: 'LOC1',
    evseUid: 'EVSE-1',
    connectorId: '1',
    location: fullLocation(),
    meterId: 'M-1',
    currency: 'EUR',
    chargingPeriods: [{ startDateTime: T0, dimensions: [{ type: 'ENERGY', volume: 12.5 }], tariffId: 'T1' }],
    totalCost: { exclVat: 4, inclVat: 4.84 },
    status: 'COMPLETED',
    lastUpdated: minutes(91),
  };
}
