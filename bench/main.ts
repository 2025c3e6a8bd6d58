// Benchmarks of ocpi-sessions: `npm run bench -- <scenario> [options]` (= build, then node dist/bench/main.js).
//
//   sender   GET /ocpi/cpo/{2.1.1,2.2.1}/sessions under load, per case against the limit (node:http answering the
//            same bytes from memory) and a typical peer (Fastify + OFFSET + COUNT), interleaved rounds, load generator
//            (wrk, else autocannon) pinned to its own core; plus a Link-chain walk (issues #2, 16)
//            --rounds R       interleaved rounds per case (default 3)
//            --before <cli>   also measure that build's dist/src/cli/main.js (e.g. main's) as a fourth server
//   ingest   PUT/PATCH /ingest/2.2.1/sessions/{cc}/{pid}/{id} under load (issue #6), on a scratch copy
//            --before <cli>   instead: PUT-creates of that build and this one, 3 interleaved rounds (issue 16)
//   pull     `ocpi-sessions pull` of one partner over loopback: sessions/s, CPU client vs server (issue #6)
//            --before <cli>   also pull with that build's CLI, each crawl interleaved with ours (issue 16)
//   push     a push backlog for 50 loopback receivers (one slow, one refusing): drain time, deliveries/s, the
//            delay of a new change, duplicates (issue 14); --sessions is the number of pending changes
//            --processes 1,3  serve processes on PostgreSQL (SQLite: always 1)
//            --before <cli>   also run that build's dist/src/cli/main.js first (e.g. main's), cut at --cap
//            --cap S          longest wait for a drain (default 600)
//
// Options (all scenarios):
//   --sessions N         data set size (default 100000; the data set is built once and cached, see lib/dataset.ts)
//   --store S            sqlite | postgres | both (default sqlite)
//   --duration S         measured seconds per load run (default 10)
//   --warmup S           unmeasured seconds before each load run (default 1)
//   --connections C      concurrent connections of the load generator (default 8)
//   --seed N             demo data seed (default 1)
//   --cases a,b          sender only: run only these cases (l100, l1000, l100-deep, l1000-deep, l100-window,
//                        l1000-window, ocpi-2.1.1, camel-2.1.1, camel-2.2.1, walk)
//   --rebuild            rebuild the cached data set
//   --pg-url URL         PostgreSQL admin URL (default $BENCH_PG_URL or postgres://postgres@127.0.0.1:5432/postgres)
//
// Everything runs on loopback, bounded by --duration and the data set size. Numbers are printed, never asserted.
import { parseArgs } from 'node:util';
import { DEFAULT_PG_ADMIN_URL, DEFAULT_SEED, type StoreKind } from './lib/dataset.js';
import { ingest } from './scenarios/ingest.js';
import { pull } from './scenarios/pull.js';
import { push } from './scenarios/push.js';
import { CASE_IDS, sender } from './scenarios/sender.js';

const USAGE = `usage: npm run bench -- <sender|ingest|pull|push> [--sessions N] [--store sqlite|postgres|both]
       [--duration S] [--warmup S] [--connections C] [--seed N] [--cases ${CASE_IDS.join(',')}]
       [--rebuild] [--pg-url postgres://…] [--processes 1,3] [--before <cli>] [--cap S] [--rounds R]`;

export interface CommonOptions {
  sessions: number;
  stores: StoreKind[];
  duration: number;
  warmup: number;
  connections: number;
  seed: number;
  rebuild: boolean;
  pgAdminUrl: string;
  cases?: string[];
  /** push only: serve processes on PostgreSQL, the longest wait; push and ingest: the build to compare with. */
  processes: number[];
  before?: string;
  capSeconds: number;
  /** sender only: interleaved rounds per case. */
  rounds: number;
}

function positiveNumber(name: string, raw: string | undefined, fallback: number, integer = true): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new Error(`--${name} must be a non-negative ${integer ? 'integer' : 'number'}, got '${raw}'`);
  }
  return n;
}

function parse(argv: string[]): { scenario: string | undefined; options: CommonOptions } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      sessions: { type: 'string' },
      store: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      seed: { type: 'string' },
      cases: { type: 'string' },
      rebuild: { type: 'boolean' },
      'pg-url': { type: 'string' },
      processes: { type: 'string' },
      before: { type: 'string' },
      cap: { type: 'string' },
      rounds: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { scenario: undefined, options: undefined as never };
  const store = values.store ?? 'sqlite';
  if (!['sqlite', 'postgres', 'both'].includes(store))
    throw new Error(`--store must be sqlite, postgres or both`);
  const cases = values.cases?.split(',').filter(Boolean);
  const unknown = cases?.filter((c) => !CASE_IDS.includes(c));
  if (unknown?.length) throw new Error(`unknown --cases ${unknown.join(',')}; known: ${CASE_IDS.join(',')}`);
  const sessions = positiveNumber('sessions', values.sessions, 100_000);
  if (sessions < 10) throw new Error('--sessions must be at least 10');
  return {
    scenario: positionals[0],
    options: {
      sessions,
      stores: store === 'both' ? ['sqlite', 'postgres'] : [store as StoreKind],
      duration: Math.max(1, positiveNumber('duration', values.duration, 10, false)),
      warmup: positiveNumber('warmup', values.warmup, 1, false),
      connections: Math.max(1, positiveNumber('connections', values.connections, 8)),
      seed: positiveNumber('seed', values.seed, DEFAULT_SEED),
      rebuild: values.rebuild ?? false,
      pgAdminUrl: values['pg-url'] ?? process.env.BENCH_PG_URL ?? DEFAULT_PG_ADMIN_URL,
      cases,
      processes: (values.processes ?? '1,3')
        .split(',')
        .map((p) => Math.max(1, positiveNumber('processes', p, 1))),
      before: values.before,
      capSeconds: positiveNumber('cap', values.cap, 600),
      rounds: Math.max(1, positiveNumber('rounds', values.rounds, 3)),
    },
  };
}

async function main(argv: string[]): Promise<number> {
  const { scenario, options } = parse(argv);
  switch (scenario) {
    case 'sender':
      await sender(options);
      return 0;
    case 'ingest':
      await ingest(options);
      return 0;
    case 'pull':
      await pull(options);
      return 0;
    case 'push':
      await push(options);
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}

// Interrupted: exit, which stops every child process (lib/procs.ts); scratch files and databases left behind are
// removed by the next run.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench: ${(err as Error)?.stack ?? err}`);
    process.exit(1);
  },
);
