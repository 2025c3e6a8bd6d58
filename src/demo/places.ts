// Static reference data for the demo catalogue: countries and charging sites in real cities.
// Street names, postal codes and coordinates are real-looking approximations, not surveyed data.
// All text is printable ASCII (OCPI 2.1.1 `string`), so no diacritics: English or ASCII city names.
import type { EnergySourceCategory } from '../domain/enums.js';

export interface CountryInfo {
  alpha2: string;
  alpha3: string; // ISO 3166-1 alpha-3, Location.country
  timeZone: string; // IANA
  currency: string; // ISO 4217
  vat: number; // standard VAT rate as a fraction
  utcOffsetHours: number; // standard time offset, used only to shape the time-of-day distribution
  operatorName: string; // our CPO's local operating company (fictional)
  /** Grid mix for locations without a green contract: [source, percentage][] and g/kWh impacts. */
  grid: { sources: [EnergySourceCategory, number][]; co2: number; nuclearWaste: number };
  /** House number before the street (FR, GB) or after it (elsewhere). */
  numberFirst: boolean;
}

export const COUNTRIES: Record<string, CountryInfo> = {
  NL: {
    alpha2: 'NL',
    alpha3: 'NLD',
    timeZone: 'Europe/Amsterdam',
    currency: 'EUR',
    vat: 0.21,
    utcOffsetHours: 1,
    operatorName: 'Voltara Charging Nederland B.V.',
    grid: {
      sources: [
        ['GAS', 38],
        ['COAL', 8],
        ['NUCLEAR', 3],
        ['WIND', 30],
        ['SOLAR', 17],
        ['GENERAL_GREEN', 4],
      ],
      co2: 298,
      nuclearWaste: 0.0001,
    },
    numberFirst: false,
  },
  DE: {
    alpha2: 'DE',
    alpha3: 'DEU',
    timeZone: 'Europe/Berlin',
    currency: 'EUR',
    vat: 0.19,
    utcOffsetHours: 1,
    operatorName: 'Voltara Charging GmbH',
    grid: {
      sources: [
        ['COAL', 22],
        ['GAS', 14],
        ['GENERAL_FOSSIL', 4],
        ['WIND', 33],
        ['SOLAR', 14],
        ['GENERAL_GREEN', 13],
      ],
      co2: 380,
      nuclearWaste: 0,
    },
    numberFirst: false,
  },
  FR: {
    alpha2: 'FR',
    alpha3: 'FRA',
    timeZone: 'Europe/Paris',
    currency: 'EUR',
    vat: 0.2,
    utcOffsetHours: 1,
    operatorName: 'Voltara Charging France SAS',
    grid: {
      sources: [
        ['NUCLEAR', 65],
        ['WATER', 12],
        ['WIND', 10],
        ['SOLAR', 5],
        ['GAS', 6],
        ['GENERAL_FOSSIL', 2],
      ],
      co2: 56,
      nuclearWaste: 0.0016,
    },
    numberFirst: true,
  },
  BE: {
    alpha2: 'BE',
    alpha3: 'BEL',
    timeZone: 'Europe/Brussels',
    currency: 'EUR',
    vat: 0.21,
    utcOffsetHours: 1,
    operatorName: 'Voltara Charging Belgium BV',
    grid: {
      sources: [
        ['NUCLEAR', 41],
        ['GAS', 24],
        ['WIND', 20],
        ['SOLAR', 10],
        ['GENERAL_GREEN', 5],
      ],
      co2: 150,
      nuclearWaste: 0.001,
    },
    numberFirst: false,
  },
  NO: {
    alpha2: 'NO',
    alpha3: 'NOR',
    timeZone: 'Europe/Oslo',
    currency: 'NOK',
    vat: 0.25,
    utcOffsetHours: 1,
    operatorName: 'Voltara Lading AS',
    grid: {
      sources: [
        ['WATER', 88],
        ['WIND', 10],
        ['GAS', 2],
      ],
      co2: 12,
      nuclearWaste: 0,
    },
    numberFirst: false,
  },
  GB: {
    alpha2: 'GB',
    alpha3: 'GBR',
    timeZone: 'Europe/London',
    currency: 'GBP',
    vat: 0.2,
    utcOffsetHours: 0,
    operatorName: 'Voltara Charging UK Ltd',
    grid: {
      sources: [
        ['GAS', 34],
        ['NUCLEAR', 14],
        ['WIND', 29],
        ['SOLAR', 5],
        ['GENERAL_GREEN', 15],
        ['COAL', 1],
        ['GENERAL_FOSSIL', 2],
      ],
      co2: 182,
      nuclearWaste: 0.0004,
    },
    numberFirst: true,
  },
  SE: {
    alpha2: 'SE',
    alpha3: 'SWE',
    timeZone: 'Europe/Stockholm',
    currency: 'SEK',
    vat: 0.25,
    utcOffsetHours: 1,
    operatorName: 'Voltara Laddning AB',
    grid: {
      sources: [
        ['WATER', 41],
        ['NUCLEAR', 29],
        ['WIND', 21],
        ['GENERAL_GREEN', 7],
        ['GENERAL_FOSSIL', 2],
      ],
      co2: 25,
      nuclearWaste: 0.0007,
    },
    numberFirst: false,
  },
  DK: {
    alpha2: 'DK',
    alpha3: 'DNK',
    timeZone: 'Europe/Copenhagen',
    currency: 'DKK',
    vat: 0.25,
    utcOffsetHours: 1,
    operatorName: 'Voltara Opladning ApS',
    grid: {
      sources: [
        ['WIND', 55],
        ['GENERAL_GREEN', 22],
        ['SOLAR', 9],
        ['GAS', 7],
        ['COAL', 7],
      ],
      co2: 110,
      nuclearWaste: 0,
    },
    numberFirst: false,
  },
};

/**
 * What kind of site: `street` (kerbside AC posts), `garage` (multi-storey car park), `underground`
 * (underground car park), `lot` (retail car park, AC + some DC), `hub` (fast-charging hub, mostly DC).
 */
export type SiteKind = 'street' | 'garage' | 'underground' | 'lot' | 'hub';

export interface Site {
  cc: string; // key of COUNTRIES
  city: string;
  cityCode: string; // three letters, used in location ids
  street: string;
  postalCode: string;
  lat: number;
  lon: number;
  kind: SiteKind;
}

function site(
  cc: string,
  city: string,
  cityCode: string,
  street: string,
  postalCode: string,
  lat: number,
  lon: number,
  kind: SiteKind,
): Site {
  return { cc, city, cityCode, street, postalCode, lat, lon, kind };
}

export const SITES: readonly Site[] = [
  // Netherlands
  site('NL', 'Amsterdam', 'AMS', 'Damrak', '1012 LG', 52.3763, 4.8977, 'street'),
  site('NL', 'Amsterdam', 'AMS', 'Gustav Mahlerlaan', '1082 PP', 52.3385, 4.8728, 'underground'),
  site('NL', 'Amsterdam', 'AMS', 'Arlandaweg', '1043 EW', 52.3889, 4.8377, 'hub'),
  site('NL', 'Rotterdam', 'RTM', 'Weena', '3013 AL', 51.9229, 4.4716, 'garage'),
  site('NL', 'Rotterdam', 'RTM', 'Wilhelminakade', '3072 AP', 51.9071, 4.4874, 'street'),
  site('NL', 'Utrecht', 'UTC', 'Croeselaan', '3521 BJ', 52.0853, 5.1081, 'garage'),
  site('NL', 'Den Haag', 'HAG', 'Prinsegracht', '2512 GA', 52.0751, 4.3063, 'street'),
  site('NL', 'Eindhoven', 'EIN', 'Vestdijk', '5611 CA', 51.4403, 5.4812, 'garage'),
  site('NL', 'Groningen', 'GRQ', 'Herestraat', '9711 LC', 53.2148, 6.5672, 'street'),
  // Germany
  site('DE', 'Berlin', 'BER', 'Unter den Linden', '10117', 52.5169, 13.3888, 'street'),
  site('DE', 'Berlin', 'BER', 'Potsdamer Platz', '10785', 52.5094, 13.3757, 'underground'),
  site('DE', 'Berlin', 'BER', 'Landsberger Allee', '10249', 52.5287, 13.4562, 'lot'),
  site('DE', 'Hamburg', 'HAM', 'Jungfernstieg', '20354', 53.5528, 9.9934, 'garage'),
  site('DE', 'Hamburg', 'HAM', 'Am Sandtorkai', '20457', 53.5436, 9.9887, 'street'),
  site('DE', 'Frankfurt am Main', 'FRA', 'Hanauer Landstrasse', '60314', 50.1137, 8.7158, 'hub'),
  site('DE', 'Stuttgart', 'STR', 'Heilbronner Strasse', '70191', 48.7902, 9.1831, 'garage'),
  site('DE', 'Leipzig', 'LEJ', 'Willy-Brandt-Platz', '04109', 51.3443, 12.3808, 'street'),
  site('DE', 'Dresden', 'DRS', 'Prager Strasse', '01069', 51.0452, 13.7379, 'lot'),
  // France
  site('FR', 'Paris', 'PAR', 'Rue de Rivoli', '75001', 48.8606, 2.3376, 'street'),
  site('FR', 'Paris', 'PAR', 'Boulevard Haussmann', '75009', 48.8737, 2.3321, 'underground'),
  site('FR', 'Paris', 'PAR', 'Rue de Bercy', '75012', 48.8392, 2.3828, 'garage'),
  site('FR', 'Lyon', 'LYS', 'Rue Garibaldi', '69003', 45.7601, 4.8519, 'garage'),
  site('FR', 'Lyon', 'LYS', 'Cours Charlemagne', '69002', 45.7432, 4.8183, 'lot'),
  site('FR', 'Marseille', 'MRS', 'Rue de Rome', '13006', 43.2918, 5.3802, 'street'),
  site('FR', 'Lille', 'LIL', 'Avenue Willy Brandt', '59777', 50.6368, 3.0752, 'underground'),
  site('FR', 'Bordeaux', 'BOD', 'Quai des Chartrons', '33000', 44.8501, -0.5702, 'street'),
  site('FR', 'Nantes', 'NTE', 'Quai de la Fosse', '44000', 47.2102, -1.5649, 'street'),
  site('FR', 'Toulouse', 'TLS', 'Boulevard de Strasbourg', '31000', 43.6083, 1.4459, 'hub'),
  // Belgium
  site('BE', 'Brussels', 'BRU', 'Rue de la Loi', '1040', 50.8441, 4.3802, 'street'),
  site('BE', 'Brussels', 'BRU', 'Avenue Louise', '1050', 50.8289, 4.3641, 'underground'),
  site('BE', 'Antwerpen', 'ANR', 'Frankrijklei', '2000', 51.2149, 4.4103, 'street'),
  site('BE', 'Antwerpen', 'ANR', 'Noorderlaan', '2030', 51.2498, 4.4182, 'hub'),
  site('BE', 'Gent', 'GNE', 'Kortrijksesteenweg', '9000', 51.0398, 3.7102, 'lot'),
  site('BE', 'Leuven', 'LEU', 'Bondgenotenlaan', '3000', 50.8802, 4.7009, 'garage'),
  site('BE', 'Brugge', 'BGS', 'Stationsplein', '8000', 51.1968, 3.2172, 'garage'),
  // Norway
  site('NO', 'Oslo', 'OSL', 'Karl Johans gate', '0154', 59.9127, 10.7461, 'street'),
  site('NO', 'Oslo', 'OSL', 'Dronning Eufemias gate', '0191', 59.9071, 10.7588, 'underground'),
  site('NO', 'Bergen', 'BGO', 'Kaigaten', '5015', 60.3898, 5.3322, 'garage'),
  site('NO', 'Trondheim', 'TRD', 'Kongens gate', '7011', 63.4302, 10.3918, 'street'),
  site('NO', 'Stavanger', 'SVG', 'Kirkegata', '4006', 58.9701, 5.7318, 'hub'),
  // United Kingdom
  site('GB', 'London', 'LON', 'Euston Road', 'NW1 2RT', 51.5276, -0.1302, 'street'),
  site('GB', 'London', 'LON', 'Kings Road', 'SW3 4UD', 51.4877, -0.1688, 'street'),
  site('GB', 'London', 'LON', 'Canada Square', 'E14 5AB', 51.5049, -0.0191, 'underground'),
  site('GB', 'Manchester', 'MAN', 'Deansgate', 'M3 4LZ', 53.4792, -2.2481, 'garage'),
  site('GB', 'Birmingham', 'BHX', 'Broad Street', 'B1 2HF', 52.4771, -1.9112, 'garage'),
  site('GB', 'Edinburgh', 'EDI', 'Leith Walk', 'EH6 8RG', 55.9638, -3.1762, 'street'),
  site('GB', 'Bristol', 'BRS', 'Bond Street', 'BS1 3BD', 51.4592, -2.5851, 'lot'),
  // Sweden
  site('SE', 'Stockholm', 'STO', 'Kungsgatan', '111 43', 59.3358, 18.0641, 'garage'),
  site('SE', 'Stockholm', 'STO', 'Birger Jarlsgatan', '114 34', 59.3402, 18.0712, 'street'),
  site('SE', 'Gothenburg', 'GOT', 'Vasagatan', '411 24', 57.7001, 11.9698, 'street'),
  site('SE', 'Uppsala', 'UPS', 'Kungsgatan', '753 21', 59.8588, 17.6452, 'lot'),
  // Denmark
  site('DK', 'Copenhagen', 'CPH', 'Vesterbrogade', '1620', 55.6731, 12.5601, 'street'),
  site('DK', 'Copenhagen', 'CPH', 'Amagerbrogade', '2300', 55.6642, 12.5979, 'garage'),
  site('DK', 'Aarhus', 'AAR', 'Frederiks Alle', '8000', 56.1532, 10.2019, 'street'),
  site('DK', 'Odense', 'ODE', 'Vestergade', '5000', 55.3951, 10.3802, 'hub'),
];

/** A tariff of our CPO, per country and charger class; prices exclude VAT. */
export interface DemoTariff {
  id: string;
  currency: string;
  vat: number;
  energyPerKwh: number;
  timePerHour: number; // charging time (TIME)
  parkingPerHour: number; // idle time after charging (PARKING_TIME)
  reservationPerHour: number; // RESERVATION_TIME
}

type PriceRow = [energyPerKwh: number, timePerHour: number, parkingPerHour: number];
/** Per country: AC, DC (<= 150 kW), HPC (> 150 kW) and the reservation price per hour. */
const PRICES: Record<string, { ac: PriceRow; dc: PriceRow; hpc: PriceRow; reservation: number }> = {
  NL: { ac: [0.42, 0, 1.2], dc: [0.55, 0, 6], hpc: [0.65, 0, 9], reservation: 1.5 },
  DE: { ac: [0.45, 0, 1.2], dc: [0.55, 0, 6], hpc: [0.62, 0, 6], reservation: 1.8 },
  FR: { ac: [0.3, 1.2, 2.4], dc: [0.45, 6, 9], hpc: [0.55, 0, 12], reservation: 1.2 },
  BE: { ac: [0.41, 0, 1.0], dc: [0.54, 0, 6], hpc: [0.64, 0, 9], reservation: 1.5 },
  NO: { ac: [3.2, 0, 20], dc: [3.6, 60, 120], hpc: [4.4, 0, 120], reservation: 15 },
  GB: { ac: [0.45, 0, 1.5], dc: [0.6, 0, 5], hpc: [0.66, 0, 8], reservation: 1.2 },
  SE: { ac: [3.5, 0, 15], dc: [5.2, 0, 60], hpc: [6.2, 0, 90], reservation: 15 },
  DK: { ac: [3.2, 0, 8], dc: [4.2, 0, 40], hpc: [4.9, 0, 60], reservation: 12 },
};

export type ChargerClass = 'AC' | 'DC' | 'HPC';

export function tariffId(cc: string, cls: ChargerClass): string {
  return `${cc}-${cls}-2024`;
}

function buildTariffs(): Map<string, DemoTariff> {
  const out = new Map<string, DemoTariff>();
  for (const [cc, p] of Object.entries(PRICES)) {
    const country = COUNTRIES[cc]!;
    const rows: [ChargerClass, PriceRow][] = [
      ['AC', p.ac],
      ['DC', p.dc],
      ['HPC', p.hpc],
    ];
    for (const [cls, [energyPerKwh, timePerHour, parkingPerHour]] of rows) {
      const id = tariffId(cc, cls);
      out.set(id, {
        id,
        currency: country.currency,
        vat: country.vat,
        energyPerKwh,
        timePerHour,
        parkingPerHour,
        reservationPerHour: p.reservation,
      });
    }
  }
  return out;
}

/** Every demo tariff by id (the ids used in Connector.tariffIds and ChargingPeriod.tariffId). */
export const DEMO_TARIFFS: ReadonlyMap<string, DemoTariff> = buildTariffs();
