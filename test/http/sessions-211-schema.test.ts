// Every OCPI 2.1.1 session we serve passes an independent 2.1.1 JSON Schema (solidstudio ocpi-schema, copied
// under test/fixtures/ocpi-schemas with its PROVENANCE). In particular Hours always carries `twentyfourseven`
// (false beside regular_hours), as the spec's own example does (DOWN-MAPPING.md).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { partyServer, type PartyServer, b64 } from '../security/helpers.js';
import { fixturesDir } from '../support/paths.js';

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

describe('OCPI 2.1.1 sessions pass an independent 2.1.1 JSON Schema', () => {
  let party: PartyServer;
  before(async () => {
    party = await partyServer({}, 400);
  });
  after(() => party.server.close());

  it('every session of a full page of demo sessions, with locations that have regular hours', async () => {
    const file = path.join(fixturesDir, 'ocpi-schemas', 'solidstudio', 'ocpi.2_1_1.session.json');
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(file, 'utf8')));

    const res = await fetch(`${party.server.url}/ocpi/cpo/2.1.1/sessions?limit=1000`, {
      headers: { authorization: `Token ${b64(party.tokens['DE-EMP']!)}` },
    });
    assert.equal(res.status, 200);
    const sessions = ((await res.json()) as { data: Array<Record<string, any>> }).data;
    assert.ok(sessions.length > 100, `only ${sessions.length} sessions`);
    const withRegularHours = sessions.filter((s) => s.location?.opening_times?.regular_hours);
    assert.ok(
      withRegularHours.length > 0,
      'no session has a location with regular hours: the test proves nothing',
    );
    for (const s of withRegularHours) assert.equal(s.location.opening_times.twentyfourseven, false);

    const failures = sessions
      .filter((s) => !(validate(s) as boolean))
      .map((s) => `${s.id}: ${ajv.errorsText(validate.errors)}`);
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of ${sessions.length} sessions fail`);
  });
});
