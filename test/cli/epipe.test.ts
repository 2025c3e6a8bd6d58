// A reader that goes away early (`ocpi-sessions <command> --help | head -1`, `export … | head -1`) ends the
// command quietly: exit 0, no EPIPE stack trace on stderr.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cli } from '../support/cli.js';
import { cliPath } from '../support/paths.js';
import { tempDb } from '../support/server.js';

/** Runs the command with its stdout pipe closed before it writes anything; its exit and its stderr. */
function withStdoutClosed(args: string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [cliPath, ...args]);
  child.stdout.destroy(); // our end of the pipe is closed: the child's first write fails with EPIPE
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('a closed stdout pipe (EPIPE) ends the command quietly', () => {
  let db: string;
  before(() => {
    db = tempDb('epipe.db');
    cli(['demo', '--db', db, '--sessions', '300', '--now', '2025-06-01T00:00:00Z']);
  });

  for (const args of [['--help'], ['serve', '--help'], ['export', '--help'], ['help', 'pull']]) {
    it(`${args.join(' ')}: exit 0, nothing on stderr`, async () => {
      const r = await withStdoutClosed(args);
      assert.equal(r.stderr, '');
      assert.equal(r.status, 0);
    });
  }

  for (const format of ['ndjson', 'csv', 'ocpi-2.2.1']) {
    it(`export --format ${format}: exit 0, nothing on stderr`, async () => {
      const r = await withStdoutClosed(['export', '--db', db, '--format', format]);
      assert.equal(r.stderr, '');
      assert.equal(r.status, 0);
    });
  }

  it('through a shell: export | head -1 and serve --help | head -1 print their first line, exit 0, no stack trace', () => {
    const run = (command: string) =>
      spawnSync('bash', ['-c', `set -o pipefail; ${command}`], { encoding: 'utf8' });
    const exported = run(`'${process.execPath}' '${cliPath}' export --db '${db}' | head -1`);
    assert.equal(exported.stderr, '');
    assert.equal(exported.status, 0);
    assert.equal((JSON.parse(exported.stdout) as { party_id: string }).party_id, 'OCS');
    const help = run(`'${process.execPath}' '${cliPath}' serve --help | head -1`);
    assert.equal(help.stderr, '');
    assert.equal(help.status, 0);
    assert.equal(help.stdout, 'Usage: ocpi-sessions serve [options]\n');
  });
});
