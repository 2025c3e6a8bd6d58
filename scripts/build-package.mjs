#!/usr/bin/env node
// `npm pack`'s (and so `npm publish`'s) prepack and postpack.
// prepack: a clean build of what the package ships (package.json `files`: dist/src and dist/console, the operator
// console's pages); dist/src is removed first, so the output of a source file deleted since the last build is not
// packed (Vite empties dist/console itself). Then package-lock.json is copied to
// npm-shrinkwrap.json, which npm packs and honours when the package is installed: users get the dependency tree
// the tests ran on, including package.json `overrides` (which npm ignores in an installed package's package.json;
// without the shrinkwrap an install on Node 20 would warn that a dependency demands a newer Node).
// postpack: removes that npm-shrinkwrap.json again (the repository keeps package-lock.json only).
import { spawnSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildConsole } from './console-build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shrinkwrap = path.join(root, 'npm-shrinkwrap.json');

if (process.argv[2] === 'postpack') {
  rmSync(shrinkwrap, { force: true });
} else {
  rmSync(path.join(root, 'dist', 'src'), { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root],
    { stdio: 'inherit' },
  );
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  const vite = buildConsole(root);
  if (vite !== 0) process.exit(vite);
  copyFileSync(path.join(root, 'package-lock.json'), shrinkwrap);
}
