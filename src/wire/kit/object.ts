// Object codecs: an OCPI object is one ordered list of fields (spec name, model key, value codec,
// cardinality). That list yields the JSON Schema, the decoder and the encoder, in the spec's key order,
// for every style. Output objects are built field by field from this list, never from input keys.
import { CloneType, Type, type TSchema } from '@sinclair/typebox';
import { isOrderedKey, type JsonObject } from './json.js';
import { wireKey, type WireStyle } from './style.js';
import { at, isRecord, own, type DecodeCx, type ValueCodec } from './value.js';

export interface FieldOptions<T> {
  /** Keep the spec's snake_case name in the camel style too (a documented quirk of the camel contract). */
  raw?: boolean;
  /** Present only in some styles (e.g. ChargingPeriod `tariff_id` is not in OCPI 2.1.1). */
  only?: (w: WireStyle) => boolean;
  /** Written only when this holds (e.g. the 2.1.1 Hours choice). */
  emitIf?: (x: T, w: WireStyle) => boolean;
  description?: string;
}

export interface Field<T> extends FieldOptions<T> {
  /** The field's name in the OCPI spec table (snake_case). */
  readonly wire: string;
  readonly model: keyof T & string;
  readonly codec: ValueCodec<unknown>;
  /** Cardinality 1 or + (required); ? and * are optional, and null counts as absent. */
  readonly required: boolean;
}

export interface FieldMaker<T> {
  req<K extends keyof T & string>(
    wire: string,
    model: K,
    codec: ValueCodec<NonNullable<T[K]>>,
    opts?: FieldOptions<T>,
  ): Field<T>;
  opt<K extends keyof T & string>(
    wire: string,
    model: K,
    codec: ValueCodec<NonNullable<T[K]>>,
    opts?: FieldOptions<T>,
  ): Field<T>;
}

export interface ObjectCodec<T> extends ValueCodec<T> {
  readonly title: string;
  readonly fields: readonly Field<T>[];
  /** Schema of a PATCH body: every field optional except those named (by spec name) in `required`. */
  patchSchema(w: WireStyle, required: readonly string[]): TSchema;
  /** Decodes only the fields present (and not null): the content of a PATCH. */
  decodePresent(v: unknown, cx: DecodeCx): Partial<T> | undefined;
}

interface ObjectMeta {
  title: string;
  /** What the object is, citing the spec section. */
  description: string;
}

function maker<T>(): FieldMaker<T> {
  const field =
    (required: boolean) =>
    <K extends keyof T & string>(
      wire: string,
      model: K,
      codec: ValueCodec<NonNullable<T[K]>>,
      opts: FieldOptions<T> = {},
    ): Field<T> => ({ ...opts, wire, model, codec: codec as ValueCodec<unknown>, required });
  return { req: field(true), opt: field(false) };
}

function nullable(schema: TSchema, description?: string): TSchema {
  return Type.Optional(Type.Union([schema, Type.Null()], description ? { description } : {}));
}

export function objectCodec<T>(meta: ObjectMeta, define: (f: FieldMaker<T>) => Field<T>[]): ObjectCodec<T> {
  const fields = define(maker<T>());
  for (const f of fields)
    if (!isOrderedKey(f.wire)) throw new Error(`${meta.title}: '${f.wire}' cannot be an ordered JSON key`);
  // The fields a style carries, worked out once per style (encode asks for every object of every render).
  const activeFor = new WeakMap<WireStyle, Field<T>[]>();
  const active = (w: WireStyle) => {
    let a = activeFor.get(w);
    if (!a) activeFor.set(w, (a = fields.filter((f) => !f.only || f.only(w))));
    return a;
  };
  const keyOf = (w: WireStyle, f: Field<T>) => wireKey(w, f.wire, f.raw);

  function schema(w: WireStyle, isRequired: (f: Field<T>) => boolean): TSchema {
    const properties = Object.fromEntries(
      active(w).map((f) => {
        const base = f.codec.schema(w);
        const s = isRequired(f)
          ? f.description
            ? CloneType(base, { description: f.description })
            : base
          : nullable(base, f.description);
        return [keyOf(w, f), s];
      }),
    );
    // Additional properties stay allowed: unknown fields are ignored (OCPI 2.3.0 makes this explicit).
    return Type.Object(properties, { title: `${meta.title} (${w.format})`, description: meta.description });
  }

  function decodeFields(v: unknown, cx: DecodeCx, withDefaults: boolean): Partial<T> | undefined {
    if (!isRecord(v)) return undefined;
    const out: Partial<Record<keyof T, unknown>> = {};
    for (const f of active(cx.w)) {
      const key = keyOf(cx.w, f);
      const raw = own(v, key);
      if (raw === undefined || raw === null) {
        const fallback = withDefaults ? f.codec.absent?.() : undefined;
        if (fallback !== undefined) out[f.model] = fallback;
        continue;
      }
      const inner = at(cx, key);
      const value = f.codec.decode(raw, inner);
      if (value !== undefined) out[f.model] = value;
      // Normally the schema check has reported this path already (the issue list keeps one per path); this
      // only speaks if a decoder rejects what its schema accepted, so that nothing is dropped silently.
      else inner.issues.add(inner.path, 'could not be read');
    }
    return out as Partial<T>;
  }

  return {
    title: meta.title,
    fields,
    schema: (w) => schema(w, (f) => f.required),
    patchSchema: (w, required) => schema(w, (f) => required.includes(f.wire)),
    // On invalid input the result may lack required fields; callers only use it when no issue was found.
    decode: (v, cx) => decodeFields(v, cx, true) as T | undefined,
    decodePresent: (v, cx) => decodeFields(v, cx, false),
    encode(x, w) {
      const out: JsonObject = {};
      for (const f of active(w)) {
        if (f.emitIf && !f.emitIf(x, w)) continue;
        const value: unknown = x[f.model];
        if (value === undefined || value === null) continue;
        const node = f.codec.encode(value, w);
        if (node !== undefined) out[keyOf(w, f)] = node;
        // A required value with no equivalent in this format makes the object meaningless: drop it whole
        // (a CdrDimension of a type 2.1.1 lacks, a ChargingPeriod left without dimensions).
        else if (f.required) return undefined;
      }
      return out;
    },
  };
}
