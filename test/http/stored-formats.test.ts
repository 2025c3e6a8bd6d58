// Stored formats (issue 16), through the real interfaces on SQLite and PostgreSQL: a store whose only partner
// reads OCPI 2.2.1 writes one body per session (`demo`, the seeding path); a partner added later in another style
// and version (`partners add --format camel --version 2.1.1`) gets its pages at once, byte for byte what a store
// keeping every format serves, rendered from the documents while its format is pending (the background render is
// held off by holding its lock); once the lock is free the server renders the format for every session in the
// background and marks it ready, and the same pages are then served from the stored bodies.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import pg from 'pg';
import { WIRE_FORMATS, type WireFormat } from '../../src/domain/wire-format.js';
import { addPartner } from '../../src/service/partners.js';
import { openStore } from '../../src/store/open.js';
import { cliAsync, runCliAsync } from '../support/cli.js';
import { send } from '../support/http.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { startTestServer, tempDb, tokenHeader, type TestServer } from '../support/server.js';

const NOW = '2025-06-01T00:00:00Z';
const COUNT = 700;
const EMSPS = 'DE-EMS,FR-CML';
const LIMIT = 100;

type Kind = 'sqlite' | 'postgres';

/** page_bodies rows per wire format, straight from the database. */
async function bodiesPerFormat(kind: Kind, db: string): Promise<Partial<Record<WireFormat, number>>> {
  let rows: { fmt: number; n: number }[];
  if (kind === 'sqlite') {
    const sql = new Database(db, { readonly: true });
    try {
      rows = sql
        .prepare<[], { fmt: number; n: number }>(
          'SELECT (id >> 40) & 15 AS fmt, COUNT(*) AS n FROM page_bodies GROUP BY 1 ORDER BY 1',
        )
        .all();
    } finally {
      sql.close();
    }
  } else {
    const sql = new pg.Pool({ connectionString: db, max: 1 });
    try {
      rows = (
        await sql.query<{ fmt: number; n: number }>(
          'SELECT fmt, COUNT(*)::int AS n FROM page_bodies GROUP BY 1 ORDER BY 1',
        )
      ).rows;
    } finally {
      await sql.end();
    }
  }
  return Object.fromEntries(rows.map((r) => [WIRE_FORMATS[Number(r.fmt)]!, Number(r.n)]));
}

/** Every page of the partner on a version, whole and in a date window: [what, status, total, link, body]. */
async function pages(server: TestServer, token: string, version: string): Promise<string[][]> {
  const out: string[][] = [];
  for (const window of ['', `&date_from=2025-05-20T00:00:00Z`]) {
    for (let offset = 0, total = Infinity; offset < total; offset += LIMIT) {
      const path = `/ocpi/cpo/${version}/sessions?offset=${offset}&limit=${LIMIT}${window}`;
      const r = await send(server.url, { method: 'GET', path, headers: tokenHeader(token) });
      total = Number(r.headers['x-total-count']);
      const link = String(r.headers['link'] ?? '').replace(server.url, '');
      // The envelope's timestamp is the time of the answer: the only part that may differ.
      const body = r.text.replace(/"timestamp":"[^"]*"/, '"timestamp":"-"');
      out.push([`${version} ${offset}${window}`, String(r.status), String(total), link, body]);
    }
  }
  return out;
}

async function seed(db: string): Promise<void> {
  await cliAsync([
    'demo',
    '--db',
    db,
    '--sessions',
    String(COUNT),
    '--seed',
    '5',
    '--emsp',
    EMSPS,
    '--now',
    NOW,
  ]);
}

async function camelPartner(db: string): Promise<void> {
  const args = ['partners', 'add', '--db', db, '--country-code', 'FR', '--party-id', 'CML'];
  await cliAsync([...args, '--format', 'camel', '--version', '2.1.1', '--token', 'cml-token']);
}

describe('stored formats: only the formats partners read are stored', () => {
  const databases: string[] = [];
  after(() => Promise.all(databases.map(dropDatabase)));
  const newDb = async (kind: Kind) => {
    if (kind === 'sqlite') return tempDb('formats.db');
    const url = await postgresUrl();
    databases.push(url);
    return url;
  };

  for (const kind of ['sqlite', 'postgres'] as const) {
    it(`${kind}: one body per session for one partner on 2.2.1; a camel 2.1.1 partner added later is served at once, then stored`, async () => {
      // The tested store: one eMSP, reading OCPI 2.2.1.
      const db = await newDb(kind);
      const store = await openStore(db, { create: true });
      await addPartner(store, { countryCode: 'DE', partyId: 'EMS', version: '2.2.1', token: 'ems-token' });
      assert.deepEqual(await store.storedFormats(), { stored: ['ocpi-2.2.1'], ready: ['ocpi-2.2.1'] });
      const server = await startTestServer({ maxLimit: 1000 }, store);
      // The reference: a store keeping every format, with the same sessions and partners.
      const refDb = await newDb(kind);
      const ref = await openStore(refDb, { create: true });
      await ref.addStoredFormats(WIRE_FORMATS);
      await addPartner(ref, { countryCode: 'DE', partyId: 'EMS', version: '2.2.1', token: 'ems-token' });
      const reference = await startTestServer({ maxLimit: 1000 }, ref);
      try {
        await Promise.all([seed(db), seed(refDb)]);
        assert.deepEqual(await bodiesPerFormat(kind, db), { 'ocpi-2.2.1': COUNT });
        assert.deepEqual(
          await pages(server, 'ems-token', '2.2.1'),
          await pages(reference, 'ems-token', '2.2.1'),
        );

        // The background render is held off (another node would hold this lock while rendering).
        assert.ok(await store.acquireLock('render-formats', 'test', Date.now(), Date.now() + 120_000));
        await Promise.all([camelPartner(db), camelPartner(refDb)]);
        assert.deepEqual(await store.storedFormats(), {
          stored: ['ocpi-2.2.1', 'camel-2.1.1'],
          ready: ['ocpi-2.2.1'],
        });
        const want = await pages(reference, 'cml-token', '2.1.1');
        assert.ok(want.length >= 4 && want.every((p) => p[1] === '200'), `${want.length} pages`);
        assert.deepEqual(
          await pages(server, 'cml-token', '2.1.1'),
          want,
          'pending: rendered from the documents',
        );
        assert.deepEqual(await bodiesPerFormat(kind, db), { 'ocpi-2.2.1': COUNT });

        // Lock free: the server renders the new format for every session in the background, then it is ready.
        await store.releaseLock('render-formats', 'test');
        const until = Date.now() + 30_000;
        while (!(await store.storedFormats()).ready.includes('camel-2.1.1')) {
          assert.ok(Date.now() < until, 'camel-2.1.1 ready within 30 s');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.deepEqual(await bodiesPerFormat(kind, db), { 'ocpi-2.2.1': COUNT, 'camel-2.1.1': COUNT });
        assert.deepEqual(await pages(server, 'cml-token', '2.1.1'), want, 'ready: the stored bodies');
      } finally {
        await Promise.all([server.close(), reference.close()]);
      }
    });
  }

  it('partners add --version: one format for the partner; camel has no 2.3.0', async () => {
    const db = tempDb('add.db');
    await cliAsync(['migrate', '--db', db]);
    const add = (...more: string[]) =>
      runCliAsync(['partners', 'add', '--db', db, '--country-code', 'NL', ...more, '--json']);
    const camel = await add('--party-id', 'CML', '--format', 'camel', '--version', '2.3.0');
    assert.equal(camel.status, 2, camel.stderr); // a usage error
    assert.match(camel.stderr, /camelCase format is defined for OCPI 2\.1\.1 and 2\.2\.1 only/);
    const ocpi = await add('--party-id', 'EMS', '--version', '2.3.0');
    assert.equal(ocpi.status, 0, ocpi.stderr);
    assert.equal(JSON.parse(ocpi.stdout).version, '2.3.0');
    const store = await openStore(db, { create: false });
    try {
      assert.deepEqual(await store.storedFormats(), { stored: ['ocpi-2.3.0'], ready: ['ocpi-2.3.0'] });
    } finally {
      await store.close();
    }
  });
});
