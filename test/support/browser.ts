// Headless Debian Chromium (/usr/bin/chromium, scripts/ensure-chromium.sh) driven by playwright-core, for the tests
// of web pages (/docs, /console): one launch recipe, a throwaway profile, and the screenshots folder.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { repoRoot } from './paths.js';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Screenshots of the browser tests (gitignored). */
export const ARTIFACTS = path.join(repoRoot, 'test-artifacts');

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh profile; fails with the remedy when it is not installed. */
export async function launchBrowser(viewport: { width: number; height: number }): Promise<Browser> {
  assert.ok(
    existsSync(CHROMIUM),
    `Debian chromium is not installed at ${CHROMIUM}: run \`bash scripts/ensure-chromium.sh\` (as root; .ci/run does)`,
  );
  mkdirSync(ARTIFACTS, { recursive: true });
  const profile = mkdtempSync(path.join(tmpdir(), 'ocpi-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    viewport,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
