// Invalid input: every violation with its exact JSON path; permissive where OCPI allows; never a throw.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { WIRE_FORMATS } from '../../src/domain/wire-format.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { MAX_ISSUES } from '../../src/wire/validate.js';
import { ctx, example, fullSession, issuesOf, ok } from './support/sessions.js';

type Json = Record<string, any>;
const ocpi221 = codecFor('ocpi-2.2.1');
const ocpi211 = codecFor('ocpi-2.1.1');

describe('validation reports every violation with its JSON path', () => {
  it('2.2.1 session with many errors', () => {
    const x: Json = example('2.2.1', 'session_example_2_short_finished');
    x.id = 'x'.repeat(37);
    x.start_date_time = 'yesterday';
    x.end_date_time = '2015-02-30T00:00:00Z';
    x.kwh = Infinity;
    x.cdr_token.type = 'BADGE';
    x.auth_method = 'MAGIC';
    delete x.currency;
    x.charging_periods[1].dimensions[0].volume = '41000';
    x.charging_periods[2].dimensions = [];
    x.total_cost = { incl_vat: 1 };
    x.status = 'completed';
    const issues = issuesOf(ocpi221.parse(x, ctx));
    assert.deepEqual(issues, {
      '$.id': 'must be at most 36 characters (got 37)',
      '$.start_date_time': 'must be an OCPI DateTime such as 2015-06-29T20:39:09Z (got "yesterday")',
      '$.end_date_time': 'not a valid date and time: 2015-02-30T00:00:00Z',
      '$.kwh': 'must be a finite number',
      '$.cdr_token.type': '"BADGE" is not one of the TokenType values',
      '$.auth_method': '"MAGIC" is not one of the AuthMethod values',
      '$.currency': 'required',
      '$.charging_periods[1].dimensions[0].volume': 'must be a finite number',
      '$.charging_periods[2].dimensions': 'must hold at least 1 item(s)',
      '$.total_cost.excl_vat': 'required',
      '$.status': '"completed" is not one of the SessionStatus values',
    });
  });

  it('2.1.1 session: errors deep in the embedded location', () => {
    const x: Json = example('2.1.1', 'session_example_2_short_finished');
    const connector = x.location.evses[0].connectors[0];
    connector.standard = 'IEC_62196_T9';
    connector.voltage = 230.5;
    delete connector.last_updated;
    x.location.coordinates.latitude = 51.04;
    x.location.evses[0].capabilities = ['RFID_READER', 'TELEPATHY'];
    x.location.opening_times = { regular_hours: [{ weekday: 8, period_begin: '8:00', period_end: '20:00' }] };
    x.location.operator = 'BeCharged';
    x.auth_id = 42;
    const issues = issuesOf(ocpi211.parse(x, ctx));
    assert.deepEqual(issues, {
      '$.auth_id': 'must be a string',
      '$.location.coordinates.latitude': 'must be a string',
      '$.location.evses[0].capabilities[1]': '"TELEPATHY" is not one of the Capability values',
      '$.location.evses[0].connectors[0].standard': '"IEC_62196_T9" is not one of the ConnectorType values',
      '$.location.evses[0].connectors[0].voltage': 'must be an integer',
      '$.location.evses[0].connectors[0].last_updated': 'required',
      '$.location.operator': 'must be an object',
      '$.location.opening_times.regular_hours[0].weekday': 'must be between 1 and 7 (got 8)',
      '$.location.opening_times.regular_hours[0].period_begin':
        'must match ^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$ (got "8:00")',
    });
  });

  it('camel integers out of range, fractional or given as names are issues', () => {
    const s = ok(ocpi211.parse(example('2.1.1', 'session_example_2_short_finished'), ctx));
    const camel = codecFor('camel-2.1.1');
    const x: Json = JSON.parse(camel.render(s));
    x.location.evses[0].connectors[0].standard = 40;
    x.authMethod = -1;
    x.status = 'COMPLETED';
    x.chargingPeriods[0].dimensions[0].type = 1.5;
    x.location.evses[0].statusSchedule = [{ period_begin: '2015-06-29T22:39:09Z', status: 9 }];
    assert.deepEqual(issuesOf(camel.parse(x, ctx)), {
      '$.location.evses[0].connectors[0].standard': '40 is not one of the ConnectorType values (0..39)',
      '$.authMethod': '-1 is not one of the AuthMethod values (0..2)',
      '$.status': 'must be an integer',
      '$.chargingPeriods[0].dimensions[0].type': 'must be an integer',
      '$.location.evses[0].statusSchedule[0].status': '9 is not one of the EvseStatus values (0..8)',
    });
  });

  it('cross-field checks: end before start, a 2.1.1 location without EVSE, an unknown token owner', () => {
    const x: Json = example('2.2.1', 'session_example_2_short_finished');
    x.end_date_time = '2015-06-29T22:00:00Z';
    assert.deepEqual(issuesOf(ocpi221.parse(x, ctx)), {
      '$.end_date_time': 'must not be before the start of the session',
    });

    const y: Json = example('2.1.1', 'session_example_1_simple_start');
    y.location.evses = [];
    assert.deepEqual(issuesOf(ocpi211.parse(y, { cpo: ctx.cpo })), {
      $: 'token owner unknown: a 2.1.1 session does not name the eMSP of its token',
      '$.location.evses':
        'must hold the EVSE (with its connector) of the session (OCPI 2.1.1 mod_sessions §3.1)',
    });
  });

  it('non-objects are rejected by every format, as sessions and as patches', () => {
    for (const format of WIRE_FORMATS) {
      for (const input of [42, null, 'session', [], [{}], true, undefined]) {
        assert.deepEqual(issuesOf(codecFor(format).parse(input, ctx)), { $: 'must be an object' }, format);
        assert.deepEqual(issuesOf(codecFor(format).parsePatch(input, ctx)), {
          $: 'must be an object',
        });
      }
    }
  });

  it('`__proto__` keys in the input neither pollute prototypes nor reach the result', () => {
    const text = JSON.stringify(example('2.2.1', 'session_example_2_short_finished'))
      .replace('{', '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},')
      .replace('"cdr_token":{', '"cdr_token":{"__proto__":{"polluted":"yes"},');
    const input: unknown = JSON.parse(text);
    const s = ok(ocpi221.parse(input, ctx));
    assert.equal(({} as Json).polluted, undefined);
    assert.equal(Object.getPrototypeOf(s), Object.prototype);
    assert.equal(Object.getPrototypeOf(s.cdrToken), Object.prototype);
    assert.equal(Object.hasOwn(s, '__proto__'), false);
    assert.equal((s as unknown as Json).polluted, undefined);
    assert.equal(ok(ocpi221.parsePatch(input, ctx)).cdrToken?.uid, '123abc');
  });

  it('huge nesting and huge lists: no throw, a bounded issue list', () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { location: deep, evses: [deep] };
    const r1 = ocpi211.parse(deep, ctx);
    assert.equal(r1.ok, false);

    let arrays: unknown = 1;
    for (let i = 0; i < 100_000; i++) arrays = [arrays];
    const x: Json = example('2.2.1', 'session_example_2_short_finished');
    x.kwh = arrays;
    assert.deepEqual(issuesOf(ocpi221.parse(x, ctx)), { '$.kwh': 'must be a finite number' });

    x.kwh = 1;
    x.charging_periods = Array.from({ length: 5000 }, () => ({ start_date_time: 'never', dimensions: [] }));
    const r2 = ocpi221.parse(x, ctx);
    assert.equal(r2.ok, false);
    if (!r2.ok) {
      assert.equal(r2.issues.length, MAX_ISSUES + 1);
      assert.match(r2.issues.at(-1)!.message, /only the first 1000/);
    }
  });
});

describe('permissive parsing', () => {
  it('null optional fields count as absent; null/absent `*` lists are []; unknown fields are ignored', () => {
    const x: Json = example('2.2.1', 'session_example_1_simple_start');
    Object.assign(x, {
      end_date_time: null,
      meter_id: null,
      charging_periods: null,
      authorization_reference: null,
    });
    Object.assign(x, { total_cost: null, extra: { anything: [1, 2] }, publish: 'nope' });
    const s = ok(ocpi221.parse(x, ctx));
    assert.equal('endDateTime' in s, false);
    assert.equal('totalCost' in s, false);
    assert.deepEqual(s.chargingPeriods, []);

    const y: Json = example('2.1.1', 'session_example_1_simple_start');
    Object.assign(y.location, {
      evses: [{ ...y.location.evses[0], status_schedule: null, capabilities: null }],
    });
    Object.assign(y.location, {
      related_locations: null,
      opening_times: null,
      name: null,
      future_field: true,
    });
    const t = ok(ocpi211.parse(y, ctx));
    assert.deepEqual(t.location?.evses[0]?.capabilities, []);
    assert.equal(t.location?.name, undefined);
  });

  it('DateTimes without Z, with fractions or with an offset are accepted and rendered as UTC with Z', () => {
    const x: Json = example('2.2.1', 'session_example_1_simple_start');
    x.start_date_time = '2020-03-09T10:17:09';
    x.last_updated = '2020-03-09T10:17:09.25+01:00';
    const s = ok(ocpi221.parse(x, ctx));
    assert.equal(s.startDateTime, Date.UTC(2020, 2, 9, 10, 17, 9));
    assert.equal(s.lastUpdated, Date.UTC(2020, 2, 9, 9, 17, 9, 250));
    const out: Json = JSON.parse(ocpi221.render(s));
    assert.equal(out.start_date_time, '2020-03-09T10:17:09Z');
    assert.equal(out.last_updated, '2020-03-09T09:17:09.250Z');
  });

  it('strings are escaped properly on render', () => {
    const s = ok(ocpi221.parse(example('2.2.1', 'session_example_1_simple_start'), ctx));
    s.meterId = 'quote " backslash \\ newline \n tab \t unicode é \u2028 lone \ud800';
    const text = ocpi221.render(s);
    assert.ok(text.includes('"meter_id":"quote \\" backslash \\\\ newline \\n tab \\t unicode é'));
    assert.ok(text.includes('lone \\ud800"'));
    assert.equal((JSON.parse(text) as Json).meter_id, s.meterId);
  });
});

describe('never throws (property-based)', () => {
  type Position = [parent: Record<string | number, unknown>, key: string | number];

  /** Every (parent, key) position in a JSON tree. */
  function positions(v: unknown, out: Position[] = []): Position[] {
    if (typeof v !== 'object' || v === null) return out;
    for (const [k, x] of Object.entries(v)) {
      out.push([v as Record<string, unknown>, Array.isArray(v) ? Number(k) : k]);
      positions(x, out);
    }
    return out;
  }

  it('arbitrary JSON: a result, never an exception, in every format', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        for (const format of WIRE_FORMATS) {
          const r = codecFor(format).parse(v, ctx);
          const p = codecFor(format).parsePatch(v, ctx);
          for (const x of [r, p]) if (!x.ok) assert.ok(x.issues.every((i) => i.path.startsWith('$')));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('one value of a valid session replaced: issues or a value that renders and parses back the same', () => {
    for (const format of WIRE_FORMATS) {
      const codec = codecFor(format);
      const valid: unknown = JSON.parse(codec.render(fullSession()));
      const count = positions(valid).length;
      fc.assert(
        fc.property(fc.nat({ max: count - 1 }), fc.jsonValue({ maxDepth: 3 }), (index, replacement) => {
          const x = structuredClone(valid);
          const [parent, key] = positions(x)[index]!;
          parent[key] = replacement;
          const r = codec.parse(x, ctx);
          if (r.ok) assert.deepEqual(ok(codec.parse(JSON.parse(codec.render(r.value)), ctx)), r.value);
          // Every issue comes from the schema or a documented check, never from the "could not be read" net.
          else assert.ok(r.issues.length > 0 && r.issues.every((i) => i.message !== 'could not be read'));
          codec.parsePatch(x, ctx);
        }),
        { numRuns: 250 },
      );
    }
  });
});
