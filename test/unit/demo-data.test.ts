// The deterministic demo-session generator: determinism, coverage of the enums, and the internal
// consistency of every generated session (periods vs kWh and duration, location narrowing, time window).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AUTH_METHODS, SESSION_STATUSES, TOKEN_TYPES } from '../../src/domain/enums.js';
import type { Session } from '../../src/domain/session.js';
import {
  DEMO_TARIFFS,
  buildDemoLocations,
  generateDemoSessions,
  type DemoOptions,
} from '../../src/demo/demo-data.js';

const NOW = Date.UTC(2025, 5, 1, 10, 30, 15, 250); // deliberately not on a whole second
const WINDOW = 90 * 86_400_000;
const CPO = { countryCode: 'NL', partyId: 'OCS' };
const EMSPS = [
  { countryCode: 'NL', partyId: 'EMS' },
  { countryCode: 'DE', partyId: 'EMP' },
  { countryCode: 'FR', partyId: 'MSP' },
  { countryCode: 'BE', partyId: 'B2C' },
];
const OPTS: DemoOptions = { count: 1000, seed: 20250601, emsps: EMSPS, cpo: CPO, now: NOW };
const all = (o: Partial<DemoOptions> = {}): Session[] => [...generateDemoSessions({ ...OPTS, ...o })];
const SESSIONS = all();

const COORD = /^-?\d{1,3}\.\d{6}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const EMAID = /^[A-Z]{2}-[A-Z0-9]{3}-C[A-Z0-9]{8}-[A-Z0-9]$/;
const EVSE_ID = /^[A-Z]{2}\*[A-Z0-9]{3}\*E[A-Z0-9]{1,30}$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** Rough bounding boxes [minLat, maxLat, minLon, maxLon] of the countries the catalogue uses. */
const BBOX: Record<string, [number, number, number, number]> = {
  NLD: [50.75, 53.7, 3.3, 7.3],
  DEU: [47.2, 55.1, 5.8, 15.1],
  FRA: [41.3, 51.1, -5.2, 9.6],
  BEL: [49.5, 51.55, 2.5, 6.45],
  NOR: [57.9, 71.3, 4.4, 31.2],
  GBR: [49.8, 60.9, -8.7, 1.8],
  SWE: [55.3, 69.1, 10.9, 24.2],
  DNK: [54.5, 57.8, 8.0, 15.2],
};
const TIME_ZONE: Record<string, string> = {
  NLD: 'Europe/Amsterdam',
  DEU: 'Europe/Berlin',
  FRA: 'Europe/Paris',
  BEL: 'Europe/Brussels',
  NOR: 'Europe/Oslo',
  GBR: 'Europe/London',
  SWE: 'Europe/Stockholm',
  DNK: 'Europe/Copenhagen',
};

/** Hours → units of 0.0001 h, the precision of TIME/PARKING_TIME volumes. */
const units = (hours: number): number => Math.round(hours * 10_000);
const spanUnits = (fromMs: number, toMs: number): number => Math.round(((toMs - fromMs) / 1000) * (25 / 9));
const volumes = (s: Session, type: string): number[] =>
  s.chargingPeriods.flatMap((p) => p.dimensions.filter((d) => d.type === type).map((d) => d.volume));
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const is2dp = (x: number): boolean => Math.round(x * 100) / 100 === x;

describe('demo data: determinism', () => {
  it('gives identical JSON for identical options', () => {
    assert.equal(JSON.stringify(all({ count: 300 })), JSON.stringify(all({ count: 300 })));
  });

  it('gives different sessions for a different seed', () => {
    const a = all({ count: 50 });
    const b = all({ count: 50, seed: OPTS.seed + 1 });
    assert.notEqual(JSON.stringify(a), JSON.stringify(b));
    assert.ok(a.every((s, i) => s.id !== b[i]!.id));
  });

  it('yields a prefix of the longer run for a smaller count', () => {
    assert.equal(JSON.stringify(all({ count: 120 })), JSON.stringify(SESSIONS.slice(0, 120)));
  });

  it('is lazy: the generator can be stopped early', () => {
    const it = generateDemoSessions({ ...OPTS, count: 1_000_000 });
    const first = it.next();
    assert.equal(first.done, false);
    assert.equal(JSON.stringify(first.value), JSON.stringify(SESSIONS[0]));
    it.return(undefined);
  });

  it('rejects bad options eagerly', () => {
    assert.throws(() => generateDemoSessions({ ...OPTS, count: -1 }), RangeError);
    assert.throws(() => generateDemoSessions({ ...OPTS, count: 1.5 }), RangeError);
    assert.throws(() => generateDemoSessions({ ...OPTS, seed: 0.5 }), RangeError);
    assert.throws(() => generateDemoSessions({ ...OPTS, emsps: [] }), RangeError);
    assert.throws(
      () => generateDemoSessions({ ...OPTS, cpo: { countryCode: 'NLD', partyId: 'X' } }),
      RangeError,
    );
    assert.throws(() => generateDemoSessions({ ...OPTS, now: Number.NaN }), RangeError);
    assert.deepEqual(all({ count: 0 }), []);
  });
});

describe('demo data: coverage over 1000 sessions', () => {
  it('contains every session status, most of them COMPLETED', () => {
    const counts = new Map<string, number>();
    for (const s of SESSIONS) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
    for (const status of SESSION_STATUSES) assert.ok((counts.get(status) ?? 0) > 0, status);
    assert.ok(counts.get('COMPLETED')! > SESSIONS.length * 0.7);
  });

  it('spreads sessions evenly over the eMSPs as token owners', () => {
    const per = new Map<string, number>();
    for (const s of SESSIONS) {
      const key = `${s.cdrToken.countryCode}-${s.cdrToken.partyId}`;
      per.set(key, (per.get(key) ?? 0) + 1);
    }
    assert.deepEqual([...per.keys()].sort(), EMSPS.map((e) => `${e.countryCode}-${e.partyId}`).sort());
    for (const n of per.values()) assert.equal(n, SESSIONS.length / EMSPS.length);
  });

  it('has unique UUID-shaped ids of at most 36 characters', () => {
    assert.equal(new Set(SESSIONS.map((s) => s.id)).size, SESSIONS.length);
    for (const s of SESSIONS) assert.match(s.id, UUID);
  });

  it('uses every auth method and token type, with eMA-ID contract ids', () => {
    assert.deepEqual([...new Set(SESSIONS.map((s) => s.authMethod))].sort(), [...AUTH_METHODS].sort());
    assert.deepEqual([...new Set(SESSIONS.map((s) => s.cdrToken.type))].sort(), [...TOKEN_TYPES].sort());
    for (const s of SESSIONS) {
      assert.equal(s.countryCode, CPO.countryCode);
      assert.equal(s.partyId, CPO.partyId);
      const t = s.cdrToken;
      assert.ok(t.uid.length > 0 && t.uid.length <= 36);
      if (t.type === 'RFID') assert.match(t.uid, /^([0-9A-F]{8}|[0-9A-F]{14})$/);
      if (t.type === 'AD_HOC_USER') assert.equal(t.contractId, t.uid);
      else {
        assert.match(t.contractId, EMAID);
        assert.ok(t.contractId.startsWith(`${t.countryCode}-${t.partyId}-`));
      }
      if (s.authMethod === 'WHITELIST') assert.equal(s.authorizationReference, undefined);
      else assert.ok(s.authorizationReference && s.authorizationReference.length <= 36);
      if (s.status === 'RESERVATION') assert.equal(s.authMethod, 'COMMAND');
    }
  });

  it('lets drivers come back: RFID tokens repeat across sessions', () => {
    const uids = SESSIONS.filter((s) => s.cdrToken.type === 'RFID').map((s) => s.cdrToken.uid);
    assert.ok(new Set(uids).size < uids.length);
  });
});

describe('demo data: charging periods', () => {
  it('ENERGY volumes add up to kwh exactly at 3 decimals', () => {
    for (const s of SESSIONS) {
      const energy = volumes(s, 'ENERGY');
      assert.equal(Math.round(sum(energy) * 1000), Math.round(s.kwh * 1000), s.id);
      assert.equal(Math.round(s.kwh * 1000) / 1000, s.kwh);
      for (const e of energy) assert.ok(e > 0 && Math.round(e * 1000) / 1000 === e, s.id);
    }
  });

  it('TIME (+ PARKING_TIME, RESERVATION_TIME) add up to the duration, period by period', () => {
    let withParking = 0;
    for (const s of SESSIONS) {
      const ps = s.chargingPeriods;
      if (ps.length === 0) continue;
      const end = s.endDateTime ?? s.lastUpdated;
      assert.equal(ps[0]!.startDateTime, s.startDateTime, s.id);
      const time = sum(volumes(s, 'TIME'));
      const parking = sum(volumes(s, 'PARKING_TIME'));
      const reservation = sum(volumes(s, 'RESERVATION_TIME'));
      assert.equal(units(time + parking + reservation), spanUnits(s.startDateTime, end), s.id);
      // Charging comes first; parking (if any) is one period at the end.
      const parkIdx = ps.findIndex((p) => p.dimensions.some((d) => d.type === 'PARKING_TIME'));
      if (parkIdx >= 0) {
        withParking++;
        assert.equal(parkIdx, ps.length - 1, s.id);
        assert.equal(units(time), spanUnits(s.startDateTime, ps[parkIdx]!.startDateTime), s.id);
      } else {
        assert.equal(units(time + reservation), spanUnits(s.startDateTime, end), s.id);
      }
      ps.forEach((p, k) => {
        const to = ps[k + 1]?.startDateTime ?? end;
        assert.ok(to > p.startDateTime, s.id);
        const own = sum(
          p.dimensions.filter((d) => d.type.endsWith('TIME')).map((d) => d.volume), // TIME, PARKING_TIME, ...
        );
        assert.ok(Math.abs(units(own) - spanUnits(p.startDateTime, to)) <= 1, `${s.id} period ${k}`);
        assert.equal(p.tariffId, s.location!.evses[0]!.connectors[0]!.tariffIds[0]);
        if (p.dimensions.some((d) => d.type === 'TIME')) {
          assert.ok(to - p.startDateTime <= 45 * 60_000, `${s.id}: a period every 15-30 min`);
        }
      });
    }
    assert.ok(withParking > 0);
  });

  it('POWER is the average of its period: ENERGY / TIME, within the connector maximum', () => {
    for (const s of SESSIONS) {
      const maxKw = s.location!.evses[0]!.connectors[0]!.maxElectricPower! / 1000;
      for (const p of s.chargingPeriods) {
        const get = (type: string) => p.dimensions.find((d) => d.type === type)?.volume;
        const e = get('ENERGY');
        const t = get('TIME');
        const power = get('POWER');
        if (t === undefined) {
          assert.equal(e, undefined);
          continue;
        }
        assert.ok(e !== undefined && power !== undefined, s.id);
        assert.ok(Math.abs(power - e / t) <= 0.0005 + 1e-9, `${s.id}: ${power} vs ${e}/${t}`);
        assert.ok(power > 0 && power <= maxKw * 1.05, `${s.id}: ${power} kW on a ${maxKw} kW connector`);
      }
    }
  });
});

describe('demo data: statuses, times and costs', () => {
  const from = NOW - WINDOW;

  it('keeps lastUpdated inside [now - 90 days, now) and after start and end; whole seconds everywhere', () => {
    for (const s of SESSIONS) {
      assert.ok(s.lastUpdated >= from && s.lastUpdated < NOW, s.id);
      assert.ok(s.startDateTime >= from, s.id);
      assert.ok(s.lastUpdated >= s.startDateTime, s.id);
      if (s.endDateTime !== undefined) {
        assert.ok(s.endDateTime >= s.startDateTime && s.lastUpdated >= s.endDateTime, s.id);
      }
      const loc = s.location!;
      const stamps = [
        s.startDateTime,
        s.endDateTime ?? 0,
        s.lastUpdated,
        ...s.chargingPeriods.map((p) => p.startDateTime),
        loc.lastUpdated,
        loc.evses[0]!.lastUpdated,
        loc.evses[0]!.connectors[0]!.lastUpdated,
      ];
      for (const t of stamps) assert.equal(t % 1000, 0, `${s.id}: ${t}`);
      assert.ok(loc.lastUpdated <= s.lastUpdated && loc.evses[0]!.lastUpdated <= loc.lastUpdated);
      assert.ok(loc.evses[0]!.connectors[0]!.lastUpdated <= loc.evses[0]!.lastUpdated);
    }
  });

  it('makes ACTIVE, PENDING and RESERVATION sessions recent and open; COMPLETED ones ended', () => {
    const months = new Set<number>();
    for (const s of SESSIONS) {
      if (s.status === 'COMPLETED' || s.status === 'INVALID') {
        assert.notEqual(s.endDateTime, undefined, s.id);
        months.add(Math.floor((NOW - s.startDateTime) / (30 * 86_400_000)));
      } else {
        assert.equal(s.endDateTime, undefined, s.id);
        assert.ok(s.startDateTime >= NOW - 6 * 3_600_000, s.id);
      }
      if (s.status === 'COMPLETED') assert.ok(s.kwh > 0 && s.chargingPeriods.length > 0, s.id);
      if (s.status === 'PENDING' || s.status === 'RESERVATION') {
        assert.equal(s.kwh, 0, s.id);
        assert.deepEqual(volumes(s, 'ENERGY'), []);
        assert.deepEqual(volumes(s, 'TIME'), []);
      }
      if (s.status === 'PENDING') assert.deepEqual(s.chargingPeriods, []);
      const evseStatus = s.location!.evses[0]!.status;
      if (s.status === 'ACTIVE') assert.equal(evseStatus, 'CHARGING');
      if (s.status === 'RESERVATION') assert.equal(evseStatus, 'RESERVED');
    }
    assert.deepEqual([...months].sort(), [0, 1, 2]); // spread over the whole 90 days
  });

  it('prices sessions in the location currency: energy, time and parking fees plus VAT', () => {
    const missing = new Set<string>();
    for (const s of SESSIONS) {
      const tariff = DEMO_TARIFFS.get(s.location!.evses[0]!.connectors[0]!.tariffIds[0]!)!;
      assert.equal(s.currency, tariff.currency, s.id);
      if (s.totalCost === undefined) {
        missing.add(s.status);
        continue;
      }
      const { exclVat, inclVat } = s.totalCost;
      assert.ok(is2dp(exclVat) && inclVat !== undefined && is2dp(inclVat), s.id);
      assert.ok(Math.abs(inclVat - exclVat * (1 + tariff.vat)) <= 0.005 + 1e-9, s.id);
      if (s.status === 'COMPLETED' || s.status === 'ACTIVE') {
        const expected =
          s.kwh * tariff.energyPerKwh +
          sum(volumes(s, 'TIME')) * tariff.timePerHour +
          sum(volumes(s, 'PARKING_TIME')) * tariff.parkingPerHour;
        assert.ok(Math.abs(exclVat - expected) <= 0.005 + 1e-9, `${s.id}: ${exclVat} vs ${expected}`);
      }
      if (s.status === 'INVALID' || s.status === 'PENDING') assert.equal(exclVat, 0);
    }
    for (const s of SESSIONS) if (s.status === 'COMPLETED') assert.notEqual(s.totalCost, undefined);
    assert.ok(missing.has('PENDING') && missing.has('RESERVATION'));
    assert.ok(new Set(SESSIONS.map((s) => s.currency)).size >= 3);
  });
});

describe('demo data: locations', () => {
  const catalogue = buildDemoLocations(CPO, NOW);

  it('narrows each session location to its EVSE and connector', () => {
    const byId = new Map(catalogue.map((l) => [l.id, l]));
    for (const s of SESSIONS) {
      const loc = s.location!;
      assert.equal(loc.id, s.locationId);
      assert.equal(loc.evses.length, 1, s.id);
      const evse = loc.evses[0]!;
      assert.equal(evse.uid, s.evseUid);
      assert.equal(evse.connectors.length, 1, s.id);
      assert.equal(evse.connectors[0]!.id, s.connectorId);
      const full = byId.get(s.locationId)!;
      const fullEvse = full.evses.find((e) => e.uid === s.evseUid)!;
      assert.deepEqual(
        evse.connectors[0],
        fullEvse.connectors.find((c) => c.id === s.connectorId),
      );
      assert.equal(loc.address, full.address);
      assert.equal(s.meterId === undefined || s.meterId.length <= 255, true);
    }
  });

  it('spans several countries with real-looking addresses, coordinates and time zones', () => {
    const countries = new Set(SESSIONS.map((s) => s.location!.country));
    assert.ok(countries.size >= 4, [...countries].join());
    for (const s of SESSIONS) {
      const loc = s.location!;
      assert.match(loc.country, /^[A-Z]{3}$/);
      const box = BBOX[loc.country];
      assert.ok(box, loc.country);
      for (const g of [loc.coordinates, loc.evses[0]!.coordinates!]) {
        assert.match(g.latitude, COORD);
        assert.match(g.longitude, COORD);
        const lat = Number(g.latitude);
        const lon = Number(g.longitude);
        assert.ok(
          lat >= box[0] && lat <= box[1] && lon >= box[2] && lon <= box[3],
          `${loc.id} ${lat},${lon}`,
        );
      }
      assert.equal(loc.timeZone, TIME_ZONE[loc.country]);
      assert.ok(loc.address.length <= 45 && loc.city.length <= 45 && loc.postalCode!.length <= 10);
      assert.equal(loc.countryCode, CPO.countryCode);
      assert.equal(loc.partyId, CPO.partyId);
      assert.ok(loc.operator?.name);
      assert.ok(loc.openingTimes);
    }
  });

  it('has a catalogue of 40-60 locations with plausible AC and DC EVSEs', () => {
    assert.ok(catalogue.length >= 40 && catalogue.length <= 60, String(catalogue.length));
    assert.ok(new Set(catalogue.map((l) => l.country)).size >= 6);
    assert.equal(new Set(catalogue.map((l) => l.id)).size, catalogue.length);
    const evses = catalogue.flatMap((l) => l.evses);
    assert.equal(new Set(evses.map((e) => e.uid)).size, evses.length);
    assert.ok(catalogue.every((l) => l.evses.length >= 2));
    assert.ok(
      catalogue.some((l) => l.energyMix !== undefined) && catalogue.some((l) => l.facilities.length > 0),
    );
    assert.ok(catalogue.filter((l) => l.openingTimes?.twentyfourseven).length > catalogue.length / 2);
    for (const cap of [
      'CHARGING_PREFERENCES_CAPABLE',
      'RFID_READER',
      'REMOTE_START_STOP_CAPABLE',
      'RESERVABLE',
    ] as const) {
      assert.ok(
        evses.some((e) => e.capabilities.includes(cap)),
        cap,
      );
    }
    assert.ok(evses.some((e) => !e.capabilities.includes('CHARGING_PREFERENCES_CAPABLE')));
    const standards = new Set<string>();
    for (const e of evses) {
      assert.match(e.evseId!, EVSE_ID);
      assert.ok(e.evseId!.startsWith(`${CPO.countryCode}*${CPO.partyId}*`));
      assert.ok(e.connectors.length >= 1);
      for (const c of e.connectors) {
        standards.add(c.standard);
        if (c.powerType === 'DC') {
          assert.ok(['IEC_62196_T2_COMBO', 'CHADEMO'].includes(c.standard));
          assert.equal(c.format, 'CABLE');
          assert.ok(c.maxVoltage >= 400 && c.maxVoltage <= 920);
          assert.ok(c.maxAmperage >= 125 && c.maxAmperage <= 500);
          assert.ok(c.maxElectricPower! <= c.maxVoltage * c.maxAmperage);
        } else {
          assert.equal(c.standard, 'IEC_62196_T2');
          assert.equal(c.powerType, 'AC_3_PHASE');
          assert.equal(c.maxVoltage, 230);
          assert.ok([16, 32].includes(c.maxAmperage));
          assert.equal(c.maxElectricPower, 230 * c.maxAmperage * 3);
        }
        assert.ok(DEMO_TARIFFS.has(c.tariffIds[0]!));
      }
    }
    assert.deepEqual([...standards].sort(), ['CHADEMO', 'IEC_62196_T2', 'IEC_62196_T2_COMBO']);
  });

  it('is printable ASCII throughout, as OCPI 2.1.1 strings require', () => {
    const walk = (v: unknown): void => {
      if (typeof v === 'string') assert.match(v, PRINTABLE_ASCII);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(catalogue);
    walk(SESSIONS.slice(0, 200));
  });
});
