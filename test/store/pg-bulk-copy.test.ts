// PostgreSQL's putSessions writes a large batch with COPY into staging tables (src/store/postgres/bulk-copy.ts)
// and a small one with multi-row VALUES statements. Both must leave the same rows: every table the write plan
// touches (sessions, page_bodies, session_counts, session_history, owners, outbox) compared between a database
// written in batches and one written a session at a time, for creates, updates (same owner) and moves (another
// owner), with strings that COPY's text format must escape (backslash, tab, newline, carriage return) and
// characters beyond ASCII; and the values are stored alike (compressed or not). The large batches are checked to
// have taken the COPY path (its staging table exists).
import { WIRE_FORMATS } from '../../src/domain/wire-format.js';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import type { Session } from '../../src/domain/session.js';
import { field } from '../../src/store/postgres/bulk-copy.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { writeSessions } from '../../src/modules/sessions/service/writer.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';

const NOW = Date.UTC(2025, 5, 1);
const EMSPS = [
  { countryCode: 'NL', partyId: 'EMS' },
  { countryCode: 'DE', partyId: 'EMP' },
];
const CPO = { countryCode: 'NL', partyId: 'OCS' };
const COUNT = 300; // above the bulk threshold (200) in one batch
const TRICKY = ['tab\there', 'new\nline', 'back\\slash "quoted"', 'cr\rlf\r\n', 'Zürich €5 ✓ 🚗', '\\N'];

/** The demo sessions, every tenth with an id and a name that COPY must escape or that are not ASCII. */
function sessions(lastUpdatedShift = 0): Session[] {
  return [...generateDemoSessions({ count: COUNT, seed: 5, emsps: EMSPS, cpo: CPO, now: NOW })].map(
    (s, i) => {
      const t = i % 10 === 0 ? TRICKY[(i / 10) % TRICKY.length]! : undefined;
      return {
        ...s,
        ...(t ? { id: `${s.id}-${t}`, authorizationReference: t } : {}),
        lastUpdated: s.lastUpdated + lastUpdatedShift,
      };
    },
  );
}

/** Every other session moves to the other eMSP: a new position there, its bodies leave the old owner's pages. */
function moved(list: Session[]): Session[] {
  return list.map((s, i) =>
    i % 2 ? s : { ...s, cdrToken: { ...s.cdrToken, ...EMSPS[s.cdrToken.countryCode === 'NL' ? 1 : 0]! } },
  );
}

const TABLES = [
  'SELECT cpo, id_ci, owner, ord, last_updated, rev, doc, digest FROM sessions ORDER BY cpo, id_ci',
  'SELECT owner, fmt, ord, body FROM page_bodies ORDER BY owner, fmt, ord',
  // Stored alike too: compressed or not (page_bodies keeps bodies up to a heap page uncompressed, migration 4).
  'SELECT owner, fmt, ord, pg_column_size(body) FROM page_bodies ORDER BY owner, fmt, ord',
  'SELECT cpo, id_ci, pg_column_size(doc) FROM sessions ORDER BY cpo, id_ci',
  'SELECT owner, block, day, n FROM session_counts WHERE n <> 0 ORDER BY owner, block, day',
  `SELECT s.cpo, s.id_ci, h.rev, h.last_updated, h.source, h.summary
     FROM session_history h JOIN sessions s ON s.seq = h.seq ORDER BY s.cpo, s.id_ci, h.rev`,
  'SELECT owner, next_ord FROM owners ORDER BY owner',
  `SELECT o.partner_key, o.module, s.cpo, s.id_ci, o.rev
     FROM outbox o JOIN sessions s ON s.seq = o.object_seq ORDER BY 1, 2, 3, 4`,
];

async function dump(url: string): Promise<unknown[][]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const out: unknown[][] = [];
    for (const sql of TABLES) out.push((await c.query({ text: sql, rowMode: 'array' })).rows);
    return out;
  } finally {
    await c.end();
  }
}

/** Whether a connection of this database has created the COPY path's staging table. */
async function copyPathUsed(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(`SELECT 1 FROM pg_class WHERE relname = 'bulk_bodies' AND relpersistence = 't'`);
    return r.rowCount === 1;
  } finally {
    await c.end();
  }
}

describe('PostgreSQL bulk writes (COPY) leave the rows of writes a session at a time', () => {
  const databases: string[] = [];
  after(() => Promise.all(databases.map(dropDatabase)));

  it(`creates, updates and moves of ${COUNT} sessions, with strings COPY must escape`, async () => {
    const rounds = [sessions(), sessions(60_000), moved(sessions(120_000))];
    const options = { mode: 'replace' as const, pushTo: ['NL-EMS'] };
    const bulkUrl = await postgresUrl();
    const oneUrl = await postgresUrl();
    databases.push(bulkUrl, oneUrl);
    const bulk = await PostgresStore.connect(bulkUrl);
    const one = await PostgresStore.connect(oneUrl);
    // Every format stored, so the bodies of both paths are compared (issue 16).
    await Promise.all([bulk.addStoredFormats(WIRE_FORMATS), one.addStoredFormats(WIRE_FORMATS)]);
    try {
      for (const [i, round] of rounds.entries()) {
        const outcomes = await writeSessions(bulk, round, options, 'import');
        assert.deepEqual(new Set(outcomes), new Set([i ? 'updated' : 'created']));
        if (i === 0) assert.equal(await copyPathUsed(bulkUrl), true, 'the large batch did not use COPY');
        for (const s of round) await writeSessions(one, [s], options, 'import');
      }
      assert.equal(await copyPathUsed(oneUrl), false, 'single writes used COPY');
      const got = await bulk.getSession(CPO.countryCode, CPO.partyId, rounds[0]![0]!.id);
      assert.equal(got?.session.authorizationReference, TRICKY[0]);
    } finally {
      await Promise.all([bulk.close(), one.close()]);
    }
    const [a, b] = [await dump(bulkUrl), await dump(oneUrl)];
    assert.equal(a[0]!.length, COUNT);
    assert.ok(a[5]!.length >= COUNT * 3, 'history of every revision');
    TABLES.forEach((sql, i) => assert.deepEqual(a[i], b[i], sql));
  });

  it("escapes a field for COPY's text format", () => {
    assert.equal(field('a\\b\tc\nd\re'), 'a\\\\b\\tc\\nd\\re');
    assert.equal(field('\\N'), '\\\\N');
    assert.equal(field(null), '\\N');
    assert.equal(field(42), '42');
    assert.equal(field('plain "json" ✓'), 'plain "json" ✓');
  });
});
