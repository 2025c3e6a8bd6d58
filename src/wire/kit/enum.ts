// Enum values: UPPERCASE names in OCPI, integer indexes into the camel tables in the camel formats.
// On input every format accepts the canonical (2.1.1 ∪ 2.2.1) values, and 2.3.0 any string for an open enum
// (types §OpenEnum); on output a format carries only its own version's values, through the down-mapping tables.
import { Kind, Type, TypeRegistry, type TSchema } from '@sinclair/typebox';
import {
  AUTH_METHODS,
  CAPABILITIES,
  CDR_DIMENSION_TYPES,
  CONNECTOR_FORMATS,
  CONNECTOR_TYPES,
  ENERGY_SOURCE_CATEGORIES,
  ENVIRONMENTAL_IMPACT_CATEGORIES,
  EVSE_STATUSES,
  FACILITIES,
  IMAGE_CATEGORIES,
  LOCATION_TYPES,
  PARKING_RESTRICTIONS,
  POWER_TYPES,
  SESSION_STATUSES,
  TOKEN_TYPES,
} from '../../domain/enums.js';
import type { EnumName, EnumTables, EnumTypes } from '../camel/enum-tables.js';
import { renderEnum } from '../down-mapping.js';
import { isOpenEnum } from '../../domain/enums.js';
import type { ValueCodec } from './value.js';

/** The canonical value set of each enum (src/domain/enums.ts). */
export const ENUM_DOMAINS: EnumTables = {
  AuthMethod: AUTH_METHODS,
  LocationType: LOCATION_TYPES,
  EvseStatus: EVSE_STATUSES,
  Capability: CAPABILITIES,
  ConnectorType: CONNECTOR_TYPES,
  ConnectorFormat: CONNECTOR_FORMATS,
  PowerType: POWER_TYPES,
  ParkingRestriction: PARKING_RESTRICTIONS,
  ImageCategory: IMAGE_CATEGORIES,
  Facility: FACILITIES,
  EnergySourceCategory: ENERGY_SOURCE_CATEGORIES,
  EnvironmentalImpactCategory: ENVIRONMENTAL_IMPACT_CATEGORIES,
  CdrDimensionType: CDR_DIMENSION_TYPES,
  SessionStatus: SESSION_STATUSES,
  TokenType: TOKEN_TYPES,
};

function member<N extends EnumName>(values: readonly EnumTypes[N][], v: unknown): EnumTypes[N] | undefined {
  return values.find((x) => x === v);
}

// String enums as `{type: 'string', enum: [...]}` (what OpenAPI and Ajv expect), checked by TypeBox through a
// registered kind: TypeBox's own Union-of-Literals would read as 40 `const` alternatives in a generated doc.
const STRING_ENUM = 'OcpiStringEnum';
if (!TypeRegistry.Has(STRING_ENUM)) {
  TypeRegistry.Set<{ enum: readonly unknown[] }>(STRING_ENUM, (schema, value) => schema.enum.includes(value));
}

function stringEnum(title: string, values: readonly string[]): TSchema {
  return Type.Unsafe<string>({ [Kind]: STRING_ENUM, type: 'string', enum: [...values], title });
}

// OCPI 2.3.0 types §OpenEnum: "serialized as JSON strings"; the known values are listed, others are kept.
function openEnum(title: string, values: readonly string[]): TSchema {
  return Type.String({
    title,
    minLength: 1,
    maxLength: 255,
    examples: [...values],
    description: `OCPI 2.3.0 OpenEnum: any value is accepted and kept; known values: ${values.join(', ')}`,
  });
}

/** The enum schemas are titled with the enum name (validate.ts words its messages from that). */
export function enumOf<N extends EnumName>(name: N): ValueCodec<EnumTypes[N]> {
  const open = isOpenEnum(name);
  return {
    schema(w) {
      if (w.enums === 'names' && w.openEnums && open) return openEnum(name, ENUM_DOMAINS[name]);
      if (w.enums === 'names') return stringEnum(name, ENUM_DOMAINS[name]);
      const table = w.tables[name];
      return Type.Integer({
        title: name,
        minimum: 0,
        maximum: table.length - 1,
        description: table.map((v, i) => `${i} = ${v}`).join(', '),
      });
    },
    decode(v, cx) {
      if (cx.w.enums === 'names' && cx.w.openEnums && open)
        return typeof v === 'string' && v.length > 0 ? (v as EnumTypes[N]) : undefined;
      if (cx.w.enums === 'names') return member<N>(ENUM_DOMAINS[name], v);
      return typeof v === 'number' && Number.isInteger(v) ? cx.w.tables[name][v] : undefined;
    },
    encode(x, w) {
      const y = renderEnum(w.domain, w.openEnums, name, ENUM_DOMAINS[name], x);
      if (y === undefined) return undefined;
      if (w.enums === 'names') return y;
      const i = w.tables[name].indexOf(y);
      return i < 0 ? undefined : i;
    },
  };
}
