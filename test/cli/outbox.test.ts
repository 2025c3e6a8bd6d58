// `ocpi-sessions outbox --db … [--json]` as a user runs it (a CLI process) on a SQLite file and on PostgreSQL: per
// partner pending, oldest age, in flight, failing, paused until, last success, last error.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { SessionStore } from '../../src/store/contract.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { cli, runCliAsync } from '../support/cli.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { tempDb } from '../support/server.js';
import { makeRecord, makeSession } from '../support/sessions.js';

const T0 = Date.UTC(2025, 0, 1);
const databases: string[] = [];
after(async () => {
  await Promise.all(databases.map(dropDatabase));
});

/** Three entries for DE-PND (one claimed: in flight), one for BE-ONE; DE-PND's lane paused after 3 failures. */
async function fill(store: SessionStore): Promise<{ pausedUntil: number; enqueuedFrom: number }> {
  const enqueuedFrom = Date.now();
  for (const id of ['o-1', 'o-2', 'o-3'])
    await store.putSessions([makeRecord(makeSession(id, 'DE-PND', T0))], {
      mode: 'replace',
      pushTo: ['DE-PND'],
    });
  await store.putSessions([makeRecord(makeSession('o-4', 'BE-ONE', T0))], {
    mode: 'replace',
    pushTo: ['BE-ONE'],
  });
  const [claimed] = await store.claimLanes([{ partnerKey: 'DE-PND', limit: 1 }], Date.now(), 600_000);
  assert.ok(claimed);
  for (let i = 0; i < 3; i++) await store.laneFailed('DE-PND', T0 + i, 'connect ECONNREFUSED 127.0.0.1:9');
  const pausedUntil = Date.now() + 600_000;
  await store.pauseLane('DE-PND', pausedUntil);
  await store.laneSucceeded('FR-OK', T0); // delivered everything: no entries, a last success
  return { pausedUntil, enqueuedFrom };
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`ocpi-sessions outbox (${kind})`, () => {
    it('prints one line per partner, and the same figures with --json', async () => {
      let db: string;
      let store: SessionStore;
      if (kind === 'sqlite') {
        db = tempDb('outbox.db');
        store = new SqliteStore(db);
      } else {
        db = await postgresUrl();
        databases.push(db);
        store = await PostgresStore.connect(db, { poolSize: 2 });
      }
      let filled: Awaited<ReturnType<typeof fill>>;
      try {
        filled = await fill(store);
      } finally {
        await store.close();
      }
      const doc = JSON.parse(cli(['outbox', '--db', db, '--json']));
      assert.equal(doc.pending, 4);
      const byPartner = new Map<string, Record<string, unknown>>(
        doc.partners.map((p: Record<string, unknown>) => [p.partner, p]),
      );
      assert.deepEqual([...byPartner.keys()], ['BE-ONE', 'DE-PND', 'FR-OK']);
      const pnd = byPartner.get('DE-PND')!;
      assert.deepEqual(
        {
          pending: pnd.pending,
          inFlight: pnd.inFlight,
          failing: pnd.failing,
          failures: pnd.failures,
          pausedUntil: pnd.pausedUntil,
          lastError: pnd.lastError,
          lastErrorAt: pnd.lastErrorAt,
          lastSuccessAt: pnd.lastSuccessAt,
        },
        {
          pending: 3,
          inFlight: 1,
          failing: 0,
          failures: 3,
          pausedUntil: new Date(filled.pausedUntil).toISOString(),
          lastError: 'connect ECONNREFUSED 127.0.0.1:9',
          lastErrorAt: new Date(T0 + 2).toISOString(),
          lastSuccessAt: null,
        },
      );
      const oldest = Date.parse(String(pnd.oldestEnqueuedAt));
      assert.ok(oldest >= filled.enqueuedFrom && oldest <= Date.now(), `oldest ${pnd.oldestEnqueuedAt}`);
      assert.ok(Number(pnd.oldestAgeSeconds) >= 0 && Number(pnd.oldestAgeSeconds) < 600);
      assert.deepEqual(
        [
          byPartner.get('BE-ONE')!.pending,
          byPartner.get('BE-ONE')!.inFlight,
          byPartner.get('BE-ONE')!.pausedUntil,
        ],
        [1, 0, null],
      );
      assert.deepEqual(
        [byPartner.get('FR-OK')!.pending, byPartner.get('FR-OK')!.lastSuccessAt],
        [0, new Date(T0).toISOString()],
      );

      const lines = cli(['outbox', '--db', db]).trimEnd().split('\n');
      assert.match(
        lines[0]!,
        /^partner\s+pending\s+oldest\s+in flight\s+failing\s+paused until\s+last success\s+last error$/,
      );
      const row = (key: string) => lines.find((l) => l.startsWith(`${key} `))?.split(/\s{2,}/);
      assert.deepEqual(row('DE-PND')?.slice(0, 2), ['DE-PND', '3']);
      assert.match(row('DE-PND')![2]!, /^\d+s$/, 'oldest age');
      assert.deepEqual(row('DE-PND')?.slice(3, 6), [
        '1',
        '0 (3 in a row)',
        new Date(filled.pausedUntil).toISOString(),
      ]);
      assert.equal(row('DE-PND')?.[6], '-', 'no success yet');
      assert.equal(row('DE-PND')?.[7], `${new Date(T0 + 2).toISOString()} connect ECONNREFUSED 127.0.0.1:9`);
      assert.deepEqual(row('FR-OK'), ['FR-OK', '0', '-', '0', '0', '-', new Date(T0).toISOString(), '-']);
      assert.equal(lines.at(-1), '4 pending in all');
    });
  });
}

describe('ocpi-sessions outbox: nothing to show, no database', () => {
  it('says so on an empty outbox; refuses a missing SQLite file like export does', async () => {
    const db = tempDb('empty.db');
    cli(['migrate', '--db', db]);
    assert.equal(cli(['outbox', '--db', db]).trim(), 'outbox empty; no push to any partner recorded');
    assert.deepEqual(JSON.parse(cli(['outbox', '--db', db, '--json'])).partners, []);
    const missing = tempDb('missing.db');
    const r = await runCliAsync(['outbox', '--db', missing]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /outbox: no database at .*missing\.db/);
  });
});
