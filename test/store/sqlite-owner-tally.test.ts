// The SQLite store allocates a write transaction's ords and counts its owners' version bumps in memory and writes
// each owners row once (src/store/sqlite/owner-tally.ts). A batch must leave every table exactly as the same
// records written one per transaction do (what readers see: owners' numbers, next ords and versions, positions,
// bodies, counters, history), and a batch that fails must leave no trace of its owners.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { RevisionConflict, type SessionRecord } from '../../src/store/contract.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeRecord, makeSession } from '../support/sessions.js';
import { tempDb } from '../support/server.js';

const T0 = Date.UTC(2030, 0, 1);
const MIN = 60_000;

/** Every row a session write touches, in a fixed order (the history without its write time). */
function tables(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const all = (sql: string) => db.prepare(sql).all();
    return {
      owners: all('SELECT owner, no, next_ord, version FROM owners ORDER BY owner'),
      sessions: all(
        'SELECT seq, cpo, id_ci, owner, ord, last_updated, rev, doc, digest, start_ms FROM sessions ORDER BY seq',
      ),
      bodies: all('SELECT id, body FROM page_bodies ORDER BY id'),
      counts: all('SELECT owner, block, day, n FROM session_counts ORDER BY owner, day, block'),
      history: all('SELECT seq, rev, last_updated, source, summary FROM session_history ORDER BY seq, rev'),
    };
  } finally {
    db.close();
  }
}

async function withStore<T>(file: string, f: (store: SqliteStore) => Promise<T>): Promise<T> {
  const store = new SqliteStore(file);
  try {
    await store.addStoredFormats(['ocpi-2.2.1', 'camel-2.2.1']);
    return await f(store);
  } finally {
    await store.close();
  }
}

const rec = (id: string, owner: string, lastUpdated: number): SessionRecord =>
  makeRecord(makeSession(id, owner, lastUpdated));

describe('SQLite owners of a write transaction', () => {
  it('a batch leaves every table as the same records written one by one', async () => {
    // Two owners already there, then a batch: creates for them and for two new owners, updates (one twice), a
    // session moving to a new owner and one moving back, a stale write.
    const before = [rec('a-1', 'NL-EMS', T0), rec('a-2', 'DE-EMP', T0), rec('a-3', 'NL-EMS', T0)];
    const batch: SessionRecord[] = [
      rec('b-1', 'NL-EMS', T0 + MIN),
      rec('b-2', 'FR-MSP', T0 + MIN),
      rec('a-1', 'NL-EMS', T0 + 2 * MIN),
      { ...rec('a-2', 'DE-EMP', T0 + 2 * MIN), owner: 'BE-EMS' },
      rec('b-3', 'BE-EMS', T0 + 2 * MIN),
      rec('b-2', 'FR-MSP', T0 + 3 * MIN),
      rec('a-3', 'NL-EMS', T0 - MIN), // stale
      rec('a-1', 'NL-EMS', T0 + 3 * MIN),
      { ...rec('a-2', 'DE-EMP', T0 + 4 * MIN), owner: 'DE-EMP' },
      rec('b-4', 'DE-EMP', T0 + 4 * MIN),
    ];
    const options = { mode: 'if-newer' as const };
    const oneByOne = tempDb('one.db');
    const batched = tempDb('batch.db');
    const outcomes = await withStore(oneByOne, async (store) => {
      for (const r of before) await store.putSessions([r], options);
      const out = [];
      for (const r of batch) out.push(...(await store.putSessions([r], options)));
      return out;
    });
    const state = await withStore(batched, async (store) => {
      await store.putSessions(before, options);
      const out = await store.putSessions(batch, options);
      assert.deepEqual(out, outcomes, 'the same outcomes');
      return Promise.all(['NL-EMS', 'DE-EMP', 'FR-MSP', 'BE-EMS'].map((o) => store.ownerState(o)));
    });
    assert.deepEqual(outcomes, [
      ...['created', 'created', 'updated', 'updated', 'created', 'updated', 'stale', 'updated', 'updated'],
      'created',
    ]);
    const expected = tables(oneByOne);
    assert.deepEqual(tables(batched), expected);
    // What the pages' cache revalidation reads (ownerState), from the batched file.
    const owners = expected.owners as { owner: string; next_ord: number; version: number }[];
    const byOwner = new Map(owners.map((o) => [o.owner, o]));
    assert.deepEqual(
      state,
      ['NL-EMS', 'DE-EMP', 'FR-MSP', 'BE-EMS'].map((o) => ({
        version: byOwner.get(o)!.version,
        lastOrd: byOwner.get(o)!.next_ord,
      })),
    );
    assert.deepEqual(
      owners.map((o) => [o.owner, o.next_ord, o.version]),
      [
        ['BE-EMS', 2, 3],
        ['DE-EMP', 3, 4],
        ['FR-MSP', 1, 2],
        ['NL-EMS', 3, 5],
      ],
      'next_ord: the last ord allocated; version: one per write of the owner',
    );
  });

  it('a batch that fails leaves the owners as they were', async () => {
    const file = tempDb('fail.db');
    await withStore(file, async (store) => {
      await store.putSessions([rec('c-1', 'NL-EMS', T0)], { mode: 'replace' });
      const owners = tables(file).owners;
      await assert.rejects(
        store.putSessions(
          [
            rec('c-2', 'NL-EMS', T0),
            rec('c-3', 'SE-NEW', T0),
            { ...rec('c-1', 'NL-EMS', T0 + MIN), ifRev: 7 }, // stored is at revision 1
          ],
          { mode: 'replace' },
        ),
        RevisionConflict,
      );
      assert.deepEqual(tables(file).owners, owners);
      // The next batch allocates from where the committed state is.
      await store.putSessions([rec('c-3', 'SE-NEW', T0), rec('c-2', 'NL-EMS', T0)], { mode: 'replace' });
      assert.deepEqual(
        (tables(file).owners as { owner: string; no: number; next_ord: number }[]).map((o) => [
          o.owner,
          o.no,
          o.next_ord,
        ]),
        [
          ['NL-EMS', 1, 2],
          ['SE-NEW', 2, 1],
        ],
      );
    });
  });
});
