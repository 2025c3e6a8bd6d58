// OCPI 2.3.0 Sessions through the codecs: the spec examples round-trip, prices convert to and from 2.2.1 and 2.1.1,
// open enum values are kept in 2.3.0 and rendered to the older versions by the documented rule (DOWN-MAPPING.md),
// unknown fields are ignored.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applySessionPatch } from '../../src/domain/session-patch.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { detectFormat } from '../../src/modules/sessions/service/classify.js';
import type { Session } from '../../src/domain/session.js';
import { ctx, example, fullSession, issuesOf, ok } from './support/sessions.js';

const codec = codecFor('ocpi-2.3.0');

describe('OCPI 2.3.0 spec session examples round-trip (test/fixtures/spec-examples/2.3.0)', () => {
  for (const name of ['session_example_1_simple_start', 'session_example_2_short_finished']) {
    it(`${name}: parse → render gives the example back, in its key order`, () => {
      const original = example('2.3.0', name);
      const text = codec.render(ok(codec.parse(original, ctx)));
      assert.deepEqual(JSON.parse(text), original);
      assert.equal(text, JSON.stringify(original));
      assert.equal(detectFormat(original), 'ocpi-2.3.0');
    });
  }

  for (const name of ['session_patch_example_total_cost', 'session_patch_example_charging_period']) {
    it(`${name}: parsed as exactly its fields; applied to a session, the render carries them unchanged`, () => {
      const patchJson = example('2.3.0', name);
      const patch = ok(codec.parsePatch(patchJson, ctx));
      assert.deepEqual(Object.keys(patch).sort(), Object.keys(patchJson).map(camel).sort());
      const base = ok(codec.parse(example('2.3.0', 'session_example_1_simple_start'), ctx));
      const after = JSON.parse(codec.render(applySessionPatch(base, patch, '2.3.0', 0))) as Record<
        string,
        unknown
      >;
      for (const [key, value] of Object.entries(patchJson)) assert.deepEqual(after[key], value, key);
    });
  }
});

const camel = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

describe('Price between 2.3.0, 2.2.1 and 2.1.1', () => {
  it('2.3.0 {before_taxes 8.50, taxes [VAT 0.85]} → 2.2.1 {excl_vat 8.5, incl_vat 9.35}, 2.1.1 8.5', () => {
    const s = ok(codec.parse(example('2.3.0', 'session_example_2_short_finished'), ctx));
    assert.deepEqual(s.totalCost, { exclVat: 8.5, taxes: [{ name: 'VAT', amount: 0.85 }] });
    const r221 = JSON.parse(codecFor('ocpi-2.2.1').render(s)) as { total_cost: unknown };
    assert.deepEqual(r221.total_cost, { excl_vat: 8.5, incl_vat: 9.35 });
    const r211 = JSON.parse(codecFor('ocpi-2.1.1').render({ ...s, location: undefined })) as {
      total_cost: unknown;
    };
    assert.equal(r211.total_cost, 8.5);
    const camel221 = JSON.parse(codecFor('camel-2.2.1').render(s)) as { totalCost: unknown };
    assert.deepEqual(camel221.totalCost, { exclVat: 8.5, inclVat: 9.35 });
  });

  it('several taxes add up (4 decimals, OCPI types §number); none listed: no incl_vat', () => {
    const taxes = [
      { name: 'GST', account_number: 'CA-123', percentage: 5, amount: 0.1 },
      { name: 'QST', percentage: 9.975, amount: 0.2 },
    ];
    const json = {
      ...example('2.3.0', 'session_example_2_short_finished'),
      total_cost: { before_taxes: 2, taxes },
    };
    const parsed = ok(codec.parse(json, ctx));
    assert.deepEqual(JSON.parse(codec.render(parsed)).total_cost, { before_taxes: 2, taxes });
    assert.deepEqual(JSON.parse(codecFor('ocpi-2.2.1').render(parsed)).total_cost, {
      excl_vat: 2,
      incl_vat: 2.3,
    });
    const free = ok(codec.parse(example('2.3.0', 'session_example_1_simple_start'), ctx));
    assert.deepEqual(JSON.parse(codecFor('ocpi-2.2.1').render(free)).total_cost, { excl_vat: 2.5 });
  });

  it('2.2.1 {excl_vat 8.5, incl_vat 9.35} → 2.3.0 {before_taxes 8.5, taxes [{VAT, 0.85}]}; back to 2.2.1 unchanged', () => {
    const original = example('2.2.1', 'session_example_2_short_finished');
    const s = ok(codecFor('ocpi-2.2.1').parse(original, ctx));
    const r230 = JSON.parse(codec.render(s)) as { total_cost: unknown };
    assert.deepEqual(r230.total_cost, { before_taxes: 8.5, taxes: [{ name: 'VAT', amount: 0.85 }] });
    assert.deepEqual(JSON.parse(codecFor('ocpi-2.2.1').render(s)), original);
  });

  it('a 2.2.1 price is not a 2.3.0 price (before_taxes required)', () => {
    const issues = issuesOf(codec.parse(example('2.2.1', 'session_example_2_short_finished'), ctx));
    assert.deepEqual(issues, { '$.total_cost.before_taxes': 'required' });
  });
});

describe('open enums (OCPI 2.3.0 types §OpenEnum): TokenType', () => {
  const withType = (type: string) => {
    const json = example('2.3.0', 'session_example_2_short_finished');
    return { ...json, cdr_token: { ...(json.cdr_token as object), type } };
  };
  for (const type of ['EMAID', 'X_VENDOR_BADGE']) {
    it(`${type}: kept by 2.3.0, OTHER for 2.2.1 and camel, refused by the 2.2.1 parser`, () => {
      const s = ok(codec.parse(withType(type), ctx));
      assert.equal(s.cdrToken.type, type);
      assert.deepEqual(JSON.parse(codec.render(s)), withType(type));
      const r221 = JSON.parse(codecFor('ocpi-2.2.1').render(s)) as { cdr_token: { type: string } };
      assert.equal(r221.cdr_token.type, 'OTHER');
      const c221 = JSON.parse(codecFor('camel-2.2.1').render(s)) as { cdrToken: { type: number } };
      assert.equal(c221.cdrToken.type, 2, 'camel TokenType table: 2 = OTHER');
      const as221 = { ...withType(type), total_cost: { excl_vat: 1 } };
      assert.match(issuesOf(codecFor('ocpi-2.2.1').parse(as221, ctx))['$.cdr_token.type']!, /TokenType/);
    });
  }

  it('an empty string is not a value', () => {
    assert.ok(issuesOf(codec.parse(withType(''), ctx))['$.cdr_token.type']);
  });
});

describe('unknown fields on 2.3.0 input are ignored', () => {
  it('top level, in cdr_token, total_cost, taxes and charging periods', () => {
    const original = example('2.3.0', 'session_example_2_short_finished');
    const json = structuredClone(original) as Record<string, any>;
    json.x_extra = { nested: [1, 2] };
    json.cdr_token.x_extra = true;
    json.total_cost.x_extra = 'a';
    json.total_cost.taxes[0].x_extra = 1;
    json.charging_periods[0].x_extra = null;
    json.charging_periods[0].dimensions[0].x_extra = 'b';
    assert.deepEqual(JSON.parse(codec.render(ok(codec.parse(json, ctx)))), original);
  });
});

// The location enums OCPI 2.3.0 made open (mod_locations: ConnectorType, Capability, Facility, ImageCategory,
// ParkingRestriction, ParkingType = our LocationType, EnvironmentalImpactCategory) occur only in the 2.1.1 embedded
// Location; a canonical session holding values the closed lists lack is rendered by DOWN-MAPPING.md "Open enums".
describe('open enums (OCPI 2.3.0 types §OpenEnum): the location enums rendered to the closed formats', () => {
  function withOpenValues(standard: string): Session {
    const s = fullSession();
    const loc = s.location!;
    const evse = loc.evses[0]!;
    const open = <T>(v: string) => v as unknown as T;
    return {
      ...s,
      location: {
        ...loc,
        type: open('X_ROOFTOP'),
        facilities: [open('X_LOUNGE'), 'CAFE'],
        images: [{ ...loc.images![0]!, category: open('X_DRONE') }],
        energyMix: {
          ...loc.energyMix!,
          environImpact: [
            { category: open('X_PARTICLES'), amount: 1 },
            { category: 'CARBON_DIOXIDE', amount: 0 },
          ],
        },
        evses: [
          {
            ...evse,
            capabilities: [open('X_PLUG_AND_PAY'), 'RFID_READER'],
            parkingRestrictions: [open('X_TAXI')],
            connectors: [{ ...evse.connectors[0]!, standard: open(standard) }],
          },
        ],
      },
    };
  }

  for (const standard of ['MCS', 'SAE_J3400']) {
    it(`ConnectorType ${standard} kept in ocpi-2.1.1, its connector (and so its EVSE) dropped in camel-2.1.1; the others by their rule`, () => {
      const s = withOpenValues(standard);
      const o = JSON.parse(codecFor('ocpi-2.1.1').render(s)) as Record<string, any>;
      const evse = o.location.evses[0];
      assert.equal(evse.connectors[0].standard, standard, 'kept: required, no catch-all');
      assert.deepEqual(evse.capabilities, ['RFID_READER'], 'an unknown capability is dropped');
      assert.equal('parking_restrictions' in evse, false, 'the emptied list is omitted');
      assert.deepEqual(o.location.facilities, ['CAFE']);
      assert.equal(o.location.type, 'OTHER', '2.1.1 LocationType OTHER');
      assert.equal(o.location.images[0].category, 'OTHER', 'ImageCategory OTHER');
      assert.deepEqual(
        o.location.energy_mix.environ_impact.map((x: { source: string }) => x.source),
        ['CARBON_DIOXIDE'],
      );
      // camel tables are closed (no integer for it): the connector is dropped, and the EVSE left without one
      // (connectors is a `+` list).
      const c = JSON.parse(codecFor('camel-2.1.1').render(s)) as Record<string, any>;
      assert.deepEqual(c.location.evses, []);
      // 2.2.1 and 2.3.0 embed no location; the canonical session keeps every value for the next render.
      for (const f of ['ocpi-2.2.1', 'ocpi-2.3.0'] as const)
        assert.equal('location' in (JSON.parse(codecFor(f).render(s)) as object), false, f);
      assert.equal(s.location!.evses[0]!.connectors[0]!.standard, standard);
    });
  }
});
