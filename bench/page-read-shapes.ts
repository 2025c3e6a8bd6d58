// The SQLite read of one sender page, by shape: the store's own read (one plucked TEXT body per row) against
// pre-joined blocks of B bodies (one BLOB per owner, format and range of B ords: issue 16's "blocks" idea), kept in
// a scratch file with 4 KB pages (the store's page size) and with 64 KB pages. It answers whether a block table
// would make the read cheaper before anyone builds one into the write plan. Measures and prints; asserts only that
// every shape reads the same bytes.
// Run after the sender bench has built its data set (bench/.cache/sqlite-<N>-5.db):
//   npm run build && node dist/bench/page-read-shapes.js [data set file]   (default: the 20 000-session one)
// CPU µs per page (process.cpuUsage over the calls), min / median / max over ROUNDS rounds.
// PostgreSQL (`--pg <URL of a database with NL-EMS sessions>`, e.g. one the sender bench or `demo` built): the
// store's read, the bodies alone and one string_agg per page: client CPU and the backends' (/proc). Where the
// client's time goes: run it under `node --max-semi-space-size=64 --cpu-prof` (the server's flags).
import Database from 'better-sqlite3';
import pg from 'pg';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAX, MIN } from '../src/store/paging.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { CACHE_DIR } from './lib/procs.js';

const { values, positionals } = parseArgs({ options: { pg: { type: 'string' } }, allowPositionals: true });
const FILE = positionals[0] ?? path.join(CACHE_DIR, 'sqlite-20000-5.db');
const OWNER = 'NL-EMS';
const FORMAT = 'ocpi-2.2.1';
const ROUNDS = 5;
const BLOCK_SIZES = [16, 32, 64, 128];
const PAGE_SIZES = [4096, 65536];

if (values.pg) {
  await postgres(values.pg);
  process.exit(0);
}

const store = new SqliteStore(FILE);
const last = (await store.ownerState(OWNER)).lastOrd;
/** Start ords of the measured pages: spread over the owner's sessions, the same list for every shape. */
const starts = (limit: number) =>
  Array.from({ length: 64 }, (_, i) => 1 + ((i * 997) % Math.max(1, last - limit)));

async function rowsPage(from: number, limit: number): Promise<string> {
  const page = await store.pageBodies(OWNER, from, MIN, MAX, 0, limit, FORMAT);
  return page.bodies.join(',');
}

/** A scratch file holding every B-body block of the owner (ord range [kB+1, (k+1)B]) as one BLOB. */
async function blockFile(dir: string, pageSize: number, size: number) {
  const db = new Database(path.join(dir, `blocks-${pageSize}-${size}.db`));
  db.pragma(`page_size = ${pageSize}`);
  db.pragma('journal_mode = WAL');
  db.pragma('cache_size = -65536'); // as the store
  db.exec('CREATE TABLE blocks (k INTEGER PRIMARY KEY, body BLOB NOT NULL, ends BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO blocks (k, body, ends) VALUES (?, ?, ?)');
  for (let k = 0; k * size < last; k++) {
    const bodies = (await store.pageBodies(OWNER, k * size + 1, MIN, MAX, 0, size, FORMAT)).bodies;
    const parts = bodies.map((b) => Buffer.from(b as string, 'utf8'));
    const ends = new Uint32Array(parts.length);
    let at = 0;
    parts.forEach((p, i) => (ends[i] = at += p.length + (i > 0 ? 1 : 0)));
    insert.run(
      k,
      Buffer.from(parts.map((p) => p.toString('latin1')).join(','), 'latin1'),
      Buffer.from(ends.buffer),
    );
  }
  const read = db.prepare<[number, number], { body: Buffer; ends: Buffer }>(
    'SELECT body, ends FROM blocks WHERE k >= ? AND k <= ? ORDER BY k',
  );
  /** The page's bytes: the blocks covering [from, from + limit), sliced at both edges (no copy of the middle). */
  const page = (from: number, limit: number): Buffer[] => {
    const first = Math.floor((from - 1) / size);
    const lastBlock = Math.floor((from + limit - 2) / size);
    const rows = read.all(first, lastBlock);
    const out: Buffer[] = [];
    let wanted = limit;
    rows.forEach((r, i) => {
      const ends = new Uint32Array(r.ends.buffer, r.ends.byteOffset, r.ends.length / 4);
      const skip = i === 0 ? (from - 1) % size : 0;
      const take = Math.min(wanted, ends.length - skip);
      const start = skip === 0 ? 0 : ends[skip - 1]! + 1;
      out.push(r.body.subarray(start, ends[skip + take - 1]));
      wanted -= take;
    });
    return out;
  };
  return { page, close: () => db.close() };
}

/** The same rows (one TEXT body per ord) in a scratch file with `pageSize` pages: the page size alone. */
async function rowFile(dir: string, pageSize: number) {
  const db = new Database(path.join(dir, `rows-${pageSize}.db`));
  db.pragma(`page_size = ${pageSize}`);
  db.pragma('journal_mode = WAL');
  db.pragma('cache_size = -65536');
  db.exec('CREATE TABLE bodies (ord INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO bodies (ord, body) VALUES (?, ?)');
  const bodies = (await store.pageBodies(OWNER, 1, MIN, MAX, 0, last, FORMAT)).bodies;
  db.transaction(() => bodies.forEach((b, i) => insert.run(i + 1, b as string)))();
  const read = db
    .prepare<[number, number], string>('SELECT body FROM bodies WHERE ord >= ? ORDER BY ord LIMIT ?')
    .pluck();
  return {
    page: (from: number, limit: number) => [Buffer.from(read.all(from, limit).join(','), 'utf8')],
    read: (from: number, limit: number) => read.all(from, limit),
    close: () => db.close(),
  };
}

function cpuMicros(calls: number, fn: (i: number) => unknown): number {
  const t0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) fn(i);
  const u = process.cpuUsage(t0);
  return (u.user + u.system) / calls;
}

function fmt(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[0]!.toFixed(0)} / ${s[s.length >> 1]!.toFixed(0)} / ${s.at(-1)!.toFixed(0)}`;
}

const dir = mkdtempSync(path.join(tmpdir(), 'page-read-shapes-'));
try {
  const shapes: Array<{
    name: string;
    /** The page's bytes, in pieces. */
    page: (from: number, limit: number) => Buffer[];
    /** What is timed (default: page). */
    measured?: (from: number, limit: number) => unknown;
    close?: () => void;
  }> = [];
  for (const pageSize of PAGE_SIZES) {
    const r = await rowFile(dir, pageSize);
    shapes.push({
      name: `rows, fresh copy, ${pageSize / 1024} KB pages`,
      page: r.page,
      measured: r.read,
      close: r.close,
    });
  }
  for (const pageSize of PAGE_SIZES)
    for (const size of BLOCK_SIZES) {
      const b = await blockFile(dir, pageSize, size);
      shapes.push({ name: `blocks of ${size}, ${pageSize / 1024} KB pages`, ...b });
    }
  console.log(
    `${FILE}: owner ${OWNER} (${last} sessions), ${FORMAT}, CPU µs per page, min / median / max of ${ROUNDS}`,
  );
  console.log('| read | limit=100 | limit=1000 |\n| --- | --- | --- |');
  const results = new Map<string, number[][]>();
  for (const limit of [100, 1000]) {
    const from = starts(limit);
    // Same bytes from every shape, or the comparison means nothing.
    for (const f of from.slice(0, 8)) {
      const expected = await rowsPage(f, limit);
      for (const s of shapes) {
        const got = Buffer.concat(s.page(f, limit).flatMap((p, i) => (i ? [Buffer.from(','), p] : [p])));
        if (!got.equals(Buffer.from(expected, 'utf8'))) throw new Error(`${s.name}: other bytes at ord ${f}`);
      }
    }
    const calls = limit === 100 ? 2000 : 200;
    for (let round = 0; round < ROUNDS; round++) {
      // store.pageBodies is async but synchronous inside (better-sqlite3): the promise is not awaited per call.
      const rows = cpuMicros(calls, (i) =>
        store.pageBodies(OWNER, from[i % from.length]!, MIN, MAX, 0, limit, FORMAT),
      );
      const r = results.get('rows') ?? [[], []];
      r[limit === 100 ? 0 : 1]!.push(rows);
      results.set('rows', r);
      for (const s of shapes) {
        const timed = s.measured ?? s.page;
        const x = cpuMicros(calls, (i) => timed(from[i % from.length]!, limit));
        const e = results.get(s.name) ?? [[], []];
        e[limit === 100 ? 0 : 1]!.push(x);
        results.set(s.name, e);
      }
    }
  }
  for (const [name, [l100, l1000]] of results) {
    const label = name === 'rows' ? 'rows, one plucked TEXT body each (the store)' : name;
    console.log(`| ${label} | ${fmt(l100!)} | ${fmt(l1000!)} |`);
  }
  for (const s of shapes) s.close?.();
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

/** PostgreSQL: client + backend CPU per page and the client's GC share, per read shape. */
async function postgres(url: string): Promise<void> {
  const app = 'page-read-shapes';
  const u = new URL(url);
  u.searchParams.set('application_name', app);
  const pgStore = await PostgresStore.connect(u.toString(), { poolSize: 1 });
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  const pids = async () =>
    (
      await client.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
        [app],
      )
    ).rows.map((r) => r.pid);
  /** utime + stime in clock ticks; undefined once the backend is gone (an idle pool connection closed). */
  const ticks = (pid: number): number | undefined => {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(f[11]) + Number(f[12]);
    } catch {
      return undefined;
    }
  };
  const pgLast = (await pgStore.ownerState(OWNER)).lastOrd;
  const fmtIndex = 1; // WIRE_FORMATS.indexOf('ocpi-2.2.1')
  const raw = (text: string) => (from: number, limit: number) =>
    client.query({ text, values: [fmtIndex, OWNER, from, limit], rowMode: 'array' });
  const shapes: Array<[string, (from: number, limit: number) => Promise<unknown>]> = [
    [
      'the store (ord, body, both versions per row)',
      (from, limit) => pgStore.pageBodies(OWNER, from, MIN, MAX, 0, limit, FORMAT),
    ],
    [
      'bodies alone',
      raw('SELECT body FROM page_bodies WHERE owner = $2 AND fmt = $1 AND ord >= $3 ORDER BY ord LIMIT $4'),
    ],
    [
      'one string_agg per page',
      raw(`SELECT string_agg(body, ',' ORDER BY ord) FROM (SELECT ord, body FROM page_bodies
             WHERE owner = $2 AND fmt = $1 AND ord >= $3 ORDER BY ord LIMIT $4) p`),
    ],
  ];
  console.log(
    `${url}: owner ${OWNER} (${pgLast} sessions), ${FORMAT}; µs per page, min / median / max of ${ROUNDS}`,
  );
  console.log('| read | limit | client CPU | backend CPU |\n| --- | --- | --- | --- |');
  for (const limit of [100, 1000]) {
    const calls = limit === 100 ? 500 : 60;
    const from = Array.from({ length: 64 }, (_, i) => 1 + ((i * 997) % Math.max(1, pgLast - limit)));
    for (const [name, read] of shapes) {
      const cl: number[] = [];
      const be: number[] = [];
      for (let i = 0; i < 20; i++) await read(from[i % from.length]!, limit);
      for (let round = 0; round < ROUNDS; round++) {
        // Both backends: the store's and this client's (only one works per shape).
        const backends = [...(await pids()), (client as unknown as { processID: number }).processID];
        const b0 = backends.map(ticks);
        const c0 = process.cpuUsage();
        for (let i = 0; i < calls; i++) await read(from[i % from.length]!, limit);
        const c = process.cpuUsage(c0);
        const b = backends.reduce((sum, pid, k) => sum + (ticks(pid) ?? b0[k] ?? 0) - (b0[k] ?? 0), 0);
        cl.push((c.user + c.system) / calls);
        be.push((b * 10_000) / calls); // clock ticks of 10 ms
      }
      console.log(`| ${name} | ${limit} | ${fmt(cl)} | ${fmt(be)} |`);
    }
  }
  await client.end();
  await pgStore.close();
}
