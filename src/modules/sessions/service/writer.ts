// Use case: write canonical sessions into the store, rendered in the store's stored wire formats (issue 16).
//
// The store reads its stored set inside the write transaction and renders each format a record lacks with
// `renderBody` (PutOptions.render) right there, so a record is always written in exactly the set of that
// transaction, whoever added a format meanwhile (another request, another process). A writer that can render
// ahead on another thread (demo seeding) puts its renders in the record; the store uses them for the formats it
// keeps and renders the others.
import { sessionOwner, type Session } from '../../../domain/session.js';
import type { WriteSource } from '../../../domain/session-change.js';
import type { WireFormat } from '../../../domain/wire-format.js';
import type {
  PutOptions,
  PutOutcome,
  RenderBody,
  SessionRecord,
  SessionStore,
} from '../../../store/contract.js';
import { codecFor } from '../wire/codecs.js';

/** A session's body in one format: what every stored body is (the render of a stored format, PutOptions.render). */
export const renderBody: RenderBody = (format, session) => codecFor(format).render(session);

/**
 * The record of a session written by `source` (kept in the session's history; absent: not said), rendered ahead
 * in `formats` (default none: the store renders its stored formats in the transaction with renderBody).
 */
export function toRecord(
  session: Session,
  source?: WriteSource,
  formats: readonly WireFormat[] = [],
): SessionRecord {
  const renders: Partial<Record<WireFormat, string>> = {};
  for (const f of formats) renders[f] = renderBody(f, session);
  return {
    session,
    owner: sessionOwner(session),
    renders,
    ...(source ? { source } : {}),
  };
}

/** putSessions with the sessions module's render of the stored formats. */
export function putRecords(
  store: SessionStore,
  records: SessionRecord[],
  options: PutOptions,
): Promise<PutOutcome[]> {
  return store.putSessions(records, { ...options, render: renderBody });
}

export function writeSessions(
  store: SessionStore,
  sessions: Session[],
  options: PutOptions = { mode: 'if-newer' },
  source?: WriteSource,
): Promise<PutOutcome[]> {
  return putRecords(
    store,
    sessions.map((s) => toRecord(s, source)),
    options,
  );
}
