// What every wire codec offers, for any OCPI object: parse (permissive) + validate (explicit, JSON paths) + render
// (strict). A module's codecs (src/modules/<module>/wire/) are built by kit/codec.ts from one field list each.
import type { TSchema } from '@sinclair/typebox';
import type { WireFormat } from '../domain/wire-format.js';
import type { WireStyle } from './kit/style.js';

export interface ValidationIssue {
  /** JSON path of the offending value, e.g. `$.location.evses[0].connectors[0].standard`. */
  path: string;
  message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

/** Facts a wire object may not carry itself (2.1.1 sessions name neither the CPO nor the token's eMSP). */
export interface ParseContext {
  /** The CPO party owning objects that do not say so themselves (2.1.1). */
  cpo: { countryCode: string; partyId: string };
  /** The eMSP owning the token, for formats whose object has no cdr_token (2.1.1). */
  emsp?: { countryCode: string; partyId: string };
}

/** One OCPI object type (T, changed by a PATCH P) in one wire format. */
export interface WireCodec<T, P> {
  readonly format: WireFormat;
  readonly style: WireStyle;
  /** JSON Schema (TypeBox) of the object in this format. */
  readonly schema: TSchema;
  /** JSON Schema of a PATCH body in this format. */
  readonly patchSchema: TSchema;
  parse(json: unknown, ctx: ParseContext): ParseResult<T>;
  parsePatch(json: unknown, ctx: ParseContext): ParseResult<P>;
  /** The object as JSON text in this format (no envelope). */
  render(value: T): string;
}
