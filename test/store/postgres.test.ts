// The store contract on PostgreSQL, plus what only PostgreSQL has: concurrent migrations and several processes
// (separate pools) on one database. See test/support/postgres.ts for where the server comes from.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { WIRE_FORMATS } from '../../src/domain/wire-format.js';
import { pageObjects } from '../../src/domain/page.js';
import { HISTORY_LIMIT } from '../../src/domain/session-change.js';
import type { SessionRecord } from '../../src/store/contract.js';
import { BLOCK_BITS, DAY_MS } from '../../src/store/paging.js';
import { migrate, MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { makeRecord, makeSession } from '../support/sessions.js';
import {
  historyUpgradeCase,
  layoutUpgradeCase,
  moduleKeyUpgradeCase,
  outboxUpgradeCase,
  storeContract,
} from './contract.js';

const T0 = Date.UTC(2025, 0, 1);
const HOUR = 3_600_000;
const replace = { mode: 'replace' } as const;

const databases: string[] = [];
async function freshDatabase(): Promise<string> {
  const url = await postgresUrl();
  databases.push(url);
  return url;
}
after(async () => {
  await Promise.all(databases.map(dropDatabase));
});

storeContract('postgres', async () => PostgresStore.connect(await freshDatabase()));

/** Two stores on one database with their own pools: what two processes (machines) see. */
async function twoProcesses(): Promise<{ url: string; a: PostgresStore; b: PostgresStore; sql: pg.Pool }> {
  const url = await freshDatabase();
  const [a, b] = await Promise.all([
    PostgresStore.connect(url, { poolSize: 3 }),
    PostgresStore.connect(url, { poolSize: 3 }),
  ]);
  await a.addStoredFormats(WIRE_FORMATS); // the formats the tests read (issue 16)
  return { url, a, b, sql: new pg.Pool({ connectionString: url, max: 2 }) };
}

async function closeAll(...things: Array<{ close(): Promise<void> } | pg.Pool>): Promise<void> {
  await Promise.all(things.map((t) => ('close' in t ? t.close() : t.end())));
}

async function ids(store: PostgresStore, owner: string, window: { dateFrom?: number; dateTo?: number } = {}) {
  const page = await store.listSessions({ owner }, { ...window, offset: 0, limit: 10_000 }, 'ocpi-2.2.1');
  return { total: page.total, ids: (pageObjects(page) as Array<{ id: string }>).map((s) => s.id) };
}

/** The counters must equal what the rows say, per (owner, block, day); ords must be unique per owner. */
async function assertCountersExact(sql: pg.Pool): Promise<void> {
  const fromRows = await sql.query<{ owner: string; block: number; day: number; n: number }>(
    `SELECT owner, (ord >> ${BLOCK_BITS})::int AS block, floor(last_updated::numeric / ${DAY_MS})::int AS day,
            count(*)::int AS n
     FROM sessions GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  );
  const counters = await sql.query<{ owner: string; block: number; day: number; n: number }>(
    `SELECT owner, block::int, day::int, n FROM session_counts WHERE n <> 0 ORDER BY 1, 2, 3`,
  );
  assert.deepEqual(counters.rows, fromRows.rows);
  const behind = await sql.query(
    'SELECT s.owner FROM sessions s JOIN owners o USING (owner) GROUP BY s.owner, o.next_ord HAVING max(s.ord) > o.next_ord',
  );
  assert.deepEqual(behind.rows, []);
}

describe('postgres store: migrations', () => {
  it('apply each version once when 4 processes connect to a fresh database at the same time', async () => {
    const url = await freshDatabase();
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => PostgresStore.connect(url, { poolSize: 2 })),
    );
    const sql = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const applied = await sql.query<{ version: number; n: number }>(
        'SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version',
      );
      assert.deepEqual(
        applied.rows,
        MIGRATIONS.map((m) => ({ version: m.version, n: 1 })),
      );
      assert.deepEqual(await migrate(sql), [], 'migrating an up-to-date database is a no-op');
      await stores[0]!.putSessions([makeRecord(makeSession('race-1', 'NL-RCE', T0))], replace);
      for (const s of stores) assert.equal((await s.getSession('NL', 'CPO', 'race-1'))?.owner, 'NL-RCE');
    } finally {
      await closeAll(sql, ...stores);
    }
  });
});

describe('postgres store: databases from before page_bodies (migration 4)', () => {
  it('moves every body to page order: same pages, same totals, writes go on', async () => {
    const url = await freshDatabase();
    const sql = new pg.Pool({ connectionString: url, max: 1 });
    try {
      await layoutUpgradeCase(
        () => PostgresStore.connect(url),
        async () => {
          // Back to what migrations 1-3 left: bodies under seq * 8 + format.
          await sql.query(`
            CREATE TABLE session_bodies (id bigint PRIMARY KEY, body text NOT NULL);
            INSERT INTO session_bodies (id, body)
              SELECT s.seq * 8 + b.fmt, b.body FROM page_bodies b JOIN sessions s ON s.owner = b.owner AND s.ord = b.ord;
            DROP TABLE page_bodies;
            DELETE FROM schema_migrations WHERE version = 4;`);
        },
        async () => {
          const t = await sql.query<{ name: string }>(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE '%bodies'",
          );
          assert.deepEqual(
            t.rows.map((r) => r.name),
            ['page_bodies'],
          );
        },
      );
    } finally {
      await sql.end();
    }
  });
});

describe('postgres store: sessions written before the history (migration 12)', () => {
  it('summarizes the next write against the stored document', async () => {
    const url = await freshDatabase();
    const sql = new pg.Pool({ connectionString: url, max: 1 });
    try {
      await historyUpgradeCase(
        () => PostgresStore.connect(url),
        async () => {
          await sql.query('UPDATE sessions SET digest = NULL; DELETE FROM session_history');
        },
      );
    } finally {
      await sql.end();
    }
  });
});

describe('postgres store: databases from before fenced outbox claims (migration 5)', () => {
  it('adds outbox.claim; pending deliveries are claimed fenced and completed', async () => {
    const url = await freshDatabase();
    const sql = new pg.Pool({ connectionString: url, max: 1 });
    try {
      await outboxUpgradeCase(
        () => PostgresStore.connect(url),
        async () => {
          await sql.query(
            'ALTER TABLE outbox DROP COLUMN claim; DELETE FROM schema_migrations WHERE version = 5',
          );
        },
      );
    } finally {
      await sql.end();
    }
  });
});

describe('postgres store: databases of the release before module keys (migrations 1-5)', () => {
  it('keeps pending deliveries, delivered state and pull sync state; claims under module sessions', async () => {
    const url = await freshDatabase();
    const sql = new pg.Pool({ connectionString: url, max: 1 });
    try {
      await moduleKeyUpgradeCase(
        async (statements) => {
          assert.deepEqual(await migrate(sql, 5), [1, 2, 3, 4, 5]);
          for (const s of statements) await sql.query(s);
        },
        () => PostgresStore.connect(url),
      );
      const applied = await sql.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY 1',
      );
      assert.deepEqual(
        applied.rows.map((r) => r.version),
        MIGRATIONS.map((m) => m.version),
      );
    } finally {
      await sql.end();
    }
  });
});

describe('postgres store: several processes on one database', () => {
  it('lists writes made through another process, with exact totals (planner cache revalidated)', async () => {
    const { a, b, sql } = await twoProcesses();
    try {
      const owner = 'NL-TWO';
      await a.putSessions(
        [0, 1, 2].map((i) => makeRecord(makeSession(`two-${i}`, owner, T0 + i * DAY_MS + HOUR))),
        replace,
      );
      assert.deepEqual(await ids(b, owner), { total: 3, ids: ['two-0', 'two-1', 'two-2'] });
      // b has cached its block table for this window; a's writes must reach it through owners.version.
      await a.putSessions(
        [3, 4].map((i) => makeRecord(makeSession(`two-${i}`, owner, T0 + i * DAY_MS + HOUR))),
        replace,
      );
      assert.deepEqual(await ids(b, owner), { total: 5, ids: ['two-0', 'two-1', 'two-2', 'two-3', 'two-4'] });

      const whole = { dateFrom: T0, dateTo: T0 + 2 * DAY_MS }; // whole days: counters
      const partial = { dateFrom: T0 + 2 * HOUR, dateTo: T0 + DAY_MS + 2 * HOUR }; // edge days: row counts
      assert.deepEqual(await ids(b, owner, whole), { total: 2, ids: ['two-0', 'two-1'] });
      assert.deepEqual(await ids(b, owner, partial), { total: 1, ids: ['two-1'] });
      await a.putSessions([makeRecord(makeSession('two-0', owner, T0 + 9 * DAY_MS))], replace); // leaves `whole`
      await a.putSessions([makeRecord(makeSession('two-1', 'NL-OTH', T0 + DAY_MS))], replace); // changes owner
      assert.deepEqual(await ids(b, owner, whole), { total: 0, ids: [] });
      assert.deepEqual(await ids(b, owner, partial), { total: 0, ids: [] });
      assert.deepEqual(await ids(b, owner), { total: 4, ids: ['two-0', 'two-2', 'two-3', 'two-4'] });
      assert.deepEqual(await ids(b, 'NL-OTH', partial), { total: 1, ids: ['two-1'] });
      assert.equal((await b.getSession('NL', 'CPO', 'two-1'))?.owner, 'NL-OTH');
      await assertCountersExact(sql);
    } finally {
      await closeAll(sql, a, b);
    }
  });

  it('creates each session once when two processes put the same new ids at once', async () => {
    const { a, b, sql } = await twoProcesses();
    try {
      const owner = 'DE-DUP';
      const names = Array.from({ length: 1500 }, (_, i) => `dup-${i}`);
      const recs = names.map((id, i) => makeRecord(makeSession(id, owner, T0 + (i % 72) * HOUR)));
      const [ra, rb] = await Promise.all([a.putSessions(recs, replace), b.putSessions(recs, replace)]);
      names.forEach((_, i) => assert.deepEqual([ra[i], rb[i]].sort(), ['created', 'updated']));
      const rows = await sql.query<{ n: number; keys: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT id_ci)::int AS keys FROM sessions',
      );
      assert.deepEqual(rows.rows, [{ n: names.length, keys: names.length }]);
      for (const s of [a, b]) assert.deepEqual(await ids(s, owner), { total: names.length, ids: names });
      const win = { dateFrom: T0 + 30 * HOUR, dateTo: T0 + 50 * HOUR };
      const inWin = names.filter((_, i) => i % 72 >= 30 && i % 72 < 50);
      for (const s of [a, b]) assert.deepEqual(await ids(s, owner, win), { total: inWin.length, ids: inWin });
      await assertCountersExact(sql);
    } finally {
      await closeAll(sql, a, b);
    }
  });

  it('never hands the same push delivery to two processes claiming at once', async () => {
    const { a, b, sql } = await twoProcesses();
    try {
      const owner = 'SE-CLM';
      const recs = Array.from({ length: 200 }, (_, i) => makeRecord(makeSession(`claim-${i}`, owner, T0)));
      await a.putSessions(recs, { mode: 'replace', pushTo: [owner] });
      assert.equal(await b.outboxDepth(), 200);
      const now = Date.now();
      const claimed: number[] = [];
      for (let round = 0; round < 6; round++) {
        const got = await Promise.all([a, b, a, b].map((s) => s.claimDeliveries(now, 15, 60_000)));
        for (const batch of got) claimed.push(...batch.map((d) => d.objectSeq));
      }
      assert.equal(claimed.length, 200);
      assert.equal(new Set(claimed).size, 200);
      assert.deepEqual(await b.claimDeliveries(now, 10, 60_000), []);
    } finally {
      await closeAll(sql, a, b);
    }
  });

  it('keeps one row per id and exact counters when processes race to create and move the same ids', async () => {
    const { a, b, sql } = await twoProcesses();
    try {
      const names = Array.from({ length: 400 }, (_, i) => `race-${i}`);
      const batch = (owner: string, order: string[], hour: number): SessionRecord[] =>
        order.map((id) => makeRecord(makeSession(id, owner, T0 + hour * HOUR)));
      // New ids with different owners at once, then crossing moves in opposite orders.
      await Promise.all([
        a.putSessions(batch('FR-AAA', names, 1), replace),
        b.putSessions(batch('FR-BBB', names, 2), replace),
      ]);
      for (let round = 0; round < 3; round++) {
        await Promise.all([
          a.putSessions(batch('FR-AAA', names.slice(0, 300), 3 + round), replace),
          b.putSessions(batch('FR-BBB', names.slice(100).reverse(), 30 + round), replace),
          a.putSessions(batch('FR-CCC', names.slice(150, 250), 60 + round), { mode: 'if-newer' }),
        ]);
      }
      const rows = await sql.query<{ n: number; keys: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT id_ci)::int AS keys FROM sessions',
      );
      assert.deepEqual(rows.rows, [{ n: names.length, keys: names.length }]);
      const perOwner = await sql.query<{ owner: string; n: number }>(
        'SELECT owner, count(*)::int AS n FROM sessions GROUP BY owner ORDER BY owner',
      );
      let sum = 0;
      for (const { owner, n } of perOwner.rows) {
        sum += n;
        const [fromA, fromB] = await Promise.all([ids(a, owner), ids(b, owner)]);
        assert.equal(fromA.total, n);
        assert.deepEqual(fromB, fromA);
        assert.equal(new Set(fromA.ids).size, n);
      }
      assert.equal(sum, names.length);
      await assertCountersExact(sql);
    } finally {
      await closeAll(sql, a, b);
    }
  });
});

describe('postgres store: round trips of a write batch', () => {
  /** The statements sent to the server (one client query each, one round trip each) while `fn` runs. */
  async function roundTrips(fn: () => Promise<unknown>): Promise<string[]> {
    const sent: string[] = [];
    const query = pg.Client.prototype.query;
    // Every statement of the store goes through a pooled pg.Client's query.
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const q = args[0] as string | { text: string };
      sent.push((typeof q === 'string' ? q : q.text).replace(/\s+/g, ' ').trim().slice(0, 40));
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    try {
      await fn();
    } finally {
      pg.Client.prototype.query = query;
    }
    return sent;
  }

  it('writes a batch of creates, and one of updates with a history trim, in five round trips', async () => {
    const { a, b, sql } = await twoProcesses();
    try {
      const owner = 'NL-RTT';
      const names = Array.from({ length: 16 }, (_, i) => `rtt-${i}`);
      const at = (hour: number) => names.map((id) => makeRecord(makeSession(id, owner, T0 + hour * HOUR)));
      await a.putSessions(at(0).slice(0, 1), replace); // the owner exists: its row is locked, not created
      // BEGIN with the stored formats; the rows locked; the sessions inserted; bodies, history, counts, ords; COMMIT.
      const creates = await roundTrips(() => a.putSessions(at(1).slice(1), replace));
      assert.equal(creates.length, 5, creates.join('\n'));
      assert.match(creates[0]!, /^BEGIN; SELECT mask FROM stored_formats/);
      assert.equal(creates[4], 'COMMIT');
      // Updates: each one moves its session to another day (counts -1/+1) and trims its history at the limit.
      for (let hour = 2; hour <= HISTORY_LIMIT; hour++) await a.putSessions(at(hour), replace); // revision 50
      const last = HISTORY_LIMIT + 30; // another day
      const updates = await roundTrips(() => a.putSessions(at(last), replace));
      assert.equal(updates.length, 5, updates.join('\n'));
      assert.deepEqual(await ids(a, owner), { total: names.length, ids: names });
      const dayStart = T0 + Math.floor((last * HOUR) / DAY_MS) * DAY_MS;
      const day = { dateFrom: dayStart, dateTo: dayStart + DAY_MS }; // a whole day: read from the counts
      assert.deepEqual(await ids(a, owner, day), { total: names.length, ids: names });
      await assertCountersExact(sql);
      const kept = await sql.query<{ n: number; top: number }>(
        'SELECT count(*)::int AS n, max(rev)::int AS top FROM session_history GROUP BY seq',
      );
      assert.equal(kept.rows.length, names.length);
      for (const r of kept.rows) assert.deepEqual(r, { n: HISTORY_LIMIT, top: HISTORY_LIMIT + 1 });
      // The owner's next ord went up with the creates: a new session after them takes the next place.
      await a.putSessions([makeRecord(makeSession('rtt-last', owner, T0 + HOUR))], replace);
      assert.deepEqual((await ids(a, owner)).ids.at(-1), 'rtt-last');
    } finally {
      await closeAll(sql, a, b);
    }
  });
});

describe('postgres store: databases before partner parties (migration 11)', () => {
  it('partners of a version 10 database gain hub_party_id and parties (none), kept as they were', async () => {
    const url = await freshDatabase();
    const sql = new pg.Pool({ connectionString: url, max: 1 });
    try {
      assert.deepEqual(await migrate(sql, 10), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      await sql.query(
        `INSERT INTO partners (country_code, party_id, party_key, roles, format, state, token_hash, created_at)
         VALUES ('DE', 'EMS', 'DE-EMS', 'EMSP', 'ocpi', 'configured', $1, 1)`,
        ['ab'.repeat(32)],
      );
      const store = await PostgresStore.connect(url);
      try {
        const [p] = await store.listPartners();
        assert.deepEqual([p?.key, p?.roles, p?.hubPartyId, p?.parties], ['DE-EMS', ['EMSP'], undefined, []]);
        const hub = await store.updatePartner(p!.id, {
          hubPartyId: 'NL-HUB',
          parties: [{ role: 'EMSP', key: 'DE-EMS' }],
        });
        assert.equal(hub.hubPartyId, 'NL-HUB');
      } finally {
        await store.close();
      }
    } finally {
      await sql.end();
    }
  });
});
