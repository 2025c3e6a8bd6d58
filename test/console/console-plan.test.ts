// The console's sessions list and overview window are index walks, never a sort or a scan of all sessions: SQLite's
// query plan for every shape of the list statement (store/console.ts) uses a sessions_console_* index in order (no
// temporary B-tree for ORDER BY), so a page costs the same at 1 000 000 sessions as at 1 000.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { consoleSql, listSql, SQLITE_CONSOLE } from '../../src/store/console.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDb } from '../support/server.js';

describe('console query plans (SQLite)', () => {
  it('every list shape and the recent window walk an index in order', async () => {
    const file = tempDb();
    await new SqliteStore(file).close(); // the schema, migrations included
    const db = new Database(file, { readonly: true });
    const plan = (sql: string, args: unknown[]) =>
      db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(Object.fromEntries(args.map((v, i) => [i + 1, v])))
        .map((r) => (r as { detail: string }).detail)
        .join(' | ');
    for (const sort of ['last_updated', 'start_date_time'] as const)
      for (const order of ['asc', 'desc'] as const)
        for (const owner of sort === 'last_updated' ? [false, true] : [false])
          for (const after of [false, true]) {
            const args = [...(owner ? ['DE-EMS'] : []), 0, 1e15, ...(after ? [5, 5] : []), 50];
            const p = plan(listSql(SQLITE_CONSOLE, { sort, order, owner, after }), args);
            const index = owner
              ? 'sessions_console_owner'
              : sort === 'last_updated'
                ? 'sessions_console_updated'
                : 'sessions_console_start';
            assert.match(
              p,
              new RegExp(`USING (COVERING )?INDEX ${index}`),
              `${sort} ${order} owner=${owner} after=${after}: ${p}`,
            );
            assert.doesNotMatch(p, /TEMP B-TREE/, `${sort} ${order}: no sort: ${p}`);
          }
    const recent = plan(consoleSql(SQLITE_CONSOLE).recent, [0, 0, 100]);
    assert.match(recent, /sessions_console_updated/, recent);
    db.close();
  });
});
