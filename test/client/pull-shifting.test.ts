// The pull client against a CPO that orders its list by last_updated and changes it while we crawl (issue 12,
// item 5): real HTTP over loopback to test/support/peer.ts, a real SQLite store. An update moves a session to
// the end of such a list and everything after its old place up one, so a page boundary skips an object unless
// the crawl is bounded (date_to = its start) or notices the session coming back (a rewind).
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDateTime } from '../../src/domain/datetime.js';
import { pull, type PullOptions, type PullSummary } from '../../src/service/pull-runner.js';
import { loadSyncState } from '../../src/service/pull-state.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startPeer, type Peer, type PeerOptions } from '../support/peer.js';
import { tempDb } from '../support/server.js';
import { assertStoredExactly, CPO, demoSessions, EMSP, FAST_RETRY, NOW } from './helpers.js';
import { sessionsPull } from '../../src/modules/sessions/service/pull.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

async function setup(peerOptions: Partial<PeerOptions>) {
  const peer = await startPeer({ token: 'cpo-token', order: 'last_updated', ...peerOptions });
  const store = new SqliteStore(tempDb('emsp.db'));
  open.push(peer, store);
  return { peer, store };
}

/** Our clock, stopped: the crawl's start (its bound) is exact. */
function run(
  store: SqliteStore,
  peer: Peer,
  at: number,
  extra: Partial<PullOptions> = {},
): Promise<PullSummary> {
  return pull({
    store,
    adapter: sessionsPull,
    key: 'NL-OCS',
    url: peer.sessionsUrl('2.2.1'),
    token: 'cpo-token',
    cpo: CPO,
    emsp: EMSP,
    retry: FAST_RETRY,
    timeoutMs: 2000,
    pageSize: 10,
    now: () => at,
    ...extra,
  });
}

/** The first session answered by sessions request n: one the crawl has already read. */
const servedBy = (peer: Peer, n: number) => peer.sessionsRequests().find((r) => r.n === n)!.ids![0]!;

const T1 = NOW + 86_400_000; // our clock at the first pull (whole seconds); every demo session is older

describe('pull from a CPO that orders by last_updated and updates sessions while we crawl', () => {
  it('bounded by its start: after one pull every session of the start is stored once; after the next, the final state', async () => {
    const sessions = demoSessions(300);
    const extra = demoSessions(320).slice(300);
    let mutate = true;
    const { peer, store } = await setup({
      sessions,
      afterPage: (n, p) => {
        if (!mutate || n > 20) return;
        // The CPO's clock agrees with ours: what it changes now is stamped after our start.
        p.update(servedBy(p, n), T1 + n * 1000);
        p.add({ ...extra[n - 1]!, lastUpdated: T1 + n * 1000 });
      },
    });
    const first = await run(store, peer, T1);
    mutate = false;
    assert.equal(first.complete, true);
    assert.equal(peer.sessionsRequests()[0]!.query.get('date_to'), formatDateTime(T1));
    assert.equal(first.dateTo, formatDateTime(T1));
    assert.ok(first.corrections > 0, 'the updated sessions left the window: X-Total-Count dropped');
    // Every session the peer had at the start, once, as it was when fetched (all were fetched before changing).
    await assertStoredExactly(store, sessions);
    assert.equal((await loadSyncState(store, 'sessions', 'NL-OCS')).syncPoint, T1);

    const second = await run(store, peer, T1 + 3_600_000);
    assert.equal(peer.sessionsRequests().at(-1)!.query.get('date_from'), formatDateTime(T1 - 300_000));
    assert.deepEqual([second.sessions.new, second.sessions.updated], [20, 20]);
    await assertStoredExactly(store, peer.current());
  });

  it('a session seen again with a later last_updated (the CPO clock behind ours): the affected range is re-read', async () => {
    const sessions = demoSessions(300);
    const { peer, store } = await setup({
      sessions,
      afterPage: (n, p) => {
        // Stamped an hour behind our clock: the updates stay inside the window, X-Total-Count does not move.
        if (n >= 5 && n <= 20) p.update(servedBy(p, n), T1 - 3_600_000 + n * 1000);
      },
    });
    const notices: string[] = [];
    const s = await run(store, peer, T1, { onNotice: (m) => notices.push(m) });
    assert.equal(s.complete, true);
    assert.deepEqual([s.moved, s.rewinds, s.corrections], [16, 1, 0]);
    // The earliest moved session was first read at offset 40 (page 5); 16 moves before it: re-read from 24.
    const offsets = peer.sessionsRequests().map((r) => Number(r.query.get('offset') ?? 0));
    assert.deepEqual(offsets.slice(30, 32), [24, 34]);
    assert.match(
      notices.join('\n'),
      /16 sessions came back with a later last_updated.*re-reading from offset 24/,
    );
    // Nothing skipped, every session once, the moved ones in the version read the second time.
    await assertStoredExactly(store, peer.current());
    assert.equal(s.recordsSync, true);
    assert.equal((await loadSyncState(store, 'sessions', 'NL-OCS')).syncPoint, T1);
  });

  it('sessions that keep moving through every rewind: the crawl completes but the sync point does not move', async () => {
    const sessions = demoSessions(100);
    let mutate = true;
    const { peer, store } = await setup({
      sessions,
      afterPage: (n, p) => {
        if (mutate) p.update(servedBy(p, n), T1 - 3_600_000 + n * 1000);
      },
    });
    const notices: string[] = [];
    const first = await run(store, peer, T1, { onNotice: (m) => notices.push(m) });
    mutate = false;
    assert.equal(first.complete, true);
    assert.equal(first.rewinds, 3); // MAX_REWINDS
    assert.equal(first.recordsSync, false);
    assert.match(notices.at(-1)!, /still moving after 3 rewinds: the sync point stays where it was/);
    const state = await loadSyncState(store, 'sessions', 'NL-OCS');
    assert.deepEqual([state.syncPoint, state.inProgress], [undefined, undefined]);

    // The next pull asks the same window again (no date_from: there is no sync point yet) and gets everything.
    const second = await run(store, peer, T1 + 60_000);
    assert.equal(peer.sessionsRequests().at(-1)!.query.get('date_from'), null);
    assert.equal(second.recordsSync, true);
    await assertStoredExactly(store, peer.current());
    assert.equal((await loadSyncState(store, 'sessions', 'NL-OCS')).syncPoint, T1 + 60_000);
  });
});
