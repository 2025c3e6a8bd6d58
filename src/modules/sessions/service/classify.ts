// One object from outside (an imported file, a pulled page) → a canonical Session or the reasons it is not one,
// the same way for every use case that reads sessions in bulk (import.ts, pull-page.ts).
import type { Session } from '../../../domain/session.js';
import type { WireFormat } from '../../../domain/wire-format.js';
import type { ParseContext, ValidationIssue } from '../../../wire/codec.js';
import { codecFor, type CodecOptions } from '../wire/codecs.js';

export type Classified =
  { ok: true; session: Session } | { ok: false; id?: string; issues: ValidationIssue[] };

const hasKey = (v: unknown, key: string) => typeof v === 'object' && v !== null && key in v;

/** Guesses the wire format of one object from its distinctive keys. */
export function detectFormat(obj: unknown): WireFormat | undefined {
  if (!obj || typeof obj !== 'object') return undefined;
  const o = obj as Record<string, unknown>;
  // OCPI 2.3.0 types §Price: before_taxes (2.2.1: excl_vat); otherwise the two Sessions have the same keys.
  if ('cdr_token' in o) return hasKey(o.total_cost, 'before_taxes') ? 'ocpi-2.3.0' : 'ocpi-2.2.1';
  if ('cdrToken' in o) return 'camel-2.2.1';
  if ('auth_id' in o || 'start_datetime' in o) return 'ocpi-2.1.1';
  if ('authId' in o || 'startDatetime' in o) return 'camel-2.1.1';
  return undefined;
}

/** The object's `id` as text, when it has one: how an invalid object is named in reports. */
export function idOf(obj: unknown): string | undefined {
  if (!obj || typeof obj !== 'object') return undefined;
  const id = (obj as { id?: unknown }).id;
  return typeof id === 'string' ? id : typeof id === 'number' ? String(id) : undefined;
}

/** Parses `obj` as a Session of `format` (undefined: not a Session in any known format). */
export function classifySession(
  obj: unknown,
  format: WireFormat | undefined,
  context: (format: WireFormat) => ParseContext,
  options: CodecOptions = {},
  notASession = 'not a Session in any known format',
): Classified {
  if (!format) return { ok: false, id: idOf(obj), issues: [{ path: '$', message: notASession }] };
  const parsed = codecFor(format, options).parse(obj, context(format));
  return parsed.ok
    ? { ok: true, session: parsed.value }
    : { ok: false, id: idOf(obj), issues: parsed.issues };
}
