// The server's Node.js flags live in one place (src/cli/node-flags.ts); `npm start` must carry them too.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SERVER_NODE_FLAGS } from '../../src/cli/node-flags.js';

it('npm start runs node with the server flags', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  };
  assert.match(
    pkg.scripts.start!,
    new RegExp(`node ${SERVER_NODE_FLAGS.join(' ')} dist/src/cli/main\\.js start`),
  );
});
