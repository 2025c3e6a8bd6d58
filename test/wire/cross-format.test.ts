// One session through several formats; the camel formats against the documented contract.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { WIRE_FORMATS } from '../../src/domain/wire-format.js';
import type { Session } from '../../src/domain/session.js';
import { codecFor, renderAll } from '../../src/modules/sessions/wire/codecs.js';
import { CONTRACT_SESSION_EXAMPLE } from './support/contract-example.js';
import { ctx, example, fullSession, ok } from './support/sessions.js';

type Json = Record<string, any>;

function through(format: (typeof WIRE_FORMATS)[number], s: Session, candidate: 'A' | 'B' = 'A'): Session {
  const codec = codecFor(format, { camelEnums: candidate });
  return ok(codec.parse(JSON.parse(codec.render(s)), ctx));
}

/** Keys (in order) and value types, following the first item of every list. */
function keyShape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length > 0 ? [keyShape(v[0])] : [];
  if (typeof v === 'object' && v !== null) return Object.entries(v).map(([k, x]) => [k, keyShape(x)]);
  return typeof v;
}

describe('cross-format', () => {
  it('2.2.1 example → camel-2.2.1 → parsed back: the same session', () => {
    const s = ok(codecFor('ocpi-2.2.1').parse(example('2.2.1', 'session_example_2_short_finished'), ctx));
    assert.deepEqual(through('camel-2.2.1', s), s);
  });

  it('2.1.1 examples → camel-2.1.1 → parsed back: the same session', () => {
    for (const name of ['session_example_1_simple_start', 'session_example_2_short_finished']) {
      const s = ok(codecFor('ocpi-2.1.1').parse(example('2.1.1', name), ctx));
      assert.deepEqual(through('camel-2.1.1', s), s);
      assert.deepEqual(through('camel-2.1.1', s, 'B'), s);
    }
  });

  it('camel integers follow the tables (candidate A)', () => {
    const s211 = ok(codecFor('ocpi-2.1.1').parse(example('2.1.1', 'session_example_2_short_finished'), ctx));
    const camel: Json = JSON.parse(codecFor('camel-2.1.1').render(s211));
    const connector = camel.location.evses[0].connectors[0];
    assert.equal(connector.standard, 25); // IEC_62196_T2
    assert.equal(connector.powerType, 0); // AC_1_PHASE
    assert.equal(connector.format, 0); // SOCKET
    assert.equal(camel.authMethod, 2); // WHITELIST
    assert.equal(camel.status, 1); // COMPLETED
    assert.equal(camel.location.type, 4); // ON_STREET
    assert.equal(camel.location.evses[0].status, 0); // AVAILABLE
    assert.equal(camel.chargingPeriods[2].dimensions[0].type, 8); // PARKING_TIME
    assert.equal(camel.totalCost, 8.5);

    const s221 = ok(codecFor('ocpi-2.2.1').parse(example('2.2.1', 'session_example_2_short_finished'), ctx));
    const camel221: Json = JSON.parse(codecFor('camel-2.2.1').render(s221));
    assert.equal(camel221.cdrToken.type, 3); // RFID
    assert.deepEqual(camel221.totalCost, { exclVat: 8.5, inclVat: 9.35 });
  });

  it('candidate B changes only the three uncertain enums', () => {
    const s = ok(codecFor('ocpi-2.1.1').parse(example('2.1.1', 'session_example_2_short_finished'), ctx));
    const a: Json = JSON.parse(codecFor('camel-2.1.1').render(s));
    const b: Json = JSON.parse(codecFor('camel-2.1.1', { camelEnums: 'B' }).render(s));
    assert.equal(b.location.evses[0].connectors[0].standard, 19); // IEC_62196_T2 in candidate B
    b.location.evses[0].connectors[0].standard = 25;
    assert.deepEqual(b, a);
  });

  it('a full session keeps everything each format has a field for', () => {
    const full = fullSession();
    const { location: _location, ...without } = full;
    assert.deepEqual(through('ocpi-2.2.1', full), without);
    assert.deepEqual(through('camel-2.2.1', full), without);

    // The 2.1.1 shape has no parties, token details, authorization reference or VAT-inclusive price.
    const { authorizationReference: _ref, ...rest } = full;
    const as211: Session = {
      ...rest,
      cdrToken: {
        countryCode: 'NL',
        partyId: 'TST',
        uid: full.cdrToken.contractId,
        type: 'OTHER',
        contractId: full.cdrToken.contractId,
      },
      totalCost: { exclVat: 4 },
    };
    assert.deepEqual(through('camel-2.1.1', full), as211);
    // ...and OCPI 2.1.1 no ChargingPeriod tariff_id either.
    const { tariffId: _tariff, ...period } = as211.chargingPeriods[0]!;
    assert.deepEqual(through('ocpi-2.1.1', full), { ...as211, chargingPeriods: [period] });
  });

  it('camel-2.1.1 renders the contract example key for key, in its order, with its value types', () => {
    const rendered: unknown = JSON.parse(codecFor('camel-2.1.1').render(fullSession()));
    assert.deepEqual(keyShape(rendered), keyShape(CONTRACT_SESSION_EXAMPLE));
  });

  it('camel-2.1.1 writes empty lists as [] and keeps snake_case in statusSchedule items', () => {
    const s = fullSession();
    s.chargingPeriods = [];
    const camel: Json = JSON.parse(codecFor('camel-2.1.1').render(s));
    assert.deepEqual(camel.chargingPeriods, []);
    assert.deepEqual(Object.keys(camel.location.evses[0].statusSchedule[0]), [
      'period_begin',
      'period_end',
      'status',
    ]);
    const ocpi: Json = JSON.parse(codecFor('ocpi-2.1.1').render(s));
    assert.equal('charging_periods' in ocpi, false);
  });

  it('renderAll renders every format; each is valid against its own schema and parses back', () => {
    const all = renderAll(fullSession());
    assert.deepEqual(Object.keys(all), [...WIRE_FORMATS]);
    for (const format of WIRE_FORMATS) {
      const codec = codecFor(format);
      const json: unknown = JSON.parse(all[format]);
      assert.equal(Value.Check(codec.schema, json), true, format);
      ok(codec.parse(json, ctx));
    }
  });

  it('rendered keys come in the order of the schema properties (the spec tables), in every format', () => {
    function unwrap(s: TSchema): TSchema {
      const variants = (s.anyOf ?? []) as TSchema[];
      return variants.length === 2 ? (variants.find((v) => v.type !== 'null') ?? s) : s;
    }
    function check(schema: TSchema, value: unknown, at: string): void {
      const s = unwrap(schema);
      if (s.type === 'array' && Array.isArray(value))
        value.forEach((x, i) => check(s.items as TSchema, x, `${at}[${i}]`));
      if (s.type !== 'object' || typeof value !== 'object' || value === null) return;
      const props = s.properties as Record<string, TSchema>;
      assert.deepEqual(
        Object.keys(value),
        Object.keys(props).filter((k) => k in value),
        at,
      );
      for (const [k, x] of Object.entries(value)) check(props[k]!, x, `${at}.${k}`);
    }
    for (const format of WIRE_FORMATS) {
      const codec = codecFor(format);
      check(codec.schema, JSON.parse(codec.render(fullSession())), format);
    }
  });
});
