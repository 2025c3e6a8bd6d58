// What every wire codec offers: parse (permissive) + validate (explicit, JSON paths) + render (strict).
import type { Session, SessionPatch } from '../domain/session.js';
import type { WireFormat } from '../domain/wire-format.js';

export interface ValidationIssue {
  /** JSON path of the offending value, e.g. `$.location.evses[0].connectors[0].standard`. */
  path: string;
  message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

/** Facts a wire object may not carry itself (2.1.1 sessions name neither the CPO nor the token's eMSP). */
export interface ParseContext {
  /** The CPO party owning sessions that do not say so themselves (2.1.1). */
  cpo: { countryCode: string; partyId: string };
  /** The eMSP owning the token, for formats whose session has no cdr_token (2.1.1). */
  emsp?: { countryCode: string; partyId: string };
}

export type { SessionPatch } from '../domain/session.js';

export interface SessionCodec {
  readonly format: WireFormat;
  parseSession(json: unknown, ctx: ParseContext): ParseResult<Session>;
  parseSessionPatch(json: unknown, ctx: ParseContext): ParseResult<SessionPatch>;
  /** The session as JSON text in this format (no envelope). */
  renderSession(session: Session): string;
}
