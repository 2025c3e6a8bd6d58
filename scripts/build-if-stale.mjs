#!/usr/bin/env node
// `npm start`'s prestart: compiles the TypeScript only when dist/ is missing or older than a source, so a start
// does not pay for a build it does not need (and a fresh clone still builds on its first `npm start`).
// Not `tsc -b`: `npm run build` (tsc -p) records no build info, so `tsc -b` would rebuild after every build, and
// loading the compiler alone takes most of a second.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const output = path.join(root, 'dist', 'src', 'cli', 'main.js');

/** The latest modification time of the files under dir (recursively), or of the file itself. */
function newest(p) {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((name) => newest(path.join(p, name))));
}

let built;
try {
  built = statSync(output).mtimeMs;
} catch {
  built = -1;
}
const inputs = ['src', 'tsconfig.json'].map((p) => path.join(root, p));
if (built < Math.max(...inputs.map(newest))) {
  console.error(
    built < 0 ? 'building (no dist/ yet) …' : 'building (sources changed since the last build) …',
  );
  const tsc = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root],
    {
      stdio: 'inherit',
    },
  );
  process.exit(tsc.status ?? 1);
}
