import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrateSqlite, SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { consoleIndexes } from '../../src/store/sqlite/schema.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { ConsoleListQuery } from '../../src/store/contract.js';
import type { PartyKey } from '../../src/domain/session.js';
import { makeRecord, makeSession } from '../support/sessions.js';
import {
  historyUpgradeCase,
  layoutUpgradeCase,
  moduleKeyUpgradeCase,
  outboxUpgradeCase,
  storeContract,
} from './contract.js';

const tempFile = (name: string) => path.join(mkdtempSync(path.join(tmpdir(), 'ocpi-sqlite-')), name);

storeContract('sqlite', async () => new SqliteStore(tempFile('contract.db')));

describe('sqlite store: sessions written before the history (migration 11)', () => {
  it('summarizes the next write against the stored document', async () => {
    const file = tempFile('history.db');
    await historyUpgradeCase(
      async () => new SqliteStore(file),
      async () => {
        const db = new Database(file);
        db.exec('UPDATE sessions SET digest = NULL; DELETE FROM session_history');
        db.close();
      },
    );
  });
});

describe('sqlite store: files written before page_bodies', () => {
  it('moves every body to page order when opened: same pages, same totals, writes go on', async () => {
    const file = tempFile('upgrade.db');
    await layoutUpgradeCase(
      async () => new SqliteStore(file),
      async () => {
        // Back to the layout earlier releases wrote: bodies under seq * 8 + format, owners without a number.
        const db = new Database(file);
        db.exec(`
          CREATE TABLE session_bodies (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
          INSERT INTO session_bodies (id, body)
            SELECT s.seq * 8 + ((b.id >> 40) & 15), b.body
            FROM page_bodies b JOIN owners o ON o.no = b.id >> 44 JOIN sessions s
              ON s.owner = o.owner AND s.ord = b.id & 1099511627775;
          DROP TABLE page_bodies;
          DROP INDEX owners_no;
          ALTER TABLE owners DROP COLUMN no;
          PRAGMA user_version = 0; -- no build before versioned migrations set it`);
        db.close();
      },
      async () => {
        const db = new Database(file, { readonly: true });
        const tables = db
          .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table'")
          .all()
          .map((t) => t.name);
        db.close();
        assert.ok(tables.includes('page_bodies') && !tables.includes('session_bodies'), tables.join());
      },
    );
  });
});

describe('sqlite store: files written before fenced outbox claims', () => {
  it('adds outbox.claim when opened; pending deliveries are claimed fenced and completed', async () => {
    const file = tempFile('outbox-upgrade.db');
    await outboxUpgradeCase(
      async () => new SqliteStore(file),
      async () => {
        const db = new Database(file);
        db.exec('ALTER TABLE outbox DROP COLUMN claim; PRAGMA user_version = 0');
        db.close();
      },
    );
  });
});

describe('sqlite store: files of the release before module keys (user_version 4)', () => {
  it('keeps pending deliveries, delivered state and pull sync state; claims under module sessions', async () => {
    const file = tempFile('module-keys.db');
    await moduleKeyUpgradeCase(
      async (statements) => {
        const db = new Database(file);
        assert.deepEqual(migrateSqlite(db, 4), [1, 2, 3, 4]);
        for (const sql of statements) db.exec(sql);
        db.close();
      },
      async () => new SqliteStore(file),
    );
    // The claim index is as it was.
    const db = new Database(file, { readonly: true });
    const due = db
      .prepare<[], { name: string }>("SELECT name FROM pragma_index_info('outbox_due')")
      .all()
      .map((c) => c.name);
    const key = db
      .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('outbox') WHERE pk > 0 ORDER BY pk")
      .all()
      .map((c) => c.name);
    db.close();
    assert.deepEqual(due, ['next_attempt_at', 'enqueued_at']);
    assert.deepEqual(key, ['partner_key', 'module', 'object_seq']);
  });
});

describe('sqlite store: versioned migrations (PRAGMA user_version)', () => {
  const userVersion = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return db.pragma('user_version', { simple: true });
    } finally {
      db.close();
    }
  };
  const latest = SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1]!.version;

  it('a new file is at the latest version; opening it again applies nothing and takes no write lock', async () => {
    const file = tempFile('fresh.db');
    await new SqliteStore(file).close();
    assert.equal(userVersion(file), latest);
    // Another connection holds the write lock: an open that had anything to apply would wait for it and fail.
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const again = new SqliteStore(file);
      await again.close();
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('a file of an earlier build (user_version 0, an older layout) is brought to the latest version', async () => {
    const file = tempFile('legacy.db');
    await new SqliteStore(file).close();
    const db = new Database(file);
    db.exec('ALTER TABLE outbox DROP COLUMN claim; DROP TABLE locks; PRAGMA user_version = 0');
    db.close();
    await new SqliteStore(file).close();
    assert.equal(userVersion(file), latest);
    const check = new Database(file, { readonly: true });
    const tables = check
      .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table'")
      .all()
      .map((t) => t.name);
    const outbox = check
      .prepare<[], { name: string }>('PRAGMA table_info(outbox)')
      .all()
      .map((c) => c.name);
    check.close();
    assert.ok(tables.includes('locks'), tables.join());
    assert.ok(outbox.includes('claim'), outbox.join());
  });

  it('migration 10: partners of a version 9 file gain hub_party_id and parties (none), kept as they were', async () => {
    const file = tempFile('v9.db');
    const before = new SqliteStore(file);
    await before.addPartner({
      countryCode: 'DE',
      partyId: 'EMS',
      roles: ['EMSP'],
      format: 'ocpi',
      tokenHash: 'ab'.repeat(32),
    });
    await before.close();
    const db = new Database(file);
    db.exec('ALTER TABLE partners DROP COLUMN hub_party_id; ALTER TABLE partners DROP COLUMN parties');
    db.exec('PRAGMA user_version = 9');
    db.close();
    const store = new SqliteStore(file);
    try {
      assert.equal(userVersion(file), latest);
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
  });
});

describe('sqlite store: migration 13 (session start column, one owner index by last_updated)', () => {
  it('a version 12 file with sessions: start_ms from the documents, same console lists, new writes set it', async () => {
    const file = tempFile('v12.db');
    const T = Date.UTC(2026, 0, 1);
    let store = new SqliteStore(file);
    // Start times not in seq order (and ties), two owners, one session updated after it was created.
    const sessions = Array.from({ length: 30 }, (_, i) => ({
      ...makeSession(`s-${i}`, i % 3 === 0 ? 'DE-EMS' : 'NL-EMS', T + ((i * 7) % 11) * 60_000),
      startDateTime: T - ((i * 13) % 17) * 3_600_000,
    }));
    await store.putSessions(
      sessions.map((s) => makeRecord(s)),
      { mode: 'replace' },
    );
    await store.putSessions([makeRecord({ ...sessions[4]!, startDateTime: T + 5, lastUpdated: T + 1 })], {
      mode: 'replace',
    });
    const queries: ConsoleListQuery[] = [];
    for (const order of ['asc', 'desc'] as const) {
      queries.push({ sort: 'start_date_time', order, from: 0, to: 2 * T, limit: 50 });
      queries.push({ sort: 'start_date_time', order, from: T - 5 * 3_600_000, to: T, limit: 7 });
      queries.push({
        sort: 'last_updated',
        order,
        owner: 'DE-EMS' as PartyKey,
        from: 0,
        to: 2 * T,
        limit: 50,
      });
      queries.push({ sort: 'last_updated', order, from: T, to: T + 5 * 60_000, limit: 50 });
    }
    const lists = async (s: SqliteStore) => {
      const out = [];
      for (const q of queries) {
        const first = await s.consoleList(q);
        const last = first.at(-1);
        const next = last ? await s.consoleList({ ...q, after: { key: last.key, seq: last.seq } }) : [];
        out.push([...first, ...next].map((r) => [r.seq, r.key, r.session.id]));
      }
      return out;
    };
    const expected = await lists(store);
    assert.ok(expected.every((l) => l.length > 0));
    await store.close();

    // The layout of a version 12 file: no start_ms, the three indexes of migrations 1 and 8.
    const db = new Database(file);
    db.exec(`DROP INDEX sessions_console_start; DROP INDEX sessions_console_owner;
      ALTER TABLE sessions DROP COLUMN start_ms;
      CREATE INDEX sessions_owner_updated ON sessions (owner, last_updated, ord);
      PRAGMA user_version = 12`);
    consoleIndexes(db);
    db.close();

    store = new SqliteStore(file);
    try {
      const check = new Database(file, { readonly: true });
      const indexes = check
        .prepare<[], { name: string; sql: string }>(
          "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'sessions' AND sql IS NOT NULL ORDER BY name",
        )
        .all()
        .map((r) => `${r.name}: ${r.sql.replace(/^.*\(/, '(')}`);
      const wrong = check
        .prepare("SELECT COUNT(*) FROM sessions WHERE start_ms IS NOT json_extract(doc, '$.startDateTime')")
        .pluck()
        .get();
      assert.equal(check.pragma('user_version', { simple: true }), 13);
      check.close();
      assert.deepEqual(indexes, [
        'sessions_console_owner: (owner, last_updated, seq, ord)',
        'sessions_console_start: (start_ms, seq)',
        'sessions_console_updated: (last_updated, seq)',
        'sessions_owner_ord: (owner, ord, last_updated, seq)',
      ]);
      assert.equal(wrong, 0);
      assert.deepEqual(await lists(store), expected);
      // Writes after the upgrade keep the column: a new session and a changed start time sort by it.
      await store.putSessions(
        [
          makeRecord({ ...makeSession('late', 'DE-EMS', T), startDateTime: T + 10 }),
          makeRecord({ ...sessions[0]!, startDateTime: T + 20, lastUpdated: T + 2 }),
        ],
        { mode: 'replace' },
      );
      const top = await store.consoleList({
        sort: 'start_date_time',
        order: 'desc',
        from: 0,
        to: 2 * T,
        limit: 3,
      });
      assert.deepEqual(
        top.map((r) => [r.session.id, r.key]),
        [
          ['s-0', T + 20],
          ['late', T + 10],
          ['s-4', T + 5],
        ],
      );
    } finally {
      await store.close();
    }
  });
});

describe('sqlite store: a bulk writer’s connection (SqliteOptions.bulk)', () => {
  // The connection's own settings, read on the store's connection (they are per connection, not in the file).
  const settings = (store: SqliteStore) => {
    const db = (store as unknown as { db: Database.Database }).db;
    return {
      cache: db.pragma('cache_size', { simple: true }),
      checkpoint: db.pragma('wal_autocheckpoint', { simple: true }),
    };
  };

  it('has a 128 MB page cache and checkpoints every 10 000 pages; a server’s has 64 MB and 1 000', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ocpi-bulk-'));
    const bulk = new SqliteStore(path.join(dir, 'bulk.db'), { bulk: true });
    const served = new SqliteStore(path.join(dir, 'served.db'));
    try {
      // Negative: KiB (SQLite's PRAGMA cache_size).
      assert.deepEqual(settings(bulk), { cache: -131072, checkpoint: 10000 });
      assert.deepEqual(settings(served), { cache: -65536, checkpoint: 1000 });
    } finally {
      await bulk.close();
      await served.close();
    }
  });
});
