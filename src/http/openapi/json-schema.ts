// TypeBox schemas as plain JSON Schema (2020-12, the dialect of OpenAPI 3.1 Schema Objects), and the
// documentation-only enrichment of the camel integer enums.
import type { TSchema } from '@sinclair/typebox';

export type JsonSchema = { [key: string]: unknown };

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A deep copy of a TypeBox schema as plain JSON: string keys only, so TypeBox's symbol markers (`[Kind]`,
 * `[OptionalKind]`) disappear. Our custom kind `OcpiStringEnum` (src/wire/kit/enum.ts) already carries
 * `{type: 'string', enum: [...]}` under string keys, so it reads as ordinary JSON Schema once the marker is gone.
 */
export function toJsonSchema(schema: TSchema | JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

/** `0 = AVAILABLE, 1 = BLOCKED, …` (how src/wire/kit/enum.ts describes a camel integer enum) → names by index. */
export function integerEnumNames(schema: JsonSchema): string[] | undefined {
  if (schema.type !== 'integer' || schema.minimum !== 0 || typeof schema.maximum !== 'number')
    return undefined;
  if (typeof schema.description !== 'string') return undefined;
  const names: string[] = [];
  for (const item of schema.description.split(', ')) {
    const m = /^(\d+) = ([A-Z0-9_]+)$/.exec(item);
    if (!m || Number(m[1]) !== names.length) return undefined;
    names.push(m[2]!);
  }
  return names.length === schema.maximum + 1 ? names : undefined;
}

/**
 * Walks a plain JSON Schema in place and lists every camel integer enum value with its name: `enum: [0..n]`
 * (the same set as minimum/maximum, so nothing is accepted or refused differently) and `x-enum-varnames`
 * (the names in index order, the convention code generators read).
 */
export function nameIntegerEnums(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) nameIntegerEnums(item);
    return;
  }
  if (!isObject(node)) return;
  const names = integerEnumNames(node);
  if (names && node.enum === undefined) {
    node.enum = names.map((_n, i) => i);
    node['x-enum-varnames'] = names;
  }
  for (const [key, value] of Object.entries(node)) {
    if (SCHEMA_MAPS.has(key) && isObject(value)) Object.values(value).forEach(nameIntegerEnums);
    else if (!DATA_KEYWORDS.has(key)) nameIntegerEnums(value);
  }
}

/** Keywords whose value maps names (which may be anything, `enum` included) to schemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas']);
/** Keywords holding data, not schemas. */
const DATA_KEYWORDS = new Set(['examples', 'example', 'enum', 'const', 'default', 'x-enum-varnames']);
