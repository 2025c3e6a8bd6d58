#!/usr/bin/env node
// Runs the fault and soak tests (test/faults, compiled to dist/test/faults) one file at a time: they kill
// processes, restart a PostgreSQL cluster of their own, fill and remount small file systems, and measure.
// Builds nothing itself (`npm run test:faults` builds first). Usage: node scripts/test-faults.mjs [--ci] [filter...]
// Environment: SOAK_SECONDS (default 120), TEST_DATABASE_URL / PGTEST_FORCE_THROWAWAY as for `npm test`.
// --ci (`npm run test:faults:ci`, a step of .ci/run): the bounded subset below with small durations (an
// environment variable that is set wins), each test at most CI_TEST_TIMEOUT_MS; a few minutes on 2 cores.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dir = path.join(root, 'dist', 'test', 'faults');
if (!existsSync(dir)) {
  console.error(`${dir} does not exist: run \`npm run build\` first (or \`npm run test:faults\`).`);
  process.exit(1);
}
const ci = process.argv[2] === '--ci';
const filters = process.argv.slice(ci ? 3 : 2);

// The CI subset: deterministic (no privileges needed; a fault each test makes itself), fast with these numbers.
// Left out: disk.fault (mounts a tmpfs and an ext4 loop device: root with CAP_SYS_ADMIN, else it skips) and the
// soak's long default (its short form runs here).
const CI_FILES = [
  'kill9.fault.js', // kill -9 during an ingest stream, SQLite and PostgreSQL
  'outbox.fault.js', // push outbox: eMSP down, the CPO killed meanwhile, then flaky, then back
  'pg-restart.fault.js', // a PostgreSQL cluster of its own stopped, frozen and restarted under a running server
  'sigterm.fault.js', // graceful shutdown under load
  'soak.fault.js', // pullers and an ingester at once, SOAK_SECONDS per store
];
const CI_ENV = { KILL9_REQUESTS: '600', KILL9_CRASHES: '2', OUTBOX_DOWN_SECONDS: '5', SOAK_SECONDS: '20' };
const CI_TEST_TIMEOUT_MS = 240_000;
if (ci) {
  for (const [k, v] of Object.entries(CI_ENV)) process.env[k] ??= v;
  const set = Object.keys(CI_ENV).map((k) => `${k}=${process.env[k]}`);
  console.error(`fault tests (CI subset): ${CI_FILES.join(' ')}; ${set.join(' ')}`);
}

const files = readdirSync(dir)
  // *.fault.js, not *.test.js: scripts/run-tests.mjs (npm test) collects every *.test.js under dist/test.
  .filter((f) => f.endsWith('.fault.js'))
  .filter((f) => !ci || CI_FILES.includes(f))
  .map((f) => path.join(dir, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

// The shared PostgreSQL for the files that use test/support/postgres.js, decided once, as scripts/run-tests.mjs
// does. (The restart test starts and restarts a cluster of its own; it never touches this one.)
const support = path.join(root, 'dist', 'test', 'support', 'postgres.js');
if (existsSync(support) && files.some((f) => readFileSync(f, 'utf8').includes('support/postgres.js'))) {
  const { provideServer } = await import(pathToFileURL(support).href);
  try {
    const server = await provideServer();
    process.env.TEST_DATABASE_URL = server.adminUrl;
    console.error(`PostgreSQL for the tests: ${server.origin}`);
  } catch (err) {
    process.env.PGTEST_UNAVAILABLE = err.message;
    console.error(`PostgreSQL for the tests: none. ${err.message}`);
  }
}

const timeout = ci ? CI_TEST_TIMEOUT_MS : 1_800_000;
// The runner's own summary (# tests, # pass, # fail, …) is the last thing printed; any failure exits non-zero.
const r = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', '--test-concurrency=1', `--test-timeout=${timeout}`, ...files],
  { stdio: 'inherit', env: { ...process.env } },
);
process.exit(r.status ?? 1);
