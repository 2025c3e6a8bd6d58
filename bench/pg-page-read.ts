// The PostgreSQL store's page read alone (PostgresStore.pageBodies, what one sender answer reads), CPU per page:
// this process's (node-postgres, the protocol, the bodies) and its backend's (/proc/<pid>/stat; the database must
// run on this machine). Pages of one owner from an existing data set (the sender bench's database,
// `bench_<N>_5`), one connection, one page at a time, entry points spread over the owner's first `--span` ords.
// Before/after: each round runs a child process per build (`--dist`: that build's dist directory), interleaved,
// with the server's node flags (src/cli/node-flags.ts).
//
//   npm run build && node dist/bench/pg-page-read.js --db postgres://postgres@127.0.0.1:5432/bench_20000_5
//        [--before /path/to/other/dist] [--limit 100] [--pages 3000] [--rounds 3] [--owner NL-EMS] [--span 3000]
//
// Not a test: numbers depend on the machine.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { SERVER_NODE_FLAGS } from '../src/cli/node-flags.js';

const HERE_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLK_TCK = 100;

const { values } = parseArgs({
  options: {
    child: { type: 'boolean' },
    dist: { type: 'string' },
    before: { type: 'string' },
    db: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/bench_20000_5' },
    owner: { type: 'string', default: 'NL-EMS' },
    limit: { type: 'string', default: '100' },
    pages: { type: 'string', default: '3000' },
    span: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '3' },
  },
});

interface Figures {
  clientUs: number;
  backendUs: number;
}

function backendTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime of the backend
}

async function child(): Promise<void> {
  const dist = values.dist ?? HERE_DIST;
  const imp = <T>(p: string) => import(pathToFileURL(path.join(dist, p)).href) as Promise<T>;
  const { PostgresStore } = await imp<typeof import('../src/store/postgres/postgres-store.js')>(
    'src/store/postgres/postgres-store.js',
  );
  const { MIN, MAX } = await imp<typeof import('../src/store/paging.js')>('src/store/paging.js');
  const app = `pg-page-read-${process.pid}`;
  const url = new URL(values.db!);
  url.searchParams.set('application_name', app);
  const store = await PostgresStore.connect(url.toString(), { poolSize: 1 });
  const limit = Number(values.limit);
  const pages = Number(values.pages);
  const span = Number(values.span);
  const read = (i: number) =>
    store.pageBodies(values.owner!, 1 + ((i * 37) % span), MIN, MAX, 0, limit, 'ocpi-2.2.1');
  for (let i = 0; i < 200; i++) await read(i);
  const probe = new pg.Client({ connectionString: values.db });
  await probe.connect();
  // Every backend of the store (builds since issue 16's page pool hold two connections: pages and the rest).
  const pids = (
    await probe.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [app])
  ).rows.map((r) => r.pid);
  await probe.end();
  // A backend that exits meanwhile (the idle main connection, after pg-pool's idle timeout) counts as idle.
  const start = pids.map(backendTicks);
  const ticks = () =>
    pids.reduce((sum, pid, i) => sum + (existsSync(`/proc/${pid}`) ? backendTicks(pid) : start[i]!), 0);
  const t0 = ticks();
  const c0 = process.cpuUsage();
  for (let i = 0; i < pages; i++) await read(i);
  const c = process.cpuUsage(c0);
  const figures: Figures = {
    clientUs: (c.user + c.system) / pages,
    backendUs: ((ticks() - t0) * 1e6) / CLK_TCK / pages,
  };
  await store.close();
  process.stdout.write(JSON.stringify(figures));
}

function runChild(dist: string): Figures {
  // The server's node flags (a larger young generation), as `serve` runs.
  const args = [...SERVER_NODE_FLAGS, fileURLToPath(import.meta.url), '--child', '--dist', dist];
  for (const k of ['db', 'owner', 'limit', 'pages', 'span'] as const) args.push(`--${k}`, values[k]!);
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })) as Figures;
}

const spread = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.map((x) => x.toFixed(0)).filter((_, i) => i === 0 || i === s.length >> 1 || i === s.length - 1);
};

async function main(): Promise<void> {
  const builds: Array<[string, string]> = [['this build', HERE_DIST]];
  if (values.before) builds.unshift(['before', path.resolve(values.before)]);
  const got = new Map<string, Figures[]>(builds.map(([name]) => [name, []]));
  for (let r = 0; r < Number(values.rounds); r++) {
    const order = r % 2 === 0 ? builds : [...builds].reverse();
    for (const [name, dist] of order) got.get(name)!.push(runChild(dist));
  }
  console.log(
    `pageBodies of ${values.owner}, limit=${values.limit}, ${values.pages} pages per run, ` +
      `${values.rounds} interleaved rounds; µs CPU per page, min / median / max`,
  );
  console.log('| build | client | backend |\n| --- | --- | --- |');
  for (const [name] of builds) {
    const f = got.get(name)!;
    console.log(
      `| ${name} | ${spread(f.map((x) => x.clientUs)).join(' / ')} | ${spread(f.map((x) => x.backendUs)).join(' / ')} |`,
    );
  }
}

await (values.child ? child() : main());
