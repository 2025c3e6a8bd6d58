// The store half of the pull's flush (pull.ts): the sessions held since the last flush, compared with what the
// store holds, and the new or changed ones written in one transaction (putSessions). Runs in place, or on the
// pull's store thread (pull-store-thread.ts) with that thread's own connection to the same SQLite file.
import { isDeepStrictEqual } from 'node:util';
import type { Session } from '../../../domain/session.js';
import type { SessionStore } from '../../../store/contract.js';
import { putRecords, toRecord } from './writer.js';

/** A valid session waiting for the flush; `first`: its first sighting in this run (counted in `stored`). */
export interface Held {
  key: string;
  session: Session;
  first: boolean;
}

/** What a batch added to the run's counts (first sightings only). */
export interface BatchCounts {
  new: number;
  updated: number;
  unchanged: number;
}

/** Stores the new or changed sessions of `held`, in one transaction; nothing is stored when it throws. */
export async function storeBatch(store: SessionStore, held: Held[]): Promise<BatchCounts> {
  const counts: BatchCounts = { new: 0, updated: 0, unchanged: 0 };
  const stored = await Promise.all(
    held.map(({ session: s }) => store.getSession(s.countryCode, s.partyId, s.id)),
  );
  // A session held twice (a correction's overlap, a rewind) is compared with its earlier version in this batch.
  const latest = new Map<string, Session>();
  const write: Session[] = [];
  const firsts: boolean[] = [];
  held.forEach(({ key, session: s, first }, i) => {
    const earlier = latest.get(key);
    const old = earlier ? plain(earlier) : stored[i]?.session;
    // Unchanged: what we hold is newer, or the same version (same last_updated and content).
    if (
      old &&
      (old.lastUpdated > s.lastUpdated || (old.lastUpdated === s.lastUpdated && sameContent(old, s)))
    ) {
      if (first) counts.unchanged += 1;
      return;
    }
    latest.set(key, s);
    write.push(s);
    firsts.push(first);
  });
  // One transaction for the batch; 'if-newer' keeps a newer stored session should one arrive meanwhile.
  const outcomes =
    write.length === 0
      ? []
      : await putRecords(
          store,
          write.map((s) => toRecord(s, 'pull')),
          { mode: 'if-newer' },
        );
  outcomes.forEach((outcome, i) => {
    if (!firsts[i]) return;
    if (outcome === 'created') counts.new += 1;
    else if (outcome === 'updated') counts.updated += 1;
    else counts.unchanged += 1;
  });
  return counts;
}

/** The session as the store gives it back: through JSON (no undefined members). */
function plain(s: Session): Session {
  return JSON.parse(JSON.stringify(s)) as Session;
}

function sameContent(stored: Session, incoming: Session): boolean {
  // The stored session went through JSON (no undefined members); compare like with like.
  return isDeepStrictEqual(stored, plain(incoming));
}
