// The operator console's build (console/, Vite): one definition for `npm start`'s build-if-stale and `npm pack`'s
// prepack (`npm run build` runs the same command: `vite build --config console/vite.config.ts`).
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** Sources of the console: a change in any of them makes dist/console stale. */
export const CONSOLE_INPUTS = ['console'];
/** What the build writes last: dist/console/index.html. */
export const CONSOLE_OUTPUT = path.join('dist', 'console', 'index.html');

/** Runs `vite build` for the console; returns the exit status. */
export function buildConsole(root) {
  const vite = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'console/vite.config.ts',
    ],
    { stdio: 'inherit', cwd: root },
  );
  return vite.status ?? 1;
}
