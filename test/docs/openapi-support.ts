// Helpers for the API documentation tests: the routes a Fastify app really has (from its router, independent
// of @fastify/swagger), and a JSON Schema 2020-12 validator (Ajv) for schemas taken out of the document.
import type { FastifyInstance } from 'fastify';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every (method, path) the router holds, from `printRoutes` (HEAD, added by Fastify for each GET, left out). */
export function registeredRoutes(app: FastifyInstance): Array<{ method: string; path: string }> {
  const out: Array<{ method: string; path: string }> = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│├└─ ]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m || !m[2]) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]);
    const path = stack.join('');
    for (const method of (m[3] ?? '').split(',').map((x) => x.trim())) {
      if (method && method !== 'HEAD') out.push({ method, path });
    }
  }
  return out;
}

/** Fastify's `:name` → OpenAPI's `{name}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

// ajv is CommonJS: under NodeNext the default import is the module object, whose `default` is the class.
const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ??
  Ajv2020Module) as typeof Ajv2020Module.default;

/**
 * Validators for schemas of one OpenAPI document: `#/components/schemas/X` references are resolved against
 * the document's components. OpenAPI annotations (`example`, `x-…`) are not JSON Schema keywords: not strict.
 */
export class DocumentValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(doc: Json) {
    const schemas = ((doc.components as Json | undefined)?.schemas ?? {}) as Json;
    for (const [name, schema] of Object.entries(schemas)) {
      this.ajv.addSchema({ ...(rewriteRefs(schema) as Json), $id: `urn:component:${name}` });
    }
  }

  validator(schema: unknown): ValidateFunction {
    const key = JSON.stringify(schema);
    let v = this.cache.get(key);
    if (!v) {
      v = this.ajv.compile(rewriteRefs(schema) as Json);
      this.cache.set(key, v);
    }
    return v;
  }

  /** undefined when valid, else Ajv's errors as text. */
  check(schema: unknown, value: unknown): string | undefined {
    const v = this.validator(schema);
    return v(value) ? undefined : this.ajv.errorsText(v.errors, { dataVar: '$' });
  }
}

function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
      out[k] = `urn:component:${v.slice('#/components/schemas/'.length)}`;
    } else if (k === 'examples' || k === 'example' || k === 'enum' || k === 'const' || k === 'default') {
      out[k] = v;
    } else {
      out[k] = rewriteRefs(v);
    }
  }
  delete out.$id;
  return out;
}

export interface FoundExample {
  where: string;
  schema: unknown;
  value: unknown;
}

const SUBSCHEMA_LISTS = ['oneOf', 'anyOf', 'allOf', 'prefixItems'];
const SUBSCHEMA_ONE = ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains'];

/** Every `examples` value of a schema and of its subschemas. */
function schemaExamples(schema: unknown, where: string, out: FoundExample[]): void {
  if (!isObject(schema)) return;
  if (Array.isArray(schema.examples)) {
    schema.examples.forEach((value, i) => out.push({ where: `${where}.examples[${i}]`, schema, value }));
  }
  if (schema.example !== undefined) out.push({ where: `${where}.example`, schema, value: schema.example });
  for (const [name, sub] of Object.entries(isObject(schema.properties) ? schema.properties : {})) {
    schemaExamples(sub, `${where}.properties.${name}`, out);
  }
  for (const key of SUBSCHEMA_LISTS) {
    const list = schema[key];
    if (Array.isArray(list)) list.forEach((sub, i) => schemaExamples(sub, `${where}.${key}[${i}]`, out));
  }
  for (const key of SUBSCHEMA_ONE) schemaExamples(schema[key], `${where}.${key}`, out);
}

/** Media, parameter and header objects: `example`, and `examples.*.value`, against their `schema`. */
function objectExamples(holder: unknown, where: string, out: FoundExample[]): void {
  if (!isObject(holder)) return;
  if (holder.example !== undefined)
    out.push({ where: `${where}.example`, schema: holder.schema, value: holder.example });
  if (isObject(holder.examples)) {
    for (const [name, ex] of Object.entries(holder.examples)) {
      if (isObject(ex) && 'value' in ex)
        out.push({ where: `${where}.examples.${name}`, schema: holder.schema, value: ex.value });
    }
  }
  schemaExamples(holder.schema, `${where}.schema`, out);
}

/** Every example in the document, with the schema it must satisfy. */
export function documentExamples(doc: Json): FoundExample[] {
  const out: FoundExample[] = [];
  const schemas = ((doc.components as Json | undefined)?.schemas ?? {}) as Json;
  for (const [name, schema] of Object.entries(schemas))
    schemaExamples(schema, `components.schemas.${name}`, out);
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Json)) {
    if (!isObject(item)) continue;
    for (const [method, op] of Object.entries(item)) {
      if (!isObject(op)) continue;
      const at = `paths.${path}.${method}`;
      for (const [i, p] of (Array.isArray(op.parameters) ? op.parameters : []).entries()) {
        objectExamples(p, `${at}.parameters[${i}]`, out);
      }
      const body = op.requestBody;
      if (isObject(body) && isObject(body.content)) {
        for (const [type, media] of Object.entries(body.content))
          objectExamples(media, `${at}.requestBody.${type}`, out);
      }
      for (const [status, response] of Object.entries(isObject(op.responses) ? op.responses : {})) {
        if (!isObject(response)) continue;
        for (const [type, media] of Object.entries(isObject(response.content) ? response.content : {})) {
          objectExamples(media, `${at}.responses.${status}.${type}`, out);
        }
        for (const [name, header] of Object.entries(isObject(response.headers) ? response.headers : {})) {
          objectExamples(header, `${at}.responses.${status}.headers.${name}`, out);
        }
      }
    }
  }
  return out;
}

/** The documented schema of one response body. */
export function responseSchema(doc: Json, path: string, method: string, status: number | string): unknown {
  const op = ((doc.paths as Json)[path] as Json | undefined)?.[method.toLowerCase()] as Json | undefined;
  const response = (op?.responses as Json | undefined)?.[String(status)] as Json | undefined;
  const media = (response?.content as Json | undefined)?.['application/json'] as Json | undefined;
  if (!media?.schema) throw new Error(`no documented ${status} body for ${method} ${path}`);
  return media.schema;
}

/** The documented headers of one response. */
export function responseHeaders(doc: Json, path: string, method: string, status: number | string): Json {
  const op = ((doc.paths as Json)[path] as Json | undefined)?.[method.toLowerCase()] as Json | undefined;
  const response = (op?.responses as Json | undefined)?.[String(status)] as Json | undefined;
  return (response?.headers ?? {}) as Json;
}
