// `pull --commit-every N` stores the sessions of several pages in one transaction. Pulled from a real server over
// loopback, page by page (--commit-every 1), in batches that cut pages (350 sessions, pages of 100) and in one
// batch for the whole crawl, the eMSP's SQLite file ends with the same rows: sessions (positions, revisions,
// documents), every rendered body of every wire format, the counters and the owners. And each body is the one the
// writer renders for the stored session (src/modules/sessions/service/writer.ts).
import { declareFormats } from '../support/sessions.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { Session } from '../../src/domain/session.js';
import { WIRE_FORMATS } from '../../src/domain/wire-format.js';
import { toRecord } from '../../src/modules/sessions/service/writer.js';
import { tempDb, type TestServer } from '../support/server.js';
import { runCliAsync } from '../support/cli.js';
import { PARTNERS, serverWithPartners } from './helpers.js';

interface Tables {
  sessions: unknown[];
  bodies: { id: number; body: string }[];
  counts: unknown[];
  owners: unknown[];
  /** Each body with the stored session at its position (owner, ord) and its format's index. */
  placed: { doc: string; fmt: number; body: string }[];
}

function tables(file: string): Tables {
  const db = new Database(file, { readonly: true });
  try {
    return {
      sessions: db
        .prepare('SELECT seq, cpo, id_ci, owner, ord, last_updated, rev, doc FROM sessions ORDER BY seq')
        .all(),
      bodies: db.prepare('SELECT id, body FROM page_bodies ORDER BY id').all() as Tables['bodies'],
      counts: db
        .prepare('SELECT owner, block, day, n FROM session_counts WHERE n <> 0 ORDER BY 1, 2, 3')
        .all(),
      owners: db.prepare('SELECT owner, next_ord, no FROM owners ORDER BY owner').all(),
      // page_bodies id = owner no << 44 | format index << 40 | ord (src/store/sqlite/schema.ts).
      placed: db
        .prepare(
          `SELECT s.doc, (b.id >> 40) & 15 AS fmt, b.body FROM page_bodies b
           JOIN owners o ON o.no = b.id >> 44 JOIN sessions s ON s.owner = o.owner AND s.ord = b.id & ${2 ** 40 - 1}
           ORDER BY b.id`,
        )
        .all() as Tables['placed'],
    };
  } finally {
    db.close();
  }
}

describe('pull --commit-every: batched commits store what a page-by-page pull stores', () => {
  let server: TestServer;
  before(async () => {
    server = await serverWithPartners(3000, 400);
  });
  after(() => server.close());

  async function pullInto(commitEvery: number): Promise<{ db: string; summary: Record<string, unknown> }> {
    const p = PARTNERS.ocpi;
    const db = tempDb(`batched-${commitEvery}.db`);
    await declareFormats(db, WIRE_FORMATS); // every format the test compares (issue 16)
    const r = await runCliAsync([
      'pull',
      '--db',
      db,
      '--url',
      `${server.url}/ocpi/cpo/2.2.1/sessions`,
      '--token',
      p.token,
      '--page-size',
      '100',
      '--commit-every',
      String(commitEvery),
      '--json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    return { db, summary: JSON.parse(r.stdout) as Record<string, unknown> };
  }

  it('same rows and bytes with --commit-every 1, 350 and 100000 (pages of 100)', async () => {
    const one = await pullInto(1);
    const want = tables(one.db);
    assert.ok(want.sessions.length > 900, `${want.sessions.length} sessions pulled`);
    assert.equal(want.bodies.length, want.sessions.length * WIRE_FORMATS.length);
    for (const n of [350, 100_000]) {
      const batched = await pullInto(n);
      assert.deepEqual(
        [batched.summary.complete, batched.summary.received, batched.summary.sessions],
        [true, want.sessions.length, { new: want.sessions.length, updated: 0, unchanged: 0 }],
      );
      const got = tables(batched.db);
      assert.deepEqual(got.sessions, want.sessions, `sessions, --commit-every ${n}`);
      assert.deepEqual(got.counts, want.counts, `session_counts, --commit-every ${n}`);
      assert.deepEqual(got.owners, want.owners, `owners, --commit-every ${n}`);
      assert.equal(got.bodies.length, want.bodies.length);
      for (let i = 0; i < want.bodies.length; i++)
        assert.deepEqual(got.bodies[i], want.bodies[i], `page_bodies row ${i}, --commit-every ${n}`);
    }
    // Each stored body is the writer's render of the stored session, per position (owner, ord) and format.
    assert.equal(want.placed.length, want.bodies.length);
    for (const { doc, fmt, body } of want.placed)
      assert.equal(
        body,
        toRecord(JSON.parse(doc) as Session, undefined, WIRE_FORMATS).renders[WIRE_FORMATS[fmt]!],
      );
  });
});
