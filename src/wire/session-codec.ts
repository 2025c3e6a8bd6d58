// Turns a Session shape (the 2.1.1 or the 2.2.1 object, defined once) plus a WireStyle into a SessionCodec:
// schema check (TypeBox, every violation with its JSON path) → decode (semantic checks) → model mapping.
import { CloneType, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { Millis } from '../domain/location.js';
import type { Session } from '../domain/session.js';
import type { ParseContext, ParseResult, SessionCodec, SessionPatch } from './codec.js';
import { writeJson } from './kit/json.js';
import type { ObjectCodec } from './kit/object.js';
import { fieldPath, type WireStyle } from './kit/style.js';
import type { DecodeCx } from './kit/value.js';
import { addSchemaIssues, IssueList } from './validate.js';

export interface SessionShape<R> {
  /** The wire Session object; R is its content in model terms (close to, but not always, a Session). */
  readonly object: ObjectCodec<R>;
  /** Spec names of the fields a PATCH must carry. */
  readonly patchRequired: readonly string[];
  /** Builds the model Session; reports cross-field problems. May be handed partial records (after issues). */
  toSession(rec: Partial<R>, ctx: ParseContext, cx: DecodeCx): Session | undefined;
  toPatch(rec: Partial<R>, ctx: ParseContext, cx: DecodeCx): SessionPatch;
  fromSession(session: Session): R;
}

export interface WireSessionCodec extends SessionCodec {
  readonly style: WireStyle;
  /** JSON Schema (TypeBox) of the Session object in this format. */
  readonly schema: TSchema;
  /** JSON Schema of a PATCH body in this format. */
  readonly patchSchema: TSchema;
}

/** `OcpiSession211`, `CamelSessionPatch221`, ... */
function schemaId(w: WireStyle, patch: boolean): string {
  const version = w.format.slice(-5).replace(/\./g, '');
  return `${w.naming === 'camel' ? 'Camel' : 'Ocpi'}Session${patch ? 'Patch' : ''}${version}`;
}

const PERMISSIVE =
  ' Unknown fields are ignored; null counts as absent for optional fields; DateTimes are accepted without Z.';

export function makeSessionCodec<R>(shape: SessionShape<R>, w: WireStyle): WireSessionCodec {
  const base = shape.object.schema(w);
  const schema = CloneType(base, {
    $id: schemaId(w, false),
    description: `${base.description}${PERMISSIVE}`,
  });
  const patchBase = shape.object.patchSchema(w, shape.patchRequired);
  const patchSchema = CloneType(patchBase, {
    $id: schemaId(w, true),
    title: `Session PATCH (${w.format})`,
    description: `Only the fields that change${shape.patchRequired.length ? `, plus ${shape.patchRequired.join(', ')}` : ''}.${PERMISSIVE}`,
  });
  let check: TypeCheck<TSchema> | undefined;
  let patchCheck: TypeCheck<TSchema> | undefined;

  function run<T>(
    json: unknown,
    compiled: () => TypeCheck<TSchema>,
    decode: (cx: DecodeCx) => T | undefined,
  ) {
    const issues = new IssueList();
    let value: T | undefined;
    try {
      addSchemaIssues(compiled(), json, issues);
      value = decode({ w, path: '$', issues });
    } catch (err) {
      // Not expected for any input; kept so that a parser bug surfaces as an issue, never as a throw.
      issues.add('$', `could not be processed: ${err instanceof Error ? err.message : String(err)}`);
    }
    const result: ParseResult<T> =
      issues.empty && value !== undefined ? { ok: true, value } : { ok: false, issues: issues.items };
    return result;
  }

  return {
    format: w.format,
    style: w,
    schema,
    patchSchema,
    parseSession(json, ctx) {
      return run(
        json,
        () => (check ??= TypeCompiler.Compile(schema)),
        (cx) => {
          const rec = shape.object.decode(json, cx);
          return rec === undefined ? undefined : shape.toSession(rec, ctx, cx);
        },
      );
    },
    parseSessionPatch(json, ctx) {
      return run(
        json,
        () => (patchCheck ??= TypeCompiler.Compile(patchSchema)),
        (cx) => {
          const rec = shape.object.decodePresent(json, cx);
          return rec === undefined ? undefined : shape.toPatch(rec, ctx, cx);
        },
      );
    },
    renderSession(session) {
      const node = shape.object.encode(shape.fromSession(session), w);
      return node === undefined ? '{}' : writeJson(node);
    },
  };
}

/** A session cannot end before it starts (both versions: end_date_time is "when the session is completed"). */
export function checkEndNotBeforeStart(
  start: Millis | undefined,
  end: Millis | undefined,
  cx: DecodeCx,
  endField: string,
): void {
  if (start !== undefined && end !== undefined && end < start) {
    cx.issues.add(fieldPath(cx.w, endField), 'must not be before the start of the session');
  }
}
