// Use case: write canonical sessions into the store, rendered once per wire format.
import { sessionOwner, type Session } from '../../../domain/session.js';
import type { WriteSource } from '../../../domain/session-change.js';
import type { PutOptions, PutOutcome, SessionRecord, SessionStore } from '../../../store/contract.js';
import { renderAll } from '../wire/codecs.js';

/** The record of a session written by `source` (kept in the session's history; absent: not said). */
export function toRecord(session: Session, source?: WriteSource): SessionRecord {
  return {
    session,
    owner: sessionOwner(session),
    renders: renderAll(session),
    ...(source ? { source } : {}),
  };
}

export function writeSessions(
  store: SessionStore,
  sessions: Session[],
  options: PutOptions = { mode: 'if-newer' },
  source?: WriteSource,
): Promise<PutOutcome[]> {
  return store.putSessions(
    sessions.map((s) => toRecord(s, source)),
    options,
  );
}
