// The store's write path, CPU per session write: putSessions of one record per call (an ingest PUT or PATCH
// alone in its transaction; `--batch N`: N records per call, as group commit batches concurrent requests), creates
// then updates (each update: +1 kWh, +1 charging period). The rendering is measured with the write (what an
// ingest request costs): each build renders what it stores, builds before issue 16's stored formats every wire
// format ahead (toRecord), later ones the store's stored formats in the write transaction (PutOptions.render).
// The store has one partner reading the sessions, registered over OCPI 2.2.1 (a deployment's one format per
// partner). Before/after: each round runs a child process per build (`--dist`: the build's dist directory,
// default this one), interleaved, on a fresh SQLite file or PostgreSQL database each time.
//
//   npm run build && node dist/bench/store-writes.js [--before /path/to/other/dist] [--store sqlite|postgres]
//        [--sessions N] [--updates K] [--rounds R] [--memory] [--batch B]
//   (--memory: SQLite in memory, no fsync; --batch: records per putSessions, default 1; 2000 is what `demo` and
//   `import` write per transaction)
//
// SQLite: this process's CPU (user + system). PostgreSQL: this process's CPU and the backend's (one connection,
// /proc/<backend pid>/stat; the server must run on this machine). Not a test: numbers depend on the machine.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Session } from '../src/domain/session.js';
import type { PutOptions, SessionRecord, SessionStore } from '../src/store/contract.js';

const HERE_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLK_TCK = 100;

const { values } = parseArgs({
  options: {
    child: { type: 'boolean' },
    dist: { type: 'string' },
    before: { type: 'string' },
    store: { type: 'string', default: 'sqlite' },
    sessions: { type: 'string', default: '2000' },
    updates: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    batch: { type: 'string', default: '1' },
    memory: { type: 'boolean' },
  },
});

interface Figures {
  createUs: number;
  updateUs: number;
  createDbUs?: number;
  updateDbUs?: number;
}

async function child(): Promise<void> {
  const dist = values.dist ?? HERE_DIST;
  const imp = <T>(p: string) => import(pathToFileURL(path.join(dist, p)).href) as Promise<T>;
  const { generateDemoSessions } =
    await imp<typeof import('../src/demo/demo-data.js')>('src/demo/demo-data.js');
  const writer = await imp<typeof import('../src/modules/sessions/service/writer.js')>(
    'src/modules/sessions/service/writer.js',
  );
  const { toRecord } = writer;
  // Absent in builds before stored formats (they render every format in toRecord).
  const render = (writer as { renderBody?: unknown }).renderBody as PutOptions['render'];
  const n = Number(values.sessions);
  const k = Number(values.updates);
  const now = Date.UTC(2026, 0, 1);
  const sessions = [
    ...generateDemoSessions({
      count: n,
      seed: 1,
      now,
      cpo: { countryCode: 'NL', partyId: 'CPO' },
      emsps: [{ countryCode: 'DE', partyId: 'EMS' }],
    }),
  ];
  // A source is given to both builds (the earlier one has no such parameter and ignores it).
  const record = (s: Session) => (toRecord as (s: Session, source: string) => SessionRecord)(s, 'ingest-put');
  const creates = sessions;
  const updates: Session[][] = [];
  let cur = sessions;
  for (let u = 1; u <= k; u++) {
    cur = cur.map((s) => ({
      ...s,
      kwh: s.kwh + 1,
      lastUpdated: s.lastUpdated + u * 60_000,
      chargingPeriods: [
        ...s.chargingPeriods,
        { startDateTime: s.lastUpdated + u * 60_000, dimensions: [{ type: 'ENERGY', volume: 1 }] },
      ],
    }));
    updates.push(cur);
  }
  let store: SessionStore;
  let done: () => Promise<void>;
  let backend: (() => Promise<number>) | undefined;
  if (values.store === 'postgres') {
    const { PostgresStore } = await imp<typeof import('../src/store/postgres/postgres-store.js')>(
      'src/store/postgres/postgres-store.js',
    );
    const { dropDatabase, postgresUrl } = await import('../test/support/postgres.js');
    const url = await postgresUrl();
    const pg = await PostgresStore.connect(url, { poolSize: 1 });
    store = pg;
    // The one connection's backend: its CPU from /proc (same machine).
    const pid = await (
      pg as unknown as { pool: { query(q: string): Promise<{ rows: { pid: number }[] }> } }
    ).pool
      .query('SELECT pg_backend_pid() AS pid')
      .then((r) => r.rows[0]!.pid);
    backend = async () => {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return ((Number(f[11]) + Number(f[12])) / CLK_TCK) * 1e6;
    };
    done = async () => {
      await store.close();
      await dropDatabase(url);
    };
  } else {
    const { SqliteStore } = await imp<typeof import('../src/store/sqlite/sqlite-store.js')>(
      'src/store/sqlite/sqlite-store.js',
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'store-writes-'));
    // --memory: no file, no fsync: the statements' own CPU.
    store = new SqliteStore(values.memory ? ':memory:' : path.join(dir, 'w.db'));
    done = async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  // The partner reading the sessions, as a registration leaves it (invited, then registered over 2.2.1).
  const invite = await store.addInvite('bench-token-hash');
  await store.updatePartner(invite.id, {
    countryCode: 'DE',
    partyId: 'EMS',
    roles: ['EMSP'],
    format: 'ocpi',
    state: 'registered',
    version: '2.2.1',
  });
  const measure = async (batches: Session[][]) => {
    const c0 = process.cpuUsage();
    const b0 = backend ? await backend() : 0;
    const per = Number(values.batch);
    let ops = 0;
    for (const batch of batches)
      for (let i = 0; i < batch.length; i += per) {
        const records = batch.slice(i, i + per).map(record);
        await store.putSessions(records, { mode: 'if-newer', ...(render ? { render } : {}) });
        ops += records.length;
      }
    const c = process.cpuUsage(c0);
    const b = backend ? (await backend()) - b0 : 0;
    return { us: (c.user + c.system) / ops, db: b / ops };
  };
  const c = await measure([creates]);
  const u = await measure(updates);
  await done();
  const out: Figures = { createUs: c.us, updateUs: u.us };
  if (backend) Object.assign(out, { createDbUs: c.db, updateDbUs: u.db });
  process.stdout.write(JSON.stringify(out));
}

function driver(): void {
  const builds: [string, string][] = [
    ...(values.before ? [['before', path.resolve(values.before)] as [string, string]] : []),
    ['after', HERE_DIST],
  ];
  const rows: Record<string, Figures[]> = {};
  for (let r = 0; r < Number(values.rounds); r++)
    for (const [name, dist] of builds) {
      const args = [fileURLToPath(import.meta.url), '--child', '--dist', dist];
      for (const o of ['store', 'sessions', 'updates', 'batch'] as const) args.push(`--${o}`, values[o]!);
      if (values.memory) args.push('--memory');
      const out = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })) as Figures;
      (rows[name] ??= []).push(out);
      process.stderr.write(`round ${r + 1} ${name}: ${JSON.stringify(out)}\n`);
    }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const load = readFileSync('/proc/loadavg', 'utf8').trim();
  console.log(
    `## store writes (${values.store}${values.memory ? ', in memory' : ''}), ${values.sessions} sessions, ${values.updates} updates each, ` +
      `${values.batch} per putSessions, ` +
      `${values.rounds} interleaved rounds; loadavg ${load}`,
  );
  console.log(
    '| build | create µs CPU/op (median, min–max) | update µs CPU/op | create DB µs | update DB µs |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name] of builds) {
    const f = rows[name]!;
    const cell = (get: (x: Figures) => number | undefined) => {
      const xs = f.map(get).filter((x): x is number => x !== undefined);
      return xs.length
        ? `${med(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`
        : '-';
    };
    console.log(
      `| ${name} | ${cell((x) => x.createUs)} | ${cell((x) => x.updateUs)} | ${cell((x) => x.createDbUs)} | ${cell((x) => x.updateDbUs)} |`,
    );
  }
}

if (values.child) await child();
else driver();
