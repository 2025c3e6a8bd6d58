// Paging cost by depth, PostgreSQL vs SQLite: 100 000 sessions of one owner with ~3 KB bodies, then 200
// listSessions calls (limit 100) at offset 0 and at offset 90 000, sequentially; prints the mean ms per call.
// Run: npm run build && node dist/bench/store-paging.js   (PostgreSQL: as the tests find it, see
// test/support/postgres.ts; a fresh database is created and dropped.) Not a test: numbers depend on the machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { PageQuery } from '../src/domain/page.js';
import { WIRE_FORMATS, type WireFormat } from '../src/domain/wire-format.js';
import type { SessionRecord, SessionStore } from '../src/store/contract.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { dropDatabase, postgresUrl } from '../test/support/postgres.js';
import { makeRecord, makeSession } from '../test/support/sessions.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 100_000);
const CALLS = 200;
const LIMIT = 100;
const OWNER = 'NL-BEN';
const T0 = Date.UTC(2025, 0, 1);
const BATCH = 1000;

/** A session with enough charging periods for ~3 KB bodies of realistic (not trivially compressible) JSON. */
function record(i: number): SessionRecord {
  const s = makeSession(`bench-${i}`, OWNER, T0 + i * 60_000);
  s.chargingPeriods = Array.from({ length: 18 }, (_, p) => ({
    startDateTime: s.startDateTime + p * 200_000 + (i % 977),
    dimensions: [
      { type: 'ENERGY', volume: ((i * 31 + p * 7) % 1000) / 100 },
      { type: 'TIME', volume: ((i * 17 + p) % 500) / 1000 },
    ],
  }));
  const rec = makeRecord(s);
  const doc = JSON.stringify(s);
  rec.renders = Object.fromEntries(
    WIRE_FORMATS.map((f) => [f, JSON.stringify({ id: s.id, f, lu: s.lastUpdated, session: doc })]),
  ) as Record<WireFormat, string>;
  return rec;
}

async function fill(store: SessionStore): Promise<number> {
  await store.addStoredFormats(WIRE_FORMATS); // the formats the bench reads (issue 16)
  const start = performance.now();
  for (let i = 0; i < SESSIONS; i += BATCH) {
    const recs = Array.from({ length: Math.min(BATCH, SESSIONS - i) }, (_, k) => record(i + k));
    await store.putSessions(recs, { mode: 'replace' });
  }
  return performance.now() - start;
}

async function meanMs(store: SessionStore, query: PageQuery): Promise<number> {
  for (let i = 0; i < 20; i++) await store.listSessions({ owner: OWNER }, query, 'ocpi-2.2.1'); // warm-up
  const start = performance.now();
  for (let i = 0; i < CALLS; i++) {
    const page = await store.listSessions({ owner: OWNER }, query, 'ocpi-2.2.1');
    if (page.bodies.length !== LIMIT) throw new Error(`expected ${LIMIT} items, got ${page.bodies.length}`);
  }
  return (performance.now() - start) / CALLS;
}

async function measure(name: string, store: SessionStore): Promise<Record<string, string>> {
  const fillMs = await fill(store);
  const deep = Math.max(0, SESSIONS - 10_000);
  const windowFrom = T0 + Math.floor(SESSIONS / 2) * 60_000 + 1234; // a partial first day: row-counted edge
  const windowDeep = Math.max(0, Math.floor(SESSIONS / 2) - 10_000);
  const row = {
    store: name,
    'fill s': (fillMs / 1000).toFixed(1),
    'offset 0 ms': (await meanMs(store, { offset: 0, limit: LIMIT })).toFixed(3),
    [`offset ${deep} ms`]: (await meanMs(store, { offset: deep, limit: LIMIT })).toFixed(3),
    'window, offset 0 ms': (await meanMs(store, { dateFrom: windowFrom, offset: 0, limit: LIMIT })).toFixed(
      3,
    ),
    [`window, offset ${windowDeep} ms`]: (
      await meanMs(store, { dateFrom: windowFrom, offset: windowDeep, limit: LIMIT })
    ).toFixed(3),
  };
  await store.close();
  return row;
}

const rows: Array<Record<string, string>> = [];
const url = await postgresUrl();
try {
  rows.push(await measure('postgres', await PostgresStore.connect(url)));
} finally {
  await dropDatabase(url);
}
const dir = mkdtempSync(path.join(tmpdir(), 'ocpi-bench-'));
try {
  rows.push(await measure('sqlite', new SqliteStore(path.join(dir, 'bench.db'))));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `${SESSIONS} sessions of one owner, ~3 KB bodies; mean of ${CALLS} sequential listSessions, limit ${LIMIT}`,
);
console.table(rows);
