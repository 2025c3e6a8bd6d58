// Value codecs: one definition per wire value gives its JSON Schema (TypeBox, for validation and OpenAPI),
// its decoder (wire → model) and its encoder (model → ordered JSON), for any WireStyle.
//
// Decoders run on input that may have failed the schema: they never throw, return undefined for values of
// the wrong type (the schema check reports those), and report only what a schema cannot express.
import { Type, type TSchema } from '@sinclair/typebox';
import { formatDateTime, parseDateTime } from '../../domain/datetime.js';
import type { Millis } from '../../domain/location.js';
import { DATE_TIME_PATTERN, type IssueList } from '../validate.js';
import type { JsonNode } from './json.js';
import type { WireStyle } from './style.js';

export interface DecodeCx {
  readonly w: WireStyle;
  /** JSON path of the value being decoded. */
  readonly path: string;
  readonly issues: IssueList;
}

export interface ValueCodec<T> {
  schema(w: WireStyle): TSchema;
  decode(v: unknown, cx: DecodeCx): T | undefined;
  /** undefined: nothing to write (the value has no equivalent in this format and is dropped). */
  encode(x: T, w: WireStyle): JsonNode | undefined;
  /** The model value of an absent (or null) wire field, when there is one (`*` lists: []). */
  absent?(): T;
}

export function at(cx: DecodeCx, key: string | number): DecodeCx {
  return new Nested(cx, key);
}

/**
 * The context of a member: its path is spelled out only when asked for (an issue is reported), not for every field
 * of every object decoded (measured: building the paths was an eighth of a pull's decoding).
 */
class Nested implements DecodeCx {
  readonly w: WireStyle;
  readonly issues: IssueList;
  private spelled: string | undefined;
  constructor(
    private readonly parent: DecodeCx,
    private readonly key: string | number,
  ) {
    this.w = parent.w;
    this.issues = parent.issues;
  }
  get path(): string {
    const { parent, key } = this;
    return (this.spelled ??= typeof key === 'number' ? `${parent.path}[${key}]` : `${parent.path}.${key}`);
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own property of parsed JSON (inherited members such as `constructor` are never fields). */
export function own(o: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

interface StringOptions {
  pattern?: string;
  description?: string;
}

/** OCPI string(n) / CiString(n) / URL (= string(255)). */
export function str(maxLength: number, opts: StringOptions = {}): ValueCodec<string> {
  return {
    schema: () => Type.String({ maxLength, ...opts }),
    decode: (v) => (typeof v === 'string' ? v : undefined),
    encode: (x) => x,
  };
}

interface RangeOptions {
  minimum?: number;
  maximum?: number;
  description?: string;
}

/** OCPI number: finite (TypeBox rejects NaN/Infinity, e.g. from `1e400`). */
export function num(opts: RangeOptions = {}): ValueCodec<number> {
  return {
    schema: () => Type.Number(opts),
    // `+ 0` turns -0 into 0: JSON cannot tell them apart, the model should not either.
    decode: (v) => (typeof v === 'number' && Number.isFinite(v) ? v + 0 : undefined),
    encode: (x) => (Number.isFinite(x) ? x : undefined),
  };
}

/** OCPI int / int(n). */
export function int(opts: RangeOptions = {}): ValueCodec<number> {
  return {
    schema: () => Type.Integer(opts),
    decode: (v) => (typeof v === 'number' && Number.isInteger(v) ? v + 0 : undefined),
    encode: (x) => (Number.isFinite(x) ? Math.round(x) : undefined),
  };
}

export const bool: ValueCodec<boolean> = {
  schema: () => Type.Boolean(),
  decode: (v) => (typeof v === 'boolean' ? v : undefined),
  encode: (x) => x,
};

const DATE_TIME_SHAPE = new RegExp(DATE_TIME_PATTERN);
const MAX_DATE_MS = 8.64e15;

/** OCPI DateTime: parsed permissively (domain/datetime.ts), written as UTC with `Z`. */
export const dateTime: ValueCodec<Millis> = {
  schema: () =>
    Type.String({
      pattern: DATE_TIME_PATTERN,
      description: 'OCPI DateTime (2.1.1 types §1.2, 2.2.1 §16.2): UTC, e.g. 2015-06-29T20:39:09Z',
    }),
  decode(v, cx) {
    if (typeof v !== 'string') return undefined;
    const ms = parseDateTime(v);
    // Right shape but no such instant (2023-02-30T..., 24:00:00): the pattern cannot say so.
    if (ms === undefined && DATE_TIME_SHAPE.test(v))
      cx.issues.add(cx.path, `not a valid date and time: ${v}`);
    return ms;
  },
  encode: (x) => (Number.isFinite(x) && Math.abs(x) <= MAX_DATE_MS ? formatted(x) : undefined),
};

/**
 * The same instants are written again by each of a session's renders (four formats at every write): the latest
 * ones are remembered (measured: a Date and toISOString per instant were a sixth of a render).
 */
const FORMATTED = new Map<Millis, string>();
function formatted(ms: Millis): string {
  let s = FORMATTED.get(ms);
  if (s === undefined) {
    if (FORMATTED.size >= 512) FORMATTED.clear();
    FORMATTED.set(ms, (s = formatDateTime(ms)));
  }
  return s;
}

interface ListOptions {
  /** `+` cardinality: at least one item. */
  minItems?: number;
}

/**
 * A list (`*`, or `+` with minItems 1). Items that encode to nothing are dropped; a `+` list left empty
 * encodes to nothing, so the object holding it is dropped too (see object.ts).
 */
export function list<T>(item: ValueCodec<T>, opts: ListOptions = {}): ValueCodec<T[]> {
  const min = opts.minItems ?? 0;
  return {
    schema: (w) => Type.Array(item.schema(w), min > 0 ? { minItems: min } : {}),
    decode(v, cx) {
      if (!Array.isArray(v)) return undefined;
      const out: T[] = [];
      v.forEach((x: unknown, i) => {
        const inner = at(cx, i);
        const d = item.decode(x, inner);
        if (d !== undefined) out.push(d);
        else inner.issues.add(inner.path, 'could not be read'); // see object.ts: only if the schema said nothing
      });
      return out;
    },
    encode(xs, w) {
      const out: JsonNode[] = [];
      for (const x of xs) {
        const node = item.encode(x, w);
        if (node !== undefined) out.push(node);
      }
      if (out.length === 0 && (min > 0 || w.emptyLists === 'omit')) return undefined;
      return out;
    },
    absent: () => [],
  };
}

/** A wire value that maps onto a differently shaped model value (e.g. 2.1.1 `tariff_id` ↔ `tariffIds`). */
export function mapped<W, M>(
  inner: ValueCodec<W>,
  toModel: (x: W) => M,
  toWire: (x: M) => W | undefined,
  absent?: () => M,
): ValueCodec<M> {
  return {
    schema: (w) => inner.schema(w),
    decode(v, cx) {
      const d = inner.decode(v, cx);
      return d === undefined ? undefined : toModel(d);
    },
    encode(x, w) {
      const y = toWire(x);
      return y === undefined ? undefined : inner.encode(y, w);
    },
    ...(absent ? { absent } : {}),
  };
}
