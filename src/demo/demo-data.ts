// Deterministic demo charging sessions in the canonical model (src/domain/session.ts).
//
// Pure: no clock, no Math.random, no I/O. The same options always yield the same sessions (and the first
// N sessions of a run do not depend on `count`). Sessions are streamed one at a time, so millions can be
// generated without holding them; the location catalogue (demo/catalogue.ts) is built once per run.
//
// Each session gets its own Location, EVSE and Connector objects, but the arrays and objects inside them
// (capabilities, tariffIds, facilities, openingTimes, energyMix, operator, ...) are shared between the
// sessions of one run: treat them as read-only.
import type { AuthMethod, EvseStatus, SessionStatus, TokenType } from '../domain/enums.js';
import type { Evse, Location } from '../domain/location.js';
import type { CdrDimension, CdrToken, ChargingPeriod, Price, Session } from '../domain/session.js';
import { buildCatalogue } from './catalogue.js';
import type { Slot } from './catalogue.js';
import { DEMO_TARIFFS } from './places.js';
import type { DemoTariff } from './places.js';
import { Prng, Weighted, hash32, hex8, mix32 } from './prng.js';

export { DEMO_TARIFFS };
export type { DemoTariff };

export interface DemoParty {
  countryCode: string;
  partyId: string;
}

export interface DemoOptions {
  /** Number of sessions. */
  count: number;
  /** PRNG seed (a safe integer); the same options give byte-identical output. */
  seed: number;
  /** Token owners; sessions are spread over them in shuffled rounds (each gets count/n, ±1). */
  emsps: DemoParty[];
  /** Our CPO: Session.countryCode/partyId and the owner of every Location. */
  cpo: DemoParty;
  /** Epoch ms; every session's lastUpdated lies in [now - 90 days, now). */
  now: number;
}

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Sessions lie in [now - DEMO_WINDOW_MS, now). */
export const DEMO_WINDOW_MS = 90 * DAY;

/** Tokens per eMSP: drivers come back, so cdrTokens repeat across sessions. */
const DRIVERS_PER_EMSP = 4000;
/** ACTIVE / PENDING / RESERVATION sessions started at most this long before `now`. */
const RECENT_MS = 6 * HOUR;
const MAX_SEGMENTS = 96;

const STATUS = new Weighted<SessionStatus>([
  ['COMPLETED', 86],
  ['ACTIVE', 5],
  ['INVALID', 3],
  ['PENDING', 3],
  ['RESERVATION', 3],
]);
const AUTH = new Weighted<AuthMethod>([
  ['AUTH_REQUEST', 55],
  ['WHITELIST', 25],
  ['COMMAND', 20],
]);
const AUTH_PENDING = new Weighted<AuthMethod>([
  ['AUTH_REQUEST', 70],
  ['COMMAND', 30],
]);
const TOKEN_TYPE: Record<AuthMethod, Weighted<TokenType>> = {
  AUTH_REQUEST: new Weighted<TokenType>([
    ['RFID', 85],
    ['OTHER', 10],
    ['AD_HOC_USER', 5],
  ]),
  WHITELIST: new Weighted<TokenType>([
    ['RFID', 95],
    ['OTHER', 5],
  ]),
  COMMAND: new Weighted<TokenType>([
    ['APP_USER', 85],
    ['AD_HOC_USER', 15],
  ]),
};
/** On-board AC charger of the car, kW. */
const CAR_AC_KW = new Weighted<number>([
  [3.7, 5],
  [7.4, 25],
  [11, 60],
  [22, 10],
]);
/** Peak DC charging power of the car, kW. */
const CAR_DC_KW = new Weighted<number>([
  [50, 10],
  [100, 20],
  [135, 25],
  [170, 25],
  [250, 20],
]);
/** Local start hour of short daytime sessions, and of long (overnight) kerbside sessions. */
const DAY_HOURS = new Weighted<number>(
  [1, 0.6, 0.4, 0.3, 0.3, 0.6, 1.5, 3, 5, 5, 4.5, 4.5, 5, 4.5, 4.5, 4.5, 5, 6, 6, 5, 4, 3, 2, 1.4].map(
    (w, h) => [h, w] as const,
  ),
);
const EVENING_HOURS = new Weighted<number>(
  [1, 0.5, 0.2, 0.2, 0.2, 0.3, 0.6, 1, 1.5, 1.5, 1.2, 1, 1, 1, 1, 1.5, 3, 5, 7, 8, 7, 5, 3, 2].map(
    (w, h) => [h, w] as const,
  ),
);

// ---------------------------------------------------------------------------------------------------

/** Validates the options eagerly, then returns the lazy session stream. */
export function generateDemoSessions(opts: DemoOptions): Generator<Session> {
  if (!Number.isSafeInteger(opts.count) || opts.count < 0 || opts.count > 0xffff_ffff) {
    throw new RangeError('count must be an integer in [0, 2^32)');
  }
  if (!Number.isSafeInteger(opts.seed)) throw new RangeError('seed must be a safe integer');
  if (!Number.isFinite(opts.now)) throw new RangeError('now must be a finite epoch-millisecond value');
  if (opts.emsps.length === 0) throw new RangeError('at least one eMSP is required');
  for (const p of [opts.cpo, ...opts.emsps]) checkParty(p);
  return run(opts);
}

/** The full demo catalogue (all EVSEs and connectors) that sessions generated with `cpo`/`now` refer to. */
export function buildDemoLocations(cpo: DemoParty, now: number): Location[] {
  checkParty(cpo);
  return buildCatalogue(cpo, windowOf(now).earliest).locations;
}

function checkParty(p: DemoParty): void {
  if (!/^[A-Za-z]{2}$/.test(p.countryCode) || !/^[A-Za-z0-9]{3}$/.test(p.partyId)) {
    throw new RangeError(
      `invalid party ${JSON.stringify(p)}: countryCode is 2 letters, partyId 3 alphanumerics`,
    );
  }
}

/** Whole-second bounds of the window [now - 90 days, now): both inclusive. */
function windowOf(now: number): { earliest: number; latest: number } {
  return {
    earliest: Math.ceil((now - DEMO_WINDOW_MS) / SECOND) * SECOND,
    latest: Math.ceil(now / SECOND) * SECOND - SECOND,
  };
}

function* run(opts: DemoOptions): Generator<Session> {
  const factory = new SessionFactory(opts);
  for (let i = 0; i < opts.count; i++) yield factory.make(i);
}

// ---------------------------------------------------------------------------------------------------

interface Driver {
  rfidUid: string;
  appUid: string;
  contractId: string;
}

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A simple check character over the eMA-ID (illustrative; not the DIN SPEC 91286 algorithm). */
function checkChar(s: string): string {
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum = (sum + s.charCodeAt(i) * (i + 7)) % 36;
  return ALNUM[sum]!;
}

const round2 = (x: number): number => Math.round(x * 100 + 1e-7) / 100;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;
/** Whole seconds → units of 0.0001 h (0.36 s), rounded; never a tie, since 25s/9 is never k + 0.5. */
const hourUnits = (seconds: number): number => Math.round((seconds * 25) / 9);

class SessionFactory {
  private readonly rng: Prng;
  private readonly seed: number;
  private readonly idKey: number;
  private readonly cpo: DemoParty;
  private readonly emsps: DemoParty[];
  private readonly earliest: number;
  private readonly latest: number;
  private readonly allSlots: Weighted<Slot>;
  private readonly reservableSlots: Weighted<Slot>;
  private readonly drivers: (Driver | undefined)[][];
  private readonly order: number[];
  private orderPos: number;

  // Scratch segments of the session being built: offsets/lengths in seconds, energy in Wh.
  private readonly segOff = new Int32Array(MAX_SEGMENTS);
  private readonly segLen = new Int32Array(MAX_SEGMENTS);
  private readonly segWh = new Float64Array(MAX_SEGMENTS);
  private readonly segPark = new Uint8Array(MAX_SEGMENTS);
  private nSeg = 0;
  // Totals of the periods last built by periods(): Wh, and TIME / PARKING_TIME in 0.0001 h units.
  private totalWh = 0;
  private timeUnits = 0;
  private parkUnits = 0;

  constructor(opts: DemoOptions) {
    this.rng = new Prng(opts.seed);
    this.seed = opts.seed;
    this.idKey = hash32(opts.seed, 0x1d5eed);
    this.cpo = { countryCode: opts.cpo.countryCode.toUpperCase(), partyId: opts.cpo.partyId.toUpperCase() };
    this.emsps = opts.emsps.map((e) => ({
      countryCode: e.countryCode.toUpperCase(),
      partyId: e.partyId.toUpperCase(),
    }));
    const w = windowOf(opts.now);
    this.earliest = w.earliest;
    this.latest = w.latest;
    const { slots } = buildCatalogue(this.cpo, this.earliest);
    this.allSlots = new Weighted(slots.map((s) => [s, s.weight] as const));
    const reservable = slots.filter((s) => s.reservable);
    this.reservableSlots =
      reservable.length > 0 ? new Weighted(reservable.map((s) => [s, s.weight] as const)) : this.allSlots;
    this.drivers = this.emsps.map(() => new Array<Driver | undefined>(DRIVERS_PER_EMSP));
    this.order = this.emsps.map((_, k) => k);
    this.orderPos = this.order.length;
  }

  make(index: number): Session {
    const rng = this.rng;
    const emspIndex = this.nextEmsp();
    const emsp = this.emsps[emspIndex]!;
    const status = STATUS.sample(rng);
    const slot = (status === 'RESERVATION' ? this.reservableSlots : this.allSlots).sample(rng);
    const authMethod: AuthMethod =
      status === 'RESERVATION'
        ? 'COMMAND'
        : status === 'PENDING'
          ? AUTH_PENDING.sample(rng)
          : AUTH.sample(rng);
    const cdrToken = this.token(emspIndex, emsp, authMethod);
    const id = this.sessionId(index);
    const tariff = slot.tariff;

    let start: number;
    let end: number | undefined;
    let lastUpdated: number;
    let chargingPeriods: ChargingPeriod[] = [];
    this.totalWh = 0;
    let totalCost: Price | undefined;
    let evseStatus: EvseStatus | undefined; // override of the catalogue status in the snapshot

    switch (status) {
      case 'COMPLETED': {
        const tod = this.simulate(slot);
        const total = this.totalSeconds();
        const lag = this.updateLag();
        start = this.pickStart((total + lag) * SECOND, slot.country.utcOffsetHours, tod);
        end = start + total * SECOND;
        lastUpdated = end + lag * SECOND;
        chargingPeriods = this.periods(start, tariff.id);
        totalCost = this.cost(tariff);
        break;
      }
      case 'INVALID': {
        let duration: number;
        if (rng.chance(0.5)) {
          this.nSeg = 0; // e.g. rejected token or EV error: no energy
          duration = rng.int(20, 600);
        } else {
          this.simulate(slot);
          duration = this.cutAt(rng.int(120, 1800));
        }
        const lag = this.updateLag();
        start = this.pickStart((duration + lag) * SECOND, slot.country.utcOffsetHours, DAY_HOURS);
        end = start + duration * SECOND;
        lastUpdated = end + lag * SECOND;
        chargingPeriods = this.periods(start, tariff.id);
        if (rng.chance(0.5)) totalCost = { exclVat: 0, inclVat: 0 }; // not billed
        break;
      }
      case 'ACTIVE': {
        this.simulate(slot);
        const planned = this.totalSeconds();
        const cap = Math.min(planned, RECENT_MS / SECOND);
        const elapsed = this.cutAt(rng.int(Math.min(120, cap), cap));
        lastUpdated = this.latest - rng.int(0, 120) * SECOND;
        start = lastUpdated - elapsed * SECOND;
        chargingPeriods = this.periods(start, tariff.id);
        if (rng.chance(0.85)) totalCost = this.cost(tariff);
        evseStatus = 'CHARGING';
        break;
      }
      case 'PENDING': {
        start = this.latest - rng.int(10, 3 * 3600) * SECOND;
        lastUpdated = Math.min(this.latest, start + rng.int(0, 60) * SECOND);
        if (rng.chance(0.3)) totalCost = { exclVat: 0, inclVat: 0 };
        evseStatus = 'CHARGING'; // occupied: the EV is connected, authorization is pending
        break;
      }
      case 'RESERVATION': {
        evseStatus = 'RESERVED';
        if (rng.chance(0.5)) {
          // Running reservation, billed by the hour: one RESERVATION_TIME period.
          const elapsed = rng.int(60, 1800);
          lastUpdated = this.latest - rng.int(0, 120) * SECOND;
          start = lastUpdated - elapsed * SECOND;
          const units = hourUnits(elapsed);
          chargingPeriods = [
            {
              startDateTime: start,
              dimensions: [{ type: 'RESERVATION_TIME', volume: units / 10_000 }],
              tariffId: tariff.id,
            },
          ];
          totalCost = this.price((units / 10_000) * tariff.reservationPerHour, tariff);
        } else {
          start = this.latest - rng.int(60, 1800) * SECOND;
          lastUpdated = start + rng.int(0, 5) * SECOND;
        }
        break;
      }
    }

    const session: Session = {
      countryCode: this.cpo.countryCode,
      partyId: this.cpo.partyId,
      id,
      startDateTime: start,
      kwh: this.totalWh / 1000,
      cdrToken,
      authMethod,
      locationId: slot.location.id,
      evseUid: slot.evse.uid,
      connectorId: slot.connector.id,
      location: this.snapshot(slot, evseStatus, start),
      currency: tariff.currency,
      chargingPeriods,
      status,
      lastUpdated,
    };
    if (end !== undefined) session.endDateTime = end;
    if (authMethod !== 'WHITELIST') session.authorizationReference = rng.hexUpper(24);
    if (slot.meterId !== undefined) session.meterId = slot.meterId;
    if (totalCost !== undefined) session.totalCost = totalCost;
    return session;
  }

  /** Shuffled round robin: every block of n sessions covers each eMSP once, in random order. */
  private nextEmsp(): number {
    const order = this.order;
    if (this.orderPos >= order.length) {
      for (let k = order.length - 1; k > 0; k--) {
        const j = this.rng.int(0, k);
        const t = order[k]!;
        order[k] = order[j]!;
        order[j] = t;
      }
      this.orderPos = 0;
    }
    return order[this.orderPos++]!;
  }

  /** UUID-shaped (36 chars); the first group is a bijection of the index, so ids never repeat in a run. */
  private sessionId(index: number): string {
    const a = hex8(mix32((index ^ this.idKey) >>> 0));
    const b = hex8(this.rng.u32());
    const c = this.rng.u32();
    const cHex = hex8(c);
    const d = hex8(this.rng.u32());
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${'89ab'[c >>> 30]}${cHex.slice(1, 4)}-${cHex.slice(4, 8)}${d}`;
  }

  private driver(emspIndex: number, emsp: DemoParty): Driver {
    const u = this.rng.next();
    const j = Math.floor(u * u * DRIVERS_PER_EMSP); // some drivers charge far more often than others
    const cache = this.drivers[emspIndex]!;
    const known = cache[j];
    if (known !== undefined) return known;
    // Each driver has its own PRNG stream, so a driver's tokens do not depend on when it first appears.
    const r = new Prng(hash32(this.seed, emspIndex, j, 0xd1));
    const body = `${emsp.countryCode.toUpperCase()}-${emsp.partyId.toUpperCase()}-C${r.digits(8)}`;
    const driver: Driver = {
      rfidUid: r.hexUpper(r.chance(0.7) ? 14 : 8), // 7-byte or 4-byte NFC UID
      appUid: r.hexUpper(16),
      contractId: `${body}-${checkChar(body)}`,
    };
    cache[j] = driver;
    return driver;
  }

  private token(emspIndex: number, emsp: DemoParty, authMethod: AuthMethod): CdrToken {
    const type = TOKEN_TYPE[authMethod].sample(this.rng);
    if (type === 'AD_HOC_USER') {
      const uid = `ADHOC${this.rng.hexUpper(16)}`;
      return { countryCode: emsp.countryCode, partyId: emsp.partyId, uid, type, contractId: uid };
    }
    const d = this.driver(emspIndex, emsp);
    const uid = type === 'RFID' ? d.rfidUid : type === 'APP_USER' ? d.appUid : d.contractId.replace(/-/g, '');
    return { countryCode: emsp.countryCode, partyId: emsp.partyId, uid, type, contractId: d.contractId };
  }

  /** Seconds between the end of a completed session and its final update. */
  private updateLag(): number {
    const r = this.rng.next();
    if (r < 0.7) return this.rng.int(1, 60);
    if (r < 0.95) return this.rng.int(60, 1800);
    return this.rng.int(3600, 36 * 3600); // late correction, e.g. a re-priced session
  }

  /**
   * A start instant (whole seconds) with a realistic local time of day, such that `[start, start + span]`
   * lies inside the window.
   */
  private pickStart(spanMs: number, utcOffsetHours: number, hours: Weighted<number>): number {
    const rng = this.rng;
    const lo = this.earliest;
    const hi = this.latest - spanMs;
    if (hi <= lo) return lo;
    const day0 = Math.floor(lo / DAY) * DAY;
    for (let attempt = 0; attempt < 8; attempt++) {
      const local = hours.sample(rng) * 3600 + rng.int(0, 3599);
      const t = day0 + rng.int(0, 90) * DAY + local * SECOND - utcOffsetHours * HOUR;
      if (t >= lo && t <= hi) return t;
    }
    return lo + rng.int(0, (hi - lo) / SECOND) * SECOND;
  }

  // --- charging simulation: fills the scratch segments, returns the time-of-day table to use -------------

  private simulate(slot: Slot): Weighted<number> {
    this.nSeg = 0;
    if (slot.chargerClass === 'AC') return this.simulateAc(slot);
    this.simulateDc(slot);
    return DAY_HOURS;
  }

  private push(off: number, len: number, wh: number, park: boolean): void {
    const n = this.nSeg;
    if (n >= MAX_SEGMENTS) throw new Error('demo-data: too many charging periods');
    this.segOff[n] = off;
    this.segLen[n] = len;
    this.segWh[n] = wh;
    this.segPark[n] = park ? 1 : 0;
    this.nSeg = n + 1;
  }

  /** A period every 15–30 min; a remainder under 2 min is folded into the period before it. */
  private nextPeriodLength(t: number, chargeEnd: number): number {
    const len = this.rng.int(900, 1800);
    return chargeEnd - (t + len) < 120 ? chargeEnd - t : len;
  }

  private simulateAc(slot: Slot): Weighted<number> {
    const rng = this.rng;
    const long = rng.chance(slot.kind === 'street' ? 0.45 : 0.2);
    const plug = long ? rng.int(3 * 3600, 12 * 3600) : rng.int(40 * 60, 3 * 3600);
    const kw = Math.min(CAR_AC_KW.sample(rng), slot.maxKw) * rng.range(0.88, 0.98);
    const battery = rng.range(30, 100);
    const need = Math.max(2, battery * (rng.range(0.8, 1) - rng.range(0.1, 0.7)));
    const full = Math.ceil((need / kw) * 3600);
    let charge = Math.min(plug, full);
    let park = plug - charge;
    if (park < 120) {
      charge = plug;
      park = 0;
    }
    for (let t = 0; t < charge;) {
      const len = this.nextPeriodLength(t, charge);
      const last = t + len >= charge && park > 0;
      const p = kw * rng.range(0.97, 1.03) * (last ? 0.8 : 1); // the car tapers off when nearly full
      this.push(t, len, Math.round((p * len) / 3.6), false);
      t += len;
    }
    if (park > 0) this.push(charge, park, 0, true);
    return long ? EVENING_HOURS : DAY_HOURS;
  }

  private simulateDc(slot: Slot): void {
    const rng = this.rng;
    const peak = Math.min(CAR_DC_KW.sample(rng), slot.maxKw) * rng.range(0.85, 0.97);
    const battery = rng.range(40, 100);
    let soc = rng.range(0.05, 0.5);
    const target = rng.range(0.7, 0.95);
    const maxSeconds = 90 * 60;
    let t = 0;
    let segStart = 0;
    let segEnd = rng.int(900, 1800);
    let wh = 0;
    // Integrate a simple charging curve minute by minute: full power up to 50 % SoC, then tapering.
    while (soc < target && t < maxSeconds) {
      const kw = peak * (soc < 0.5 ? 1 : Math.max(0.25, 1 - 1.5 * (soc - 0.5)));
      let step = Math.min(60, segEnd - t);
      const needed = (((target - soc) * battery) / kw) * 3600;
      if (needed < step) step = Math.max(1, Math.ceil(needed));
      const kwh = (kw * step) / 3600;
      soc += kwh / battery;
      wh += kwh * 1000;
      t += step;
      if (t >= segEnd) {
        this.push(segStart, t - segStart, Math.round(wh), false);
        segStart = t;
        segEnd = t + rng.int(900, 1800);
        wh = 0;
      }
    }
    if (t > segStart) {
      const n = this.nSeg;
      if (n > 0 && t - segStart < 120) {
        this.segLen[n - 1] = this.segLen[n - 1]! + (t - segStart);
        this.segWh[n - 1] = this.segWh[n - 1]! + Math.round(wh);
      } else {
        this.push(segStart, t - segStart, Math.round(wh), false);
      }
    }
    if (rng.chance(0.15)) this.push(t, rng.int(120, 900), 0, true); // driver back late: idle time
  }

  private totalSeconds(): number {
    const n = this.nSeg;
    return n === 0 ? 0 : this.segOff[n - 1]! + this.segLen[n - 1]!;
  }

  /** Truncates the segments at `elapsed` seconds (a snapshot of an ongoing session); returns the real cut. */
  private cutAt(elapsed: number): number {
    for (let k = 0; k < this.nSeg; k++) {
      const off = this.segOff[k]!;
      const len = this.segLen[k]!;
      if (elapsed >= off + len) continue;
      if (elapsed - off < 60 && k > 0) {
        this.nSeg = k; // too little of this period to report yet
        return off;
      }
      const kept = elapsed - off;
      this.segWh[k] = Math.round((this.segWh[k]! * kept) / len);
      this.segLen[k] = kept;
      this.nSeg = k + 1;
      return elapsed;
    }
    return this.totalSeconds();
  }

  /**
   * The scratch segments as ChargingPeriods starting at `start`. Times are rounded cumulatively to 0.0001 h,
   * so the TIME/PARKING_TIME volumes add up exactly to the rounded session duration; energy is whole Wh.
   */
  private periods(start: number, tariffId: string): ChargingPeriod[] {
    const periods: ChargingPeriod[] = [];
    let prevUnits = 0;
    let wh = 0;
    this.timeUnits = 0;
    this.parkUnits = 0;
    for (let k = 0; k < this.nSeg; k++) {
      const off = this.segOff[k]!;
      const units = hourUnits(off + this.segLen[k]!);
      const d = units - prevUnits;
      prevUnits = units;
      let dimensions: CdrDimension[];
      if (this.segPark[k] === 1) {
        this.parkUnits += d;
        dimensions = [{ type: 'PARKING_TIME', volume: d / 10_000 }];
      } else {
        const e = this.segWh[k]!;
        wh += e;
        this.timeUnits += d;
        dimensions = [
          { type: 'ENERGY', volume: e / 1000 },
          { type: 'TIME', volume: d / 10_000 },
          { type: 'POWER', volume: round3((e * 10) / d) },
        ];
      }
      periods.push({ startDateTime: start + off * SECOND, dimensions, tariffId });
    }
    this.totalWh = wh;
    return periods;
  }

  /** Cost of the periods last built by `periods()`: energy + charging time + parking time. */
  private cost(tariff: DemoTariff): Price {
    const excl =
      (this.totalWh / 1000) * tariff.energyPerKwh +
      (this.timeUnits / 10_000) * tariff.timePerHour +
      (this.parkUnits / 10_000) * tariff.parkingPerHour;
    return this.price(excl, tariff);
  }

  private price(excl: number, tariff: DemoTariff): Price {
    const exclVat = round2(excl);
    return { exclVat, inclVat: round2(exclVat * (1 + tariff.vat)) };
  }

  /** The session's Location: only its EVSE with only its Connector (OCPI 2.1.1 Session.location). */
  private snapshot(slot: Slot, status: EvseStatus | undefined, start: number): Location {
    const evse: Evse = { ...slot.evse, connectors: [{ ...slot.connector }] };
    if (status !== undefined) {
      evse.status = status;
      evse.lastUpdated = Math.max(evse.lastUpdated, start);
    }
    return {
      ...slot.location,
      evses: [evse],
      lastUpdated: Math.max(slot.location.lastUpdated, evse.lastUpdated),
    };
  }
}
