// The exported TypeBox schemas, as a route schema / OpenAPI generator will see them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TSchema } from '@sinclair/typebox';
import {
  SessionCamel211Schema,
  SessionPatchCamel211Schema,
} from '../../src/modules/sessions/wire/camel-2.1.1/session.js';
import {
  SessionCamel221Schema,
  SessionPatchCamel221Schema,
} from '../../src/modules/sessions/wire/camel-2.2.1/session.js';
import {
  Session211Schema,
  SessionPatch211Schema,
} from '../../src/modules/sessions/wire/ocpi-2.1.1/session.js';
import {
  Session221Schema,
  SessionPatch221Schema,
} from '../../src/modules/sessions/wire/ocpi-2.2.1/session.js';

const ALL: Record<string, TSchema> = {
  OcpiSession211: Session211Schema,
  OcpiSessionPatch211: SessionPatch211Schema,
  OcpiSession221: Session221Schema,
  OcpiSessionPatch221: SessionPatch221Schema,
  CamelSession211: SessionCamel211Schema,
  CamelSessionPatch211: SessionPatchCamel211Schema,
  CamelSession221: SessionCamel221Schema,
  CamelSessionPatch221: SessionPatchCamel221Schema,
};

/** Every sub-schema, as plain JSON (what an OpenAPI document holds). */
function walk(s: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (typeof s !== 'object' || s === null) return;
  if (!Array.isArray(s)) visit(s as Record<string, unknown>);
  for (const v of Object.values(s)) walk(v, visit);
}

describe('exported schemas', () => {
  it('carry their $id and a title, and only the top level has an $id', () => {
    for (const [id, schema] of Object.entries(ALL)) {
      const json: unknown = JSON.parse(JSON.stringify(schema));
      assert.equal((json as TSchema).$id, id);
      assert.match(String((json as TSchema).title), /^Session/);
      let ids = 0;
      walk(json, (n) => (ids += '$id' in n ? 1 : 0));
      assert.equal(ids, 1, id);
    }
  });

  it('are permissive: no additionalProperties: false, and optional fields accept null', () => {
    for (const schema of Object.values(ALL)) {
      walk(JSON.parse(JSON.stringify(schema)), (n) => assert.notEqual(n.additionalProperties, false));
    }
    const endTime = Session221Schema.properties.end_date_time as TSchema;
    assert.deepEqual(
      (endTime.anyOf as TSchema[]).map((v) => v.type),
      ['string', 'null'],
    );
  });

  it('require what the spec requires', () => {
    assert.deepEqual(Session221Schema.required, [
      'country_code',
      'party_id',
      'id',
      'start_date_time',
      'kwh',
      'cdr_token',
      'auth_method',
      'location_id',
      'evse_uid',
      'connector_id',
      'currency',
      'status',
      'last_updated',
    ]);
    assert.deepEqual(SessionPatch221Schema.required, ['last_updated']);
    assert.deepEqual(SessionPatchCamel221Schema.required, ['lastUpdated']);
    assert.equal(SessionPatch211Schema.required, undefined);
    assert.equal(Session211Schema.properties.id.maxLength, 36);
    assert.equal(Session211Schema.properties.location.properties.id.maxLength, 39);
  });

  it('write enums as string enums (OCPI) or documented integer ranges (camel)', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(Session221Schema.properties.auth_method)), {
      type: 'string',
      enum: ['AUTH_REQUEST', 'COMMAND', 'WHITELIST'],
      title: 'AuthMethod',
    });
    assert.deepEqual(JSON.parse(JSON.stringify(SessionCamel211Schema.properties.authMethod)), {
      type: 'integer',
      title: 'AuthMethod',
      minimum: 0,
      maximum: 2,
      description: '0 = AUTH_REQUEST, 1 = COMMAND, 2 = WHITELIST',
    });
  });
});
