import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrateSqlite, SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
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
