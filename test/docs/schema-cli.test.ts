// `ocpi-sessions schema <object>`: prints valid JSON Schema (2020-12) that real output of this server satisfies.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020Module from 'ajv/dist/2020.js';
import { SCHEMA_OBJECTS, schemaDocument } from '../../src/cli/commands/schema.js';
import type { PartnerFormat } from '../../src/domain/party.js';
import { wireFormatFor, type OcpiVersion } from '../../src/domain/wire-format.js';
import { envelopeText, STATUS } from '../../src/http/envelope.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { wireKey } from '../../src/wire/kit/style.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { runCli } from '../support/cli.js';

const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ??
  Ajv2020Module) as typeof Ajv2020Module.default;

const sessions = [
  ...generateDemoSessions({
    count: 30,
    seed: 5,
    emsps: [{ countryCode: 'DE', partyId: 'EMP' }],
    cpo: { countryCode: 'NL', partyId: 'OCS' },
    now: Date.UTC(2025, 5, 1),
  }),
];

/** Real output of this server for an object in one version and format. */
function realOutputs(object: string, version: OcpiVersion, style: PartnerFormat): unknown[] {
  const codec = codecFor(wireFormatFor(style, version));
  const rendered = sessions.map((s) => JSON.parse(codec.render(s)) as Record<string, unknown>);
  switch (object) {
    case 'session':
      return rendered;
    case 'session-patch':
      return rendered.map((r) => {
        const key = wireKey(codec.style, 'last_updated');
        return { [key]: r[key], kwh: r.kwh, status: r.status };
      });
    case 'location':
      return rendered.map((r) => r.location);
    case 'envelope':
      return [
        JSON.parse(
          envelopeText(style, STATUS.SUCCESS, 'Success', `[${sessions.map(codec.render).join(',')}]`),
        ),
        JSON.parse(envelopeText(style, STATUS.SUCCESS, 'Success', '[]')),
      ];
    case 'error':
      return [
        JSON.parse(envelopeText(style, STATUS.INVALID_PARAMETERS, "Invalid querystring parameter 'offset'")),
      ];
    default:
      throw new Error(object);
  }
}

describe('ocpi-sessions schema', () => {
  for (const object of Object.keys(SCHEMA_OBJECTS)) {
    for (const version of ['2.1.1', '2.2.1'] as const) {
      for (const style of ['ocpi', 'camel'] as const) {
        if (object === 'location' && version === '2.2.1') continue;
        it(`${object} --version ${version} --format ${style}: valid JSON Schema that real output satisfies`, () => {
          const schema = schemaDocument(object, version, style) as Record<string, unknown>;
          assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
          // Strict: only standard keywords, so a partner's validator takes it as it is.
          const ajv = new Ajv2020({ strict: true, allErrors: true, strictTypes: false });
          const validate = ajv.compile(schema);
          for (const value of realOutputs(object, version, style)) {
            assert.ok(
              validate(value),
              `${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 300)}`,
            );
          }
          // and it refuses what is not that object (2.1.1 PATCH bodies require no field: a wrong type then)
          assert.equal(validate({ kwh: 'lots' }), false);
        });
      }
    }
  }

  it('the command prints the schema as pretty JSON (session, camel, 2.2.1; defaults ocpi 2.2.1)', () => {
    const r = runCli(['schema', 'session', '--version', '2.2.1', '--format', 'camel']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\{\n {2}"\$schema"/);
    assert.deepEqual(JSON.parse(r.stdout), schemaDocument('session', '2.2.1', 'camel'));
    const d = runCli(['schema', 'session-patch']);
    assert.equal(d.status, 0, d.stderr);
    assert.equal(JSON.parse(d.stdout).$id, 'OcpiSessionPatch221');
  });

  it('exits 2 with the list of objects for an unknown object, and explains location in 2.2.1', () => {
    const r = runCli(['schema', 'tariff']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown object 'tariff'/);
    for (const name of Object.keys(SCHEMA_OBJECTS)) assert.match(r.stderr, new RegExp(`\\n\\s+${name}\\s`));
    const l = runCli(['schema', 'location', '--version', '2.2.1']);
    assert.equal(l.status, 2);
    assert.match(l.stderr, /use --version 2\.1\.1/);
    const f = runCli(['schema', 'session', '--format', 'xml']);
    assert.equal(f.status, 2);
    assert.match(f.stderr, /--format <format>' argument 'xml' is invalid\. Allowed choices are ocpi, camel/);
  });
});
