// Use case: write canonical sessions into the store, rendered once per wire format.
import { sessionOwner, type Session } from '../../../domain/session.js';
import type { PutOptions, PutOutcome, SessionRecord, SessionStore } from '../../../store/contract.js';
import { renderAll } from '../wire/codecs.js';

export function toRecord(session: Session): SessionRecord {
  return { session, owner: sessionOwner(session), renders: renderAll(session) };
}

export function writeSessions(
  store: SessionStore,
  sessions: Session[],
  options: PutOptions = { mode: 'if-newer' },
): Promise<PutOutcome[]> {
  return store.putSessions(sessions.map(toRecord), options);
}
