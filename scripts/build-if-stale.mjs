#!/usr/bin/env node
// `npm start`'s prestart: compiles the TypeScript only when dist/ is missing or older than a source, and builds the
// operator console (console/, Vite) only when dist/console is missing or older than one of its sources, so a start
// does not pay for a build it does not need (and a fresh clone still builds on its first `npm start`).
// Not `tsc -b`: `npm run build` (tsc -p) records no build info, so `tsc -b` would rebuild after every build, and
// loading the compiler alone takes most of a second.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildConsole, CONSOLE_INPUTS, CONSOLE_OUTPUT } from './console-build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const output = path.join(root, 'dist', 'src', 'cli', 'main.js');

/** The latest modification time of the files under dir (recursively), or of the file itself. */
function newest(p) {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((name) => newest(path.join(p, name))));
}

/** When file was written, -1 when it does not exist. */
function builtAt(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

const consoleBuilt = builtAt(path.join(root, CONSOLE_OUTPUT));
if (consoleBuilt < Math.max(...CONSOLE_INPUTS.map((p) => newest(path.join(root, p))))) {
  console.error(consoleBuilt < 0 ? 'building the console (no dist/console yet) …' : 'building the console …');
  const status = buildConsole(root);
  if (status !== 0) process.exit(status);
}

const built = builtAt(output);
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
