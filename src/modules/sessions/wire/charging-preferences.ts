// ChargingPreferences (OCPI 2.2.1 §9.4.2) in both styles: schema, parse.
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { parseDateTime } from '../../../domain/datetime.js';
import { PROFILE_TYPES } from '../../../domain/enums.js';
import type { ChargingPreferences } from '../../../domain/session.js';
import type { ParseResult } from '../../../wire/codec.js';
import { addSchemaIssues, DATE_TIME_PATTERN, IssueList } from '../../../wire/validate.js';

const optional = <T extends ReturnType<typeof Type.String>>(t: T) =>
  Type.Optional(Type.Union([t, Type.Null()]));

export const ChargingPreferencesSchema = Type.Object(
  {
    profile_type: Type.Union(
      PROFILE_TYPES.map((p) => Type.Literal(p)),
      { description: 'CHEAP, FAST, GREEN, REGULAR' },
    ),
    departure_time: optional(Type.String({ pattern: DATE_TIME_PATTERN })),
    energy_need: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.Null()])),
    discharge_allowed: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  },
  { $id: 'OcpiChargingPreferences221', title: 'OCPI 2.2.1 ChargingPreferences', additionalProperties: true },
);

const check = TypeCompiler.Compile(ChargingPreferencesSchema);

export function parseChargingPreferences(json: unknown): ParseResult<ChargingPreferences> {
  const issues = new IssueList();
  addSchemaIssues(check, json, issues);
  if (!issues.empty) return { ok: false, issues: issues.items };
  const o = json as {
    profile_type: ChargingPreferences['profileType'];
    departure_time?: string | null;
    energy_need?: number | null;
    discharge_allowed?: boolean | null;
  };
  const departure = o.departure_time == null ? undefined : parseDateTime(o.departure_time);
  if (o.departure_time != null && departure === undefined) {
    return { ok: false, issues: [{ path: '$.departure_time', message: 'not an OCPI DateTime' }] };
  }
  return {
    ok: true,
    value: {
      profileType: o.profile_type,
      ...(departure !== undefined ? { departureTime: departure } : {}),
      ...(o.energy_need != null ? { energyNeed: o.energy_need } : {}),
      ...(o.discharge_allowed != null ? { dischargeAllowed: o.discharge_allowed } : {}),
    },
  };
}
