import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Repository root, whether running from `dist/test/...` or elsewhere. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures');
export const cliPath = path.join(repoRoot, 'dist', 'src', 'cli', 'main.js');
