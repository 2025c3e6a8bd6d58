// The Session object in the wire kit's terms (kit/codec.ts): its shape type, its codec type, and the rules both
// versions share.
import type { Millis } from '../../../domain/location.js';
import type { Session, SessionPatch } from '../../../domain/session.js';
import type { WireCodec } from '../../../wire/codec.js';
import type { ObjectShape } from '../../../wire/kit/codec.js';
import { fieldPath } from '../../../wire/kit/style.js';
import type { DecodeCx } from '../../../wire/kit/value.js';

/** A Session object of one version (2.1.1 or 2.2.1), R being its content in model terms. */
export type SessionShape<R> = ObjectShape<Session, SessionPatch, R>;

/** The Session object in one wire format. */
export type SessionCodec = WireCodec<Session, SessionPatch>;

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
