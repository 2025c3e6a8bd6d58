#!/usr/bin/env node
// Runs the fault and soak tests (test/faults, compiled to dist/test/faults) one file at a time: they kill
// processes, restart a PostgreSQL cluster of their own, fill and remount small file systems, and measure.
// Builds nothing itself (`npm run test:faults` builds first). Usage: node scripts/test-faults.mjs [filter...]
// Environment: SOAK_SECONDS (default 120), TEST_DATABASE_URL / PGTEST_FORCE_THROWAWAY as for `npm test`.
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
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  // *.fault.js, not *.test.js: scripts/run-tests.mjs (npm test) collects every *.test.js under dist/test.
  .filter((f) => f.endsWith('.fault.js'))
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

const r = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', '--test-concurrency=1', '--test-timeout=1800000', ...files],
  { stdio: 'inherit', env: { ...process.env } },
);
process.exit(r.status ?? 1);
