// Turns an object shape (an OCPI object of one version, defined once as a field list) plus a WireStyle into a
// WireCodec: schema check (TypeBox, every violation with its JSON path) → decode (semantic checks) → model mapping.
// Generic over the object type: a module declares its shapes (src/modules/<module>/wire/) and gets its codecs here.
import { CloneType, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { ParseContext, ParseResult, WireCodec } from '../codec.js';
import { writeJson } from './json.js';
import type { ObjectCodec } from './object.js';
import type { WireStyle } from './style.js';
import type { DecodeCx } from './value.js';
import { addSchemaIssues, IssueList } from '../validate.js';
import { versionOf } from '../../domain/wire-format.js';

/** One OCPI object type of one version: its field list and the mapping to and from the model type T (patch P). */
export interface ObjectShape<T, P, R> {
  /** Object name in schema ids and titles: `Session` gives `OcpiSession221`, `CamelSessionPatch211`. */
  readonly name: string;
  /** The wire object; R is its content in model terms (close to, but not always, a T). */
  readonly object: ObjectCodec<R>;
  /** Spec names of the fields a PATCH must carry. */
  readonly patchRequired: readonly string[];
  /** Builds the model object; reports cross-field problems. May be handed partial records (after issues). */
  toModel(rec: Partial<R>, ctx: ParseContext, cx: DecodeCx): T | undefined;
  toPatch(rec: Partial<R>, ctx: ParseContext, cx: DecodeCx): P;
  fromModel(value: T): R;
}

/** `OcpiSession211`, `CamelSessionPatch221`, ... */
function schemaId(name: string, w: WireStyle, patch: boolean): string {
  const version = versionOf(w.format).replace(/\./g, '');
  return `${w.naming === 'camel' ? 'Camel' : 'Ocpi'}${name}${patch ? 'Patch' : ''}${version}`;
}

const PERMISSIVE =
  ' Unknown fields are ignored; null counts as absent for optional fields; DateTimes are accepted without Z.';

export function makeCodec<T, P, R>(shape: ObjectShape<T, P, R>, w: WireStyle): WireCodec<T, P> {
  const base = shape.object.schema(w);
  const schema = CloneType(base, {
    $id: schemaId(shape.name, w, false),
    description: `${base.description}${PERMISSIVE}`,
  });
  const patchBase = shape.object.patchSchema(w, shape.patchRequired);
  const patchSchema = CloneType(patchBase, {
    $id: schemaId(shape.name, w, true),
    title: `${shape.name} PATCH (${w.format})`,
    description: `Only the fields that change${shape.patchRequired.length ? `, plus ${shape.patchRequired.join(', ')}` : ''}.${PERMISSIVE}`,
  });
  let check: TypeCheck<TSchema> | undefined;
  let patchCheck: TypeCheck<TSchema> | undefined;

  function run<V>(
    json: unknown,
    compiled: () => TypeCheck<TSchema>,
    decode: (cx: DecodeCx) => V | undefined,
  ) {
    const issues = new IssueList();
    let value: V | undefined;
    try {
      addSchemaIssues(compiled(), json, issues);
      value = decode({ w, path: '$', issues });
    } catch (err) {
      // Not expected for any input; kept so that a parser bug surfaces as an issue, never as a throw.
      issues.add('$', `could not be processed: ${err instanceof Error ? err.message : String(err)}`);
    }
    const result: ParseResult<V> =
      issues.empty && value !== undefined ? { ok: true, value } : { ok: false, issues: issues.items };
    return result;
  }

  return {
    format: w.format,
    style: w,
    schema,
    patchSchema,
    parse(json, ctx) {
      return run(
        json,
        () => (check ??= TypeCompiler.Compile(schema)),
        (cx) => {
          const rec = shape.object.decode(json, cx);
          return rec === undefined ? undefined : shape.toModel(rec, ctx, cx);
        },
      );
    },
    parsePatch(json, ctx) {
      return run(
        json,
        () => (patchCheck ??= TypeCompiler.Compile(patchSchema)),
        (cx) => {
          const rec = shape.object.decodePresent(json, cx);
          return rec === undefined ? undefined : shape.toPatch(rec, ctx, cx);
        },
      );
    },
    render(value) {
      const node = shape.object.encode(shape.fromModel(value), w);
      return node === undefined ? '{}' : writeJson(node);
    },
  };
}
