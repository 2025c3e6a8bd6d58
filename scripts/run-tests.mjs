#!/usr/bin/env node
// Runs every test (node:test) against the compiled output in dist/test.
// Usage: node scripts/run-tests.mjs [path-filter...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...collect(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}
const filters = process.argv.slice(2);
const files = collect(path.join(root, 'dist', 'test'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

// PostgreSQL for the tests (test/support/postgres.ts). node:test runs each file in its own process, so the server
// is decided once here, and only when a selected test uses it: TEST_DATABASE_URL, else 127.0.0.1:5432 (skipped
// with PGTEST_FORCE_THROWAWAY=1), else a throwaway cluster that is stopped and deleted when this script exits.
// The test processes get TEST_DATABASE_URL, or PGTEST_UNAVAILABLE with the reason so that their tests fail with it.
{
  const { existsSync, readFileSync } = await import('node:fs');
  const { pathToFileURL } = await import('node:url');
  const support = path.join(root, 'dist', 'test', 'support', 'postgres.js');
  if (existsSync(support) && files.some((f) => readFileSync(f, 'utf8').includes('support/postgres.js'))) {
    const { provideServer } = await import(pathToFileURL(support).href);
    try {
      const server = await provideServer(); // a throwaway cluster stops itself on exit and on SIGINT/SIGTERM
      process.env.TEST_DATABASE_URL = server.adminUrl;
      console.error(`PostgreSQL for the tests: ${server.origin}`);
    } catch (err) {
      process.env.PGTEST_UNAVAILABLE = err.message;
      console.error(`PostgreSQL for the tests: none. ${err.message}`);
    }
  }
}

const r = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  env: { ...process.env },
});
process.exit(r.status ?? 1);
