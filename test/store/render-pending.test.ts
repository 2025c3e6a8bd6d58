// A store written before the ocpi-2.3.0 format existed (its sessions have no 2.3.0 body) gets the bodies when a
// server opens it: the migration (SQLite 8, PostgreSQL 9) lists the format in pending_renders, the 2.3.0 sender
// serves every session at once (rendered from the documents while the format is pending), and the server renders
// the bodies in the background (render-pending.ts) — on SQLite and PostgreSQL.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import pg from 'pg';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import type { SessionStore } from '../../src/store/contract.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { startTestServer, tempDb, tokenHeader } from '../support/server.js';
import { getJson } from '../support/http.js';
import { demoSessions, EMSP } from '../client/helpers.js';
import { writeSessions } from '../../src/modules/sessions/service/writer.js';
import { addPartner } from '../../src/service/partners.js';

const N = 30;

/** Writes N sessions with the current code, then makes the store look like the earlier release's. */
async function storeWithout230(
  open: () => Promise<SessionStore>,
  makeOld: () => Promise<void>,
): Promise<void> {
  const store = await open();
  // The partner first: its formats (every OCPI version, no version given) are stored as the sessions are written.
  await addPartner(store, { ...EMSP, format: 'ocpi', token: 'emsp-token' });
  await writeSessions(store, demoSessions(N), { mode: 'replace' });
  await store.close();
  await makeOld();
}

async function servesAll(open: () => Promise<SessionStore>): Promise<void> {
  const server = await startTestServer({ maxLimit: 100 }, await open());
  try {
    const r = await getJson(`${server.url}/ocpi/cpo/2.3.0/sessions?limit=100`, tokenHeader('emsp-token'));
    assert.equal(r.status, 200);
    const data = r.body.data as Record<string, unknown>[];
    assert.equal(data.length, N);
    for (const body of data) {
      const stored = await server.store.getSession(
        String(body.country_code),
        String(body.party_id),
        String(body.id),
      );
      assert.deepEqual(body, JSON.parse(codecFor('ocpi-2.3.0').render(stored!.session)));
    }
    // The server renders the pending format in the background, answering meanwhile (from the documents).
    const until = Date.now() + 30_000;
    while ((await server.store.storedFormats()).ready.length < 3) {
      assert.ok(Date.now() < until, 'the pending format rendered within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(await server.store.renderPendingBodies(() => 'never called'), 0, 'nothing pending any more');
  } finally {
    await server.close();
  }
}

describe('ocpi-2.3.0 bodies of sessions stored before the format existed', () => {
  it('SQLite (user_version 8 → migration 9)', async () => {
    const file = tempDb('old.db');
    const open = async () => new SqliteStore(file);
    await storeWithout230(open, async () => {
      const db = new Database(file);
      // Format index 4 = ocpi-2.3.0 (page_bodies id bits 40-43); the earlier release had neither it nor the table.
      db.exec(
        'DELETE FROM page_bodies WHERE ((id >> 40) & 15) = 4; DROP TABLE pending_renders; PRAGMA user_version = 8',
      );
      db.close();
    });
    await servesAll(open);
  });

  const databases: string[] = [];
  after(async () => {
    for (const url of databases) await dropDatabase(url);
  });

  it('PostgreSQL (schema_migrations up to 9 → migration 10)', async () => {
    const url = await postgresUrl();
    databases.push(url);
    const open = () => PostgresStore.connect(url);
    await storeWithout230(open, async () => {
      const sql = new pg.Pool({ connectionString: url, max: 1 });
      try {
        await sql.query('DELETE FROM page_bodies WHERE fmt = 4');
        await sql.query('DROP TABLE pending_renders');
        await sql.query('DELETE FROM schema_migrations WHERE version = 10');
      } finally {
        await sql.end();
      }
    });
    await servesAll(open);
  });
});
