// The version of this software: the `version` of its package.json, read once at run time (so a release changes
// it in one place). For `ocpi-sessions --version`, the OpenAPI document and /health.
import { existsSync, readFileSync } from 'node:fs';

let cached: string | undefined;

/** The version in this package's package.json (found upwards from this file, in src/ or dist/src/). */
export function packageVersion(): string {
  cached ??= readVersion();
  return cached;
}

function readVersion(): string {
  for (let dir = new URL('./', import.meta.url); dir.pathname !== '/'; dir = new URL('../', dir)) {
    const file = new URL('package.json', dir);
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'ocpi-sessions') return pkg.version ?? '0.0.0';
  }
  return '0.0.0';
}
