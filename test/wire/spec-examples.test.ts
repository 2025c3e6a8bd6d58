// The OCPI spec examples (test/fixtures/spec-examples) parse without issues and render back unchanged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { ctx, example, issuesOf, ok } from './support/sessions.js';

const SESSION_EXAMPLES = ['session_example_1_simple_start', 'session_example_2_short_finished'];

describe('spec session examples round-trip: parse → render → JSON.parse equals the original', () => {
  for (const [version, format] of [
    ['2.1.1', 'ocpi-2.1.1'],
    ['2.2.1', 'ocpi-2.2.1'],
  ] as const) {
    for (const name of SESSION_EXAMPLES) {
      it(`${version} ${name}`, () => {
        const codec = codecFor(format);
        const original = example(version, name);
        const text = codec.render(ok(codec.parse(original, ctx)));
        assert.deepEqual(JSON.parse(text), original);
        // Same key order as the spec example, too.
        assert.equal(text, JSON.stringify(original));
      });
    }
  }
});

describe('spec session examples map onto the canonical model', () => {
  it('2.1.1: parties from the context, token from auth_id, place from the embedded location', () => {
    const s = ok(codecFor('ocpi-2.1.1').parse(example('2.1.1', 'session_example_1_simple_start'), ctx));
    assert.equal(s.countryCode, 'BE');
    assert.equal(s.partyId, 'BEC');
    assert.deepEqual(s.cdrToken, {
      countryCode: 'NL',
      partyId: 'TST',
      uid: 'DE8ACC12E46L89',
      type: 'OTHER',
      contractId: 'DE8ACC12E46L89',
    });
    assert.deepEqual([s.locationId, s.evseUid, s.connectorId], ['LOC1', '3256', '1']);
    assert.deepEqual(s.totalCost, { exclVat: 2.5 });
    assert.equal(s.startDateTime, Date.UTC(2015, 5, 29, 22, 39, 9));
    assert.deepEqual(s.chargingPeriods, []);
    const connector = s.location?.evses[0]?.connectors[0];
    assert.equal(connector?.maxVoltage, 230);
    assert.equal(connector?.maxAmperage, 64);
    assert.deepEqual(connector?.tariffIds, ['11']);
  });

  it('2.2.1: no location embedded, so `location` stays undefined', () => {
    const s = ok(codecFor('ocpi-2.2.1').parse(example('2.2.1', 'session_example_2_short_finished'), ctx));
    assert.equal('location' in s, false);
    assert.deepEqual(s.totalCost, { exclVat: 8.5, inclVat: 9.35 });
    assert.equal(s.chargingPeriods[2]?.tariffId, '12');
    assert.equal(s.cdrToken.type, 'RFID');
  });

  it('2.1.1 location example embedded in a session: accepted, session placed on its first EVSE/connector', () => {
    const session = example('2.1.1', 'session_example_2_short_finished');
    const location = example('2.1.1', 'location_example');
    const input = { ...session, location };
    const codec = codecFor('ocpi-2.1.1');
    const s = ok(codec.parse(input, ctx));
    assert.deepEqual([s.locationId, s.evseUid, s.connectorId], ['LOC1', '3256', '1']);
    assert.equal(s.location?.evses.length, 2, 'the location is kept as sent');

    // The render holds only the session's EVSE and connector (2.1.1 mod_sessions §3.1), and leaves out the
    // empty `status_schedule` list (OCPI: a `*` list may be omitted). Exactly those differences:
    const evses = location.evses as Array<Record<string, unknown>>;
    const { status_schedule: _empty, ...evse } = evses[0]!;
    const expected = {
      ...input,
      location: { ...location, evses: [{ ...evse, connectors: [(evse.connectors as unknown[])[0]] }] },
    };
    assert.deepEqual(JSON.parse(codec.render(s)), expected);
  });

  it('2.1.1 energy mix and regular hours examples embedded in the location round-trip', () => {
    const session = example('2.1.1', 'session_example_1_simple_start');
    const location = {
      ...(session.location as object),
      ...example('2.1.1', 'location_energymix_example_complete'),
      ...example('2.1.1', 'location_regularhours_example'),
    };
    const input = { ...session, location };
    const codec = codecFor('ocpi-2.1.1');
    const s = ok(codec.parse(input, ctx));
    assert.equal(s.location?.energyMix?.environImpact[0]?.category, 'NUCLEAR_WASTE');
    assert.equal(s.location?.openingTimes?.regularHours.length, 5);
    // Hours (2.1.1 mod_locations §4.13): the example sends `twentyfourseven: false` beside `regular_hours`, and
    // so do we (DOWN-MAPPING.md): the round trip is exact.
    assert.deepEqual(JSON.parse(codec.render(s)), input);
  });

  it('2.1.1 Hours sending both twentyfourseven true and regular_hours (against §4.13) is read as 24/7, as written', () => {
    const session = example('2.1.1', 'session_example_1_simple_start');
    const hours = example('2.1.1', 'location_regularhours_example').opening_times as Record<string, unknown>;
    const location = { ...(session.location as object), opening_times: { ...hours, twentyfourseven: true } };
    const codec = codecFor('ocpi-2.1.1');
    const s = ok(codec.parse({ ...session, location }, ctx));
    assert.equal(s.location?.openingTimes?.twentyfourseven, true);
    assert.deepEqual(s.location?.openingTimes?.regularHours, []);
    const rendered = JSON.parse(codec.render(s)) as { location: { opening_times: object } };
    assert.equal('regular_hours' in rendered.location.opening_times, false);
    assert.deepEqual(ok(codec.parse(rendered, ctx)), s);
  });

  it('a 2.3.0 session (Price {before_taxes, taxes}) is not a 2.2.1 session', () => {
    const issues = issuesOf(
      codecFor('ocpi-2.2.1').parse(example('2.3.0', 'session_example_2_short_finished'), ctx),
    );
    assert.deepEqual(issues, { '$.total_cost.excl_vat': 'required' });
  });
});

describe('spec PATCH examples', () => {
  it('2.2.1 charging period patch: exactly the fields carried', () => {
    const patch = ok(
      codecFor('ocpi-2.2.1').parsePatch(example('2.2.1', 'session_patch_example_charging_period'), ctx),
    );
    assert.deepEqual(patch, {
      kwh: 15,
      chargingPeriods: [
        { startDateTime: Date.UTC(2019, 5, 23, 8, 16, 2), dimensions: [{ type: 'ENERGY', volume: 2200 }] },
      ],
      totalCost: { exclVat: 0.8, inclVat: 0.88 },
      lastUpdated: Date.UTC(2019, 5, 23, 8, 16, 2),
    });
  });

  it('2.2.1 total cost patch', () => {
    const patch = ok(
      codecFor('ocpi-2.2.1').parsePatch(example('2.2.1', 'session_patch_example_total_cost'), ctx),
    );
    assert.deepEqual(patch, {
      totalCost: { exclVat: 0.6, inclVat: 0.66 },
      lastUpdated: Date.UTC(2019, 5, 23, 8, 11, 0),
    });
  });

  it('2.2.1 patch without last_updated: issue at $.last_updated (OCPI 2.2.1 §9.2.2)', () => {
    const body = example('2.2.1', 'session_patch_example_total_cost');
    delete body.last_updated;
    assert.deepEqual(issuesOf(codecFor('ocpi-2.2.1').parsePatch(body, ctx)), {
      '$.last_updated': 'required',
    });
    assert.deepEqual(issuesOf(codecFor('camel-2.2.1').parsePatch({ kwh: 1 }, ctx)), {
      '$.lastUpdated': 'required',
    });
  });

  it('2.1.1 total cost patch: last_updated is not required in 2.1.1', () => {
    const patch = ok(
      codecFor('ocpi-2.1.1').parsePatch(example('2.1.1', 'session_patch_example_total_cost'), ctx),
    );
    assert.deepEqual(patch, { totalCost: { exclVat: 0.6 } });
  });

  it('2.1.1 patch with location and auth_id sets the place and the token', () => {
    const session = example('2.1.1', 'session_example_1_simple_start');
    const patch = ok(
      codecFor('ocpi-2.1.1').parsePatch(
        { auth_id: 'NEW', location: session.location, end_datetime: null },
        ctx,
      ),
    );
    assert.deepEqual(Object.keys(patch).sort(), [
      'cdrToken',
      'connectorId',
      'evseUid',
      'location',
      'locationId',
    ]);
    assert.equal(patch.cdrToken?.contractId, 'NEW');
    assert.equal(patch.evseUid, '3256');
  });
});
