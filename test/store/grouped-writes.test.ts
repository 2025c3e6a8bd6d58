// GroupedWrites (the receiver/ingest group commit) on both real stores: writes of one turn share one
// transaction; a revision conflict of one member (its session changed since it was read) fails that member alone,
// the others are committed one by one; writes of one session run in arrival order.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GroupedWrites } from '../../src/modules/sessions/service/grouped-writes.js';
import { RevisionConflict } from '../../src/store/contract.js';
import { makeRecord, makeSession } from '../support/sessions.js';
import { bothStores } from '../support/stores.js';

const T0 = Date.UTC(2030, 0, 1);

const stores = bothStores('grouped.db');

for (const [kind, open] of stores) {
  describe(`GroupedWrites: ${kind}`, () => {
    const opened = open();
    after(async () => {
      const { store, done } = await opened;
      await store.close();
      await done();
    });

    it('one transaction for the writes of a turn; a conflicting member fails alone', async () => {
      const { store } = await opened;
      await store.putSessions([makeRecord(makeSession('gw-x', 'DE-EMP', T0))], { mode: 'replace' });
      const calls: number[] = [];
      const putSessions = store.putSessions.bind(store);
      store.putSessions = (records, options) => {
        calls.push(records.length);
        return putSessions(records, options);
      };
      const writes = new GroupedWrites(store);
      const results = await Promise.allSettled([
        writes.put(makeRecord(makeSession('gw-1', 'DE-EMP', T0))),
        // Read at revision 7, stored is 1: another writer came between the read and this write.
        writes.put({ ...makeRecord(makeSession('gw-x', 'DE-EMP', T0 + 1)), ifRev: 7 }),
        writes.put(makeRecord(makeSession('gw-2', 'DE-EMP', T0))),
      ]);
      store.putSessions = putSessions;
      assert.deepEqual(calls, [3, 1, 1, 1], 'the batch of 3, rolled back, then each alone');
      assert.deepEqual(results[0], { status: 'fulfilled', value: 'created' });
      assert.equal(results[1]!.status, 'rejected');
      assert.ok((results[1] as PromiseRejectedResult).reason instanceof RevisionConflict);
      assert.deepEqual(results[2], { status: 'fulfilled', value: 'created' });
      assert.equal((await store.getSession('NL', 'CPO', 'gw-x'))!.session.lastUpdated, T0);
      assert.ok(await store.getSession('NL', 'CPO', 'gw-1'));
      assert.ok(await store.getSession('NL', 'CPO', 'gw-2'));
    });

    it('writes of one session run in arrival order, each after the previous committed', async () => {
      const { store } = await opened;
      const writes = new GroupedWrites(store);
      const order: string[] = [];
      const key = 'NL\u0000CPO\u0000GW-O';
      await Promise.all(
        [1, 2, 3].map((n) =>
          writes.inOrder(key, async () => {
            order.push(`start ${n}`);
            const stored = await store.getSession('NL', 'CPO', 'gw-o');
            const rev = stored?.rev;
            await writes.put({
              ...makeRecord({ ...makeSession('gw-o', 'DE-EMP', T0 + n), kwh: n }),
              ...(rev === undefined ? {} : { ifRev: rev }),
            });
            order.push(`end ${n}`);
          }),
        ),
      );
      assert.deepEqual(order, ['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
      const s = (await store.getSession('NL', 'CPO', 'gw-o'))!;
      assert.equal(s.session.kwh, 3);
      assert.equal(s.rev, 3);
    });
  });
}
