// The page read without a date window runs on connections of their own that keep one generic plan for it
// (plan_cache_mode = force_generic_plan, GENERIC_PLANS in src/store/postgres/postgres-store.ts): PostgreSQL does not
// plan it again for every page. The store's other connections keep the default mode (plans made for the actual
// values), and the startup options a URL carries reach both kinds of connection. Real PostgreSQL; the connections
// are looked at from inside (pg_prepared_statements and settings are per connection). The page pool has no
// node-postgres query_timeout: the page read keeps the timeout itself (raw-rows.ts), and a query that gets no
// answer in time still fails, and its connection is discarded.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { pageObjects } from '../../src/domain/page.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { queryRawRows } from '../../src/store/postgres/raw-rows.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { makeRecord, makeSession } from '../support/sessions.js';

const T0 = Date.UTC(2025, 0, 1);
const PAGES = 12; // more than the 5 custom plans after which PostgreSQL's auto mode may settle on a generic one

// The process's warnings (pg warns once per process about a query sent while its connection was busy).
const warnings: Error[] = [];
process.on('warning', (w) => warnings.push(w));

describe('PostgreSQL page pool', () => {
  let db: string | undefined;
  after(async () => {
    if (db) await dropDatabase(db);
  });

  it('a raw rows query with a timeout fails when unanswered in time; the pool goes on with a new connection', async () => {
    db ??= await postgresUrl();
    const pool = new pg.Pool({ connectionString: db, max: 1 }); // no query_timeout, as the page pool
    try {
      const pid = async () => (await pool.query<{ p: number }>('SELECT pg_backend_pid() AS p')).rows[0]!.p;
      const first = await pid();
      const t0 = Date.now();
      await assert.rejects(queryRawRows(pool, '', 'SELECT pg_sleep(5)::text', [], 300), /Query read timeout/);
      const took = Date.now() - t0;
      assert.ok(took >= 300 && took < 2000, `timed out after ${took} ms`);
      assert.notEqual(await pid(), first, 'the connection that timed out was discarded');
      const rows = await queryRawRows(pool, '', 'SELECT $1::text', ['ok'], 300);
      assert.equal(rows[0]![0]!.toString(), 'ok');
    } finally {
      await pool.end();
    }
  });

  it('reads pages without a window with one generic plan; other connections keep auto and the URL options', async () => {
    db ??= await postgresUrl();
    const url = new URL(db);
    url.searchParams.set('options', '-c statement_timeout=98765');
    const store = await PostgresStore.connect(url.toString(), { poolSize: 1 });
    try {
      await store.addStoredFormats(['ocpi-2.2.1']);
      const records = Array.from({ length: 30 }, (_, i) =>
        makeRecord(makeSession(`plan-${i}`, 'NL-EMS', T0 + i * 60_000)),
      );
      await store.putSessions(records, { mode: 'replace' });
      for (let i = 0; i < PAGES; i++) {
        const page = await store.listSessions({ owner: 'NL-EMS' }, { offset: i, limit: 5 }, 'ocpi-2.2.1');
        assert.equal(page.total, 30);
        assert.deepEqual(
          (pageObjects(page) as Array<{ id: string }>).map((s) => s.id),
          records.slice(i, i + 5).map((r) => r.session.id),
        );
      }
      // The pools themselves (one connection each): what runs on them is what the store sends.
      const { pool, pages } = store as unknown as { pool: pg.Pool; pages: pg.Pool };
      const plans = await pages.query<{ generic_plans: string; custom_plans: string }>(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'ocpi_page_all'",
      );
      assert.equal(plans.rows.length, 1, 'the page statement is prepared on the page connection');
      assert.equal(Number(plans.rows[0]!.custom_plans), 0);
      assert.equal(Number(plans.rows[0]!.generic_plans), PAGES);
      const settings = (p: pg.Pool) =>
        p.query<{ mode: string; timeout: string }>(
          "SELECT current_setting('plan_cache_mode') AS mode, current_setting('statement_timeout') AS timeout",
        );
      assert.deepEqual((await settings(pages)).rows[0], { mode: 'force_generic_plan', timeout: '98765ms' });
      assert.deepEqual((await settings(pool)).rows[0], { mode: 'auto', timeout: '98765ms' });
      // The SET ran before the connection's first page query, not beside it (pg deprecates queued queries).
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(
        warnings.map((w) => w.message),
        [],
      );
    } finally {
      await store.close();
    }
  });
});
