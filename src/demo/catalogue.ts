// The demo location catalogue: built once per generator run from the static sites in places.ts.
// It depends only on the CPO identity and the time window (never on the session seed), so every seed
// shows the same locations, EVSEs and connectors; only the sessions differ.
import { CAPABILITIES, FACILITIES } from '../domain/enums.js';
import type { Capability, EvseStatus, Facility, LocationType, ParkingRestriction } from '../domain/enums.js';
import type { BusinessDetails, Connector, EnergyMix, Evse, Hours, Location } from '../domain/location.js';
import { COUNTRIES, DEMO_TARIFFS, SITES, tariffId } from './places.js';
import type { ChargerClass, CountryInfo, DemoTariff, Site, SiteKind } from './places.js';
import { Prng, Weighted } from './prng.js';

const SECOND = 1000;
const DAY = 86_400_000;
const CATALOGUE_SEED = 0x0ca7a106;
const WEBSITE = 'https://voltara.example.com';

/** One chargeable connector of the catalogue: what a session can be started on. */
export interface Slot {
  /** The full catalogue Location (all EVSEs): copy it before narrowing it to one EVSE. */
  location: Location;
  evse: Evse;
  connector: Connector;
  country: CountryInfo;
  tariff: DemoTariff;
  chargerClass: ChargerClass;
  /** Connector power in kW (maxElectricPower). */
  maxKw: number;
  kind: SiteKind;
  meterId?: string;
  reservable: boolean;
  /** Relative popularity: how likely a session is to use this connector. */
  weight: number;
}

export interface Catalogue {
  locations: Location[];
  slots: Slot[];
}

interface Party {
  countryCode: string;
  partyId: string;
}

const LOCATION_TYPE: Record<SiteKind, LocationType> = {
  // Only values valid in both 2.1.1 LocationType and 2.2.1 ParkingType (a motorway hub is a PARKING_LOT).
  street: 'ON_STREET',
  garage: 'PARKING_GARAGE',
  underground: 'UNDERGROUND_GARAGE',
  lot: 'PARKING_LOT',
  hub: 'PARKING_LOT',
};

const FACILITY_POOL: Record<SiteKind, Facility[]> = {
  street: ['CAFE', 'RESTAURANT', 'SUPERMARKET', 'BUS_STOP', 'TRAM_STOP', 'MUSEUM', 'BIKE_SHARING'],
  garage: ['MALL', 'SUPERMARKET', 'HOTEL', 'RESTAURANT', 'TRAIN_STATION', 'WIFI', 'METRO_STATION'],
  underground: ['HOTEL', 'MALL', 'METRO_STATION', 'TRAIN_STATION', 'RESTAURANT', 'WIFI'],
  lot: ['SUPERMARKET', 'MALL', 'RESTAURANT', 'SPORT', 'PARKING_LOT', 'CARPOOL_PARKING'],
  hub: ['FUEL_STATION', 'RESTAURANT', 'CAFE', 'WIFI', 'SUPERMARKET', 'CARPOOL_PARKING'],
};

const POPULARITY: Record<SiteKind, number> = { street: 1, garage: 1.4, underground: 1.2, lot: 1.6, hub: 2.2 };

const CATALOGUE_STATUS = new Weighted<EvseStatus>([
  ['AVAILABLE', 80],
  ['CHARGING', 12],
  ['BLOCKED', 3],
  ['OUTOFORDER', 3],
  ['INOPERATIVE', 2],
]);

const greenMix = (): EnergyMix => ({
  isGreenEnergy: true,
  energySources: [
    { source: 'WIND', percentage: 70 },
    { source: 'SOLAR', percentage: 20 },
    { source: 'WATER', percentage: 10 },
  ],
  environImpact: [
    { category: 'NUCLEAR_WASTE', amount: 0 },
    { category: 'CARBON_DIOXIDE', amount: 0 },
  ],
  supplierName: 'Voltara Energy',
  energyProductName: 'Voltara 100% Renewable',
});

const regularHours = (): Hours => ({
  twentyfourseven: false,
  regularHours: [
    ...[1, 2, 3, 4, 5].map((weekday) => ({ weekday, periodBegin: '06:00', periodEnd: '23:30' })),
    { weekday: 6, periodBegin: '07:00', periodEnd: '23:30' },
    { weekday: 7, periodBegin: '08:00', periodEnd: '22:00' },
  ],
  exceptionalOpenings: [],
  exceptionalClosings: [],
});

/** Position of a value in a canonical list (the demo only makes known values). */
const order = (values: readonly string[], v: string) => values.indexOf(v);

function sortCapabilities(caps: Capability[]): Capability[] {
  return [...new Set(caps)].sort((a, b) => order(CAPABILITIES, a) - order(CAPABILITIES, b));
}

function coord(v: number): string {
  return v.toFixed(6);
}

function gridMix(country: CountryInfo): EnergyMix {
  return {
    isGreenEnergy: false,
    energySources: country.grid.sources.map(([source, percentage]) => ({ source, percentage })),
    environImpact: [
      { category: 'NUCLEAR_WASTE', amount: country.grid.nuclearWaste },
      { category: 'CARBON_DIOXIDE', amount: country.grid.co2 },
    ],
    supplierName: 'Voltara Energy',
    energyProductName: 'Grid mix',
  };
}

type ConnectorSpec = Omit<Connector, 'id' | 'lastUpdated' | 'tariffIds'> & { cls: ChargerClass };

function acSpec(rng: Prng, cableShare: number): ConnectorSpec {
  const amps = rng.chance(0.6) ? 32 : 16;
  return {
    standard: 'IEC_62196_T2',
    format: rng.chance(cableShare) ? 'CABLE' : 'SOCKET',
    powerType: 'AC_3_PHASE',
    maxVoltage: 230,
    maxAmperage: amps,
    maxElectricPower: 230 * amps * 3,
    cls: 'AC',
  };
}

/** The connectors of one DC EVSE: a CCS cable, plus a CHAdeMO cable on the smaller units. */
function dcSpecs(rng: Prng, kw: 50 | 150 | 300 | 350): ConnectorSpec[] {
  const ccs = (maxVoltage: number, maxAmperage: number, cls: ChargerClass): ConnectorSpec => ({
    standard: 'IEC_62196_T2_COMBO',
    format: 'CABLE',
    powerType: 'DC',
    maxVoltage,
    maxAmperage,
    maxElectricPower: kw * 1000,
    cls,
  });
  const chademo: ConnectorSpec = {
    standard: 'CHADEMO',
    format: 'CABLE',
    powerType: 'DC',
    maxVoltage: 500,
    maxAmperage: 125,
    maxElectricPower: 50_000,
    cls: 'DC',
  };
  switch (kw) {
    case 50:
      return [ccs(rng.chance(0.5) ? 400 : 500, 125, 'DC'), chademo];
    case 150:
      return rng.chance(0.5) ? [ccs(920, 200, 'DC'), chademo] : [ccs(920, 200, 'DC')];
    case 300:
      return [ccs(920, 400, 'HPC')];
    case 350:
      return [ccs(920, 500, 'HPC')];
  }
}

interface EvsePlan {
  specs: ConnectorSpec[];
  dc: boolean;
}

function planEvses(rng: Prng, kind: SiteKind): EvsePlan[] {
  const plans: EvsePlan[] = [];
  const ac = (n: number, cableShare: number) => {
    for (let i = 0; i < n; i++) plans.push({ specs: [acSpec(rng, cableShare)], dc: false });
  };
  const dc = (n: number, powers: readonly (50 | 150 | 300 | 350)[]) => {
    const kw = rng.pick(powers); // one model per site
    for (let i = 0; i < n; i++) plans.push({ specs: dcSpecs(rng, kw), dc: true });
  };
  switch (kind) {
    case 'street':
      ac(rng.int(2, 4), 0.05);
      break;
    case 'garage':
      ac(rng.int(4, 10), 0.3);
      if (rng.chance(0.6)) dc(rng.int(1, 2), [50, 150]);
      break;
    case 'underground':
      ac(rng.int(4, 8), 0.5);
      break;
    case 'lot':
      ac(rng.int(2, 6), 0.2);
      dc(rng.int(2, 4), [50, 150]);
      break;
    case 'hub':
      dc(rng.int(4, 8), [150, 300, 350]);
      if (rng.chance(0.5)) ac(2, 0);
      break;
  }
  return plans;
}

function capabilities(rng: Prng, dc: boolean, socket: boolean): Capability[] {
  const caps: Capability[] = ['RFID_READER', 'REMOTE_START_STOP_CAPABLE'];
  if (socket) caps.push('UNLOCK_CAPABLE');
  if (rng.chance(dc ? 0.8 : 0.5)) caps.push('CHARGING_PROFILE_CAPABLE');
  if (rng.chance(dc ? 0.4 : 0.2)) caps.push('CHARGING_PREFERENCES_CAPABLE');
  if (rng.chance(dc ? 0.25 : 0.35)) caps.push('RESERVABLE');
  if (dc && rng.chance(0.6))
    caps.push('CREDIT_CARD_PAYABLE', 'DEBIT_CARD_PAYABLE', 'CONTACTLESS_CARD_SUPPORT');
  if (dc && rng.chance(0.2)) caps.push('PED_TERMINAL');
  if (rng.chance(0.15)) caps.push('TOKEN_GROUP_CAPABLE');
  return sortCapabilities(caps);
}

function floorLevel(rng: Prng, kind: SiteKind): string | undefined {
  if (kind === 'underground') return rng.pick(['-1', '-2']);
  if (kind === 'garage') return rng.pick(['0', '1', '2', '3']);
  return undefined;
}

/**
 * Builds the catalogue: one Location per site in places.ts, owned by `cpo`, all timestamps whole seconds
 * before `windowStart` (the locations existed before the sessions window).
 */
export function buildCatalogue(cpo: Party, windowStart: number): Catalogue {
  const rng = new Prng(CATALOGUE_SEED);
  const cc = cpo.countryCode.toUpperCase();
  const pid = cpo.partyId.toUpperCase();
  const base = Math.floor(windowStart / SECOND) * SECOND;
  const logo = {
    url: `${WEBSITE}/img/logo-512.png`,
    thumbnail: `${WEBSITE}/img/logo-128.png`,
    category: 'OPERATOR' as const,
    type: 'png',
    width: 512,
    height: 512,
  };
  const locations: Location[] = [];
  const slots: Slot[] = [];
  let serial = 1000;
  SITES.forEach((site: Site, index) => {
    const country = COUNTRIES[site.cc]!;
    const created = base - rng.int(30, 700) * DAY - rng.int(0, 86_399) * SECOND;
    const spanSeconds = (base - SECOND - created) / SECOND;
    const stamp = () => created + rng.int(0, spanSeconds) * SECOND;
    const lat = site.lat + rng.range(-0.0004, 0.0004);
    const lon = site.lon + rng.range(-0.0004, 0.0004);
    const houseNumber = rng.int(1, 220);
    const address = country.numberFirst ? `${houseNumber} ${site.street}` : `${site.street} ${houseNumber}`;
    const id = `${site.cc}-${site.cityCode}-${String(index + 1).padStart(3, '0')}`;
    const popularity = POPULARITY[site.kind] * rng.range(0.5, 1.5);
    const floor = floorLevel(rng, site.kind);

    const evses: Evse[] = [];
    const pending: Omit<Slot, 'location'>[] = [];
    planEvses(rng, site.kind).forEach((plan, n) => {
      serial += rng.int(1, 7);
      const number = `E${String(serial).padStart(6, '0')}`;
      const connectors: Connector[] = plan.specs.map(({ cls, ...spec }, c) => ({
        id: String(c + 1),
        ...spec,
        tariffIds: [tariffId(site.cc, cls)],
        lastUpdated: stamp(),
      }));
      const evseStamp = Math.max(stamp(), ...connectors.map((c) => c.lastUpdated));
      const evseFloor = plan.dc && site.kind === 'garage' ? '0' : floor; // fast chargers at street level
      const evse: Evse = {
        uid: `${cc}${pid}${number}`,
        evseId: `${cc}*${pid}*${number}`,
        status: CATALOGUE_STATUS.sample(rng),
        statusSchedule: [],
        capabilities: capabilities(
          rng,
          plan.dc,
          plan.specs.some((s) => s.format === 'SOCKET'),
        ),
        connectors,
        ...(evseFloor !== undefined ? { floorLevel: evseFloor } : {}),
        coordinates: {
          latitude: coord(lat + rng.range(-0.00025, 0.00025)),
          longitude: coord(lon + rng.range(-0.00025, 0.00025)),
        },
        physicalReference: String(n + 1),
        directions:
          evseFloor !== undefined
            ? [
                {
                  language: 'en',
                  text: `Level ${evseFloor}, bay ${n + 1}: follow the green EV charging signs`,
                },
              ]
            : [],
        parkingRestrictions: (site.kind === 'lot'
          ? ['EV_ONLY', 'CUSTOMERS']
          : ['EV_ONLY']) as ParkingRestriction[],
        images: [],
        lastUpdated: evseStamp,
      };
      evses.push(evse);
      const meterId =
        site.cc === 'DE' || rng.chance(0.7)
          ? `${plan.dc ? 'DCM' : 'ACM'}-${rng.hexUpper(4)}-${rng.digits(8)}`
          : undefined;
      const evseWeight = popularity * rng.range(0.7, 1.3);
      connectors.forEach((connector, c) => {
        const spec = plan.specs[c]!;
        const share = connectors.length === 1 ? 1 : connector.standard === 'CHADEMO' ? 0.1 : 0.9;
        pending.push({
          evse,
          connector,
          country,
          tariff: DEMO_TARIFFS.get(tariffId(site.cc, spec.cls))!,
          chargerClass: spec.cls,
          maxKw: (connector.maxElectricPower ?? connector.maxVoltage * connector.maxAmperage) / 1000,
          kind: site.kind,
          ...(meterId !== undefined ? { meterId } : {}),
          reservable: evse.capabilities.includes('RESERVABLE'),
          weight: evseWeight * share,
        });
      });
    });

    const facilities = [...FACILITY_POOL[site.kind]];
    const chosen: Facility[] = [];
    for (let k = rng.int(0, 3); k > 0 && facilities.length > 0; k--) {
      chosen.push(facilities.splice(rng.int(0, facilities.length - 1), 1)[0]!);
    }
    const regular = (site.kind === 'garage' || site.kind === 'lot') && rng.chance(0.4);
    const mixRoll = rng.next();
    const energyMix =
      site.cc === 'NO' || mixRoll < 0.35 ? greenMix() : mixRoll < 0.6 ? gridMix(country) : undefined;
    const operator: BusinessDetails = { name: country.operatorName, website: WEBSITE, logo };
    const ownerName =
      site.kind === 'garage' || site.kind === 'underground'
        ? `${site.city} City Parking`
        : site.kind === 'lot'
          ? `${site.street} Retail Park`
          : undefined;
    const name =
      site.kind === 'street'
        ? `${site.city} ${site.street}`
        : site.kind === 'hub'
          ? `${site.city} Fast Charging Hub`
          : site.kind === 'lot'
            ? `${site.street} Retail Park`
            : `Parking ${site.street}`;

    const location: Location = {
      countryCode: cc,
      partyId: pid,
      id,
      publish: true,
      type: LOCATION_TYPE[site.kind],
      name,
      address,
      city: site.city,
      postalCode: site.postalCode,
      country: country.alpha3,
      coordinates: { latitude: coord(lat), longitude: coord(lon) },
      relatedLocations: [],
      evses,
      directions: [],
      operator,
      ...(ownerName !== undefined ? { owner: { name: ownerName } } : {}),
      facilities: chosen.sort((a, b) => order(FACILITIES, a) - order(FACILITIES, b)),
      timeZone: country.timeZone,
      openingTimes: regular
        ? regularHours()
        : { twentyfourseven: true, regularHours: [], exceptionalOpenings: [], exceptionalClosings: [] },
      ...(regular ? { chargingWhenClosed: true } : {}),
      images: [],
      ...(energyMix !== undefined ? { energyMix } : {}),
      lastUpdated: Math.max(created, ...evses.map((e) => e.lastUpdated)),
    };
    locations.push(location);
    for (const p of pending) slots.push({ location, ...p });
  });
  return { locations, slots };
}
