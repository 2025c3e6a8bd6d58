// `npm pack` yields a working package: what it holds (the CLI entry, LICENSE, docs, the example; no tests, no
// benchmarks, no TypeScript sources), and a tarball packed from a tree without dist/ (so `prepack` has to build)
// that installs with npm into an empty project and runs there.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../support/paths.js';

const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
  license: string;
  bin: Record<string, string>;
};

/** npm, to its end (this test serves nothing, so blocking is fine), with its output; the test fails if it does. */
function npm(args: string[], cwd: string): string {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--no-update-notifier'], {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.equal(r.status, 0, `npm ${args.join(' ')} in ${cwd}: ${r.error ?? ''}${r.stderr}${r.stdout}`);
  return r.stdout;
}

interface Packed {
  filename: string;
  files: { path: string; size: number }[];
}
const packed = (stdout: string) => (JSON.parse(stdout) as Packed[])[0]!;

/**
 * What the package may hold: the compiled sources, the console's built pages (no source maps), the
 * npm-shrinkwrap.json, docs, the example, the usual files.
 */
const SHIPPED =
  /^(dist\/src\/.+\.js|dist\/console\/(index\.html|assets\/[^/]+\.(js|css))|docs\/.+|examples\/.+|npm-shrinkwrap\.json|package\.json|README\.md|LICENSE)$/;

describe('npm pack', () => {
  it('holds the CLI entry, LICENSE, README, docs/deploy and the example, and no tests, benchmarks or sources', () => {
    // The repository as built for the tests: dist/ holds test/ and bench/ too, which must stay out.
    assert.ok(
      existsSync(path.join(repoRoot, 'dist', 'test')) && existsSync(path.join(repoRoot, 'dist', 'bench')),
    );
    // --ignore-scripts: no prepack build here, which would rewrite dist/ under the tests running meanwhile.
    const files = packed(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], repoRoot)).files.map(
      (f) => f.path,
    );
    const entry = pkg.bin['ocpi-sessions']!;
    for (const expected of [
      entry,
      'package.json',
      'LICENSE',
      'README.md',
      'docs/deploy/Dockerfile',
      'docs/deploy/ocpi-sessions.service',
      'docs/deploy/ocpi-sessions.env',
      'examples/session-2.2.1.json',
    ])
      assert.ok(files.includes(expected), `${expected} missing from ${files.join(' ')}`);
    assert.deepEqual(
      files.filter((f) => !SHIPPED.test(f)),
      [],
      'nothing but the shipped kinds of files',
    );
    assert.ok(
      files.some((f) => f.startsWith('dist/src/modules/')),
      'the modules are in',
    );
  });

  it("LICENSE is the Apache License 2.0 text, as package.json's license says", () => {
    assert.equal(pkg.license, 'Apache-2.0');
    const text = readFileSync(path.join(repoRoot, 'LICENSE'));
    // The text of https://www.apache.org/licenses/LICENSE-2.0.txt, byte for byte.
    assert.equal(
      createHash('sha256').update(text).digest('hex'),
      'cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30',
    );
    assert.match(text.toString('utf8'), /^\s+Apache License\s+Version 2\.0, January 2004/);
  });

  it(
    'packed from a tree without dist/ (prepack builds), installs into an empty project and runs',
    { timeout: 600_000 },
    () => {
      const tmp = mkdtempSync(path.join(tmpdir(), 'ocpi-pack-'));
      try {
        packInstallRun(tmp);
      } finally {
        rmSync(tmp, { recursive: true, force: true }); // an installed project: tens of MB
      }
    },
  );
});

/** npm pack in a copy of the sources, npm install of the tarball in an empty project, the command run there. */
function packInstallRun(tmp: string): void {
  // The files a fresh clone has that the package is built from; the dependencies are the repository's.
  const tree = path.join(tmp, 'tree');
  mkdirSync(tree);
  for (const name of ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'LICENSE'])
    copyFileSync(path.join(repoRoot, name), path.join(tree, name));
  for (const dir of ['src', 'console', 'scripts', 'docs', 'examples'])
    cpSync(path.join(repoRoot, dir), path.join(tree, dir), { recursive: true });
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(tree, 'node_modules'));

  const tarball = packed(npm(['pack', '--json', '--pack-destination', tmp], tree));
  const files = tarball.files.map((f) => f.path);
  assert.ok(files.includes(pkg.bin['ocpi-sessions']!), 'prepack built the CLI');
  assert.deepEqual(
    files.filter((f) => !SHIPPED.test(f)),
    [],
  );
  // The lockfile is packed as npm-shrinkwrap.json (the tested dependency tree), and removed again by postpack.
  const shrinkwrap = tarball.files.find((f) => f.path === 'npm-shrinkwrap.json');
  assert.equal(shrinkwrap?.size, statSync(path.join(tree, 'package-lock.json')).size);
  assert.ok(!existsSync(path.join(tree, 'npm-shrinkwrap.json')));

  // An empty project installs the tarball. Without install scripts: better-sqlite3 would compile its native
  // addon from source (minutes on two cores); the repository's own install built the very same version, so its
  // addon is copied in instead (the override makes npm pick that version whatever the registry has since).
  const app = path.join(tmp, 'app');
  mkdirSync(app);
  const sqlite = path.join(repoRoot, 'node_modules', 'better-sqlite3');
  const sqliteVersion = (
    JSON.parse(readFileSync(path.join(sqlite, 'package.json'), 'utf8')) as { version: string }
  ).version;
  writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ private: true, overrides: { 'better-sqlite3': sqliteVersion } }),
  );
  npm(['install', '--ignore-scripts', '--prefer-offline', path.join(tmp, tarball.filename)], app);
  const release = path.join(app, 'node_modules', 'better-sqlite3', 'build', 'Release');
  mkdirSync(release, { recursive: true });
  copyFileSync(
    path.join(sqlite, 'build', 'Release', 'better_sqlite3.node'),
    path.join(release, 'better_sqlite3.node'),
  );

  // The installed command, through the bin link npm made.
  const bin = path.join(app, 'node_modules', '.bin', 'ocpi-sessions');
  const run = (...args: string[]) => {
    const r = spawnSync(bin, args, { cwd: app, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `ocpi-sessions ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  assert.equal(run('--version').trim(), pkg.version);
  // Its runtime dependencies are all there: a store, demo data, a CSV export (csv-stringify).
  const db = path.join(app, 'demo.db');
  run('demo', '--db', db, '--sessions', '5', '--now', '2025-06-01T00:00:00Z');
  const csv = run('export', '--db', db, '--format', 'csv', '--delimiter', ';').split('\r\n');
  assert.match(csv[0]!, /^country_code;party_id;session_id;/);
  assert.equal(csv.length, 1 + 5 + 1, 'a header, five rows, and the empty string after the last CRLF');
}
