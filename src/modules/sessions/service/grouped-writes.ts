// The writes of the sessions receiver and ingest requests, by group commit (src/service/group-commit.ts): the
// validated records of concurrent requests share one store transaction (one commit, one fsync); each request is
// answered once the transaction holding its write committed (acknowledged = durable). Writes of one session run
// one after the other in arrival order; writes of different sessions share transactions.
import {
  RevisionConflict,
  type PutOutcome,
  type SessionRecord,
  type SessionStore,
} from '../../../store/contract.js';
import { GroupCommit } from '../../../service/group-commit.js';
import { reachableParties } from '../../../service/push-route.js';
import { putRecords } from './writer.js';

/**
 * eMSP parties reachable through a registered sessions receiver (their own, or a hub listing them): their sessions
 * are pushed (OCPI 2.2.1 §9.1 push model), once per party (service/push-route.ts).
 */
async function pushTargets(store: SessionStore): Promise<string[]> {
  return reachableParties(await store.listPartners(), 'sessions', 'EMSP');
}

export class GroupedWrites {
  private readonly group: GroupCommit<SessionRecord, PutOutcome>;
  /** Per session key: the end of its latest write (removed when nothing follows it). */
  private readonly latest = new Map<string, Promise<void>>();

  constructor(readonly store: SessionStore) {
    // One options object per transaction: the receiver writes 'if-newer' (a late, reordered delivery never rolls
    // a session back), the push targets read once per transaction; a read-modify-write carries its revision in
    // the record (SessionRecord.ifRev). A revision conflict is one record's: the others are committed again one
    // by one, and only that one fails (its PATCH re-reads). A store fault fails every member of the batch.
    this.group = new GroupCommit(
      async (records) =>
        putRecords(store, [...records], { mode: 'if-newer', pushTo: await pushTargets(store) }),
      { alone: (e) => e instanceof RevisionConflict },
    );
  }

  /** Writes the record; resolves once the transaction holding it committed. */
  put(record: SessionRecord): Promise<PutOutcome> {
    return this.group.submit(record);
  }

  /**
   * Runs `work` (read, decide, `put`) once the earlier works of the same session ended, so that writes of one
   * session apply in arrival order: a PATCH reads what a PUT received before it wrote. The first work of a
   * session starts at once (in the same turn: its `put` joins the next transaction).
   */
  inOrder<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.latest.get(key);
    const run = before ? before.then(work) : work();
    const done = run.then(
      () => undefined,
      () => undefined,
    );
    this.latest.set(key, done);
    void done.then(() => {
      if (this.latest.get(key) === done) this.latest.delete(key);
    });
    return run;
  }
}
