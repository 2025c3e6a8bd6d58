// A session page's delivery state reads an outbox claim as the outbox summary does (store/outbox-summary.ts): a
// claim is "sending" while its lease runs; once the lease ran out (the worker died) the entry is due again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addPartner } from '../../src/service/partners.js';
import { consoleSession } from '../../src/service/console/sessions.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeRecord, makeSession } from '../support/sessions.js';
import { tempDb } from '../support/server.js';

describe('console session page: delivery state of a claimed outbox entry', () => {
  it('sending while the lease runs, pending once it ran out', async () => {
    const store = new SqliteStore(tempDb());
    try {
      await addPartner(store, { countryCode: 'DE', partyId: 'EMS', roles: ['EMSP'], format: 'ocpi' });
      const s = makeSession('C1', 'DE-EMS', Date.now() - 60_000);
      await store.putSessions([makeRecord(s)], { mode: 'replace', pushTo: ['DE-EMS'] });
      const t = Date.now() + 1; // the entry is due from its write on
      assert.equal((await store.claimDeliveries(t, 10, 1000)).length, 1);
      const state = async (now: number) =>
        (await consoleSession(store, s.countryCode, s.partyId, s.id, undefined, now)).deliveries.map(
          (d) => d.result,
        );
      assert.deepEqual(await state(t + 500), ['sending']);
      assert.deepEqual(await state(t + 2000), ['pending']);
    } finally {
      await store.close();
    }
  });
});
