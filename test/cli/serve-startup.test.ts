// `serve` that fails to start leaves nothing open: a taken --port or --metrics-port closes what was already open
// (the main server, the push worker, the store) and the process exits 1 by itself with a message naming the
// option, on SQLite and on PostgreSQL (whose connection pool would keep a process alive).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { spawnCli, type CliResult } from '../support/cli.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { tempDb } from '../support/server.js';

/** The command's end; a process that does not end by itself is killed after a minute and the test fails. */
async function endsByItself(args: string[]): Promise<CliResult> {
  const run = spawnCli(args);
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      reject(new Error(`still running a minute after a failed start: ${run.stderr()}`));
    }, 60_000);
  });
  try {
    return await Promise.race([run.done, hung]);
  } finally {
    clearTimeout(timer);
  }
}

describe('serve: a failed start closes everything and exits 1', () => {
  let taken: Server;
  let port: number;
  let pgUrl: string;
  before(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as { port: number }).port;
    pgUrl = await postgresUrl();
  });
  after(async () => {
    await new Promise((resolve) => taken.close(resolve));
    await dropDatabase(pgUrl);
  });

  it('--metrics-port taken (SQLite): exit 1, the message names the address and the option, the store is closed', async () => {
    const db = tempDb('metrics-port-taken.db');
    const r = await endsByItself(['serve', '--db', db, '--port', '0', '--metrics-port', String(port)]);
    assert.equal(r.signal, null);
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^ocpi-sessions: cannot listen on 127\\.0\\.0\\.1:${port} \\(--metrics-port\\): .*address already in use`,
        'm',
      ),
    );
    assert.doesNotMatch(r.stdout, /ocpi-sessions listening on/);
    // better-sqlite3 removes the write-ahead log when the last connection closes; an exit without close leaves it.
    assert.ok(existsSync(db));
    assert.equal(existsSync(`${db}-wal`), false, 'the store was closed');
  });

  it('--port taken (SQLite): exit 1 with the option named', async () => {
    const r = await endsByItself(['serve', '--db', tempDb('port-taken.db'), '--port', String(port)]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} \\(--port\\)`));
  });

  it('--metrics-port taken (PostgreSQL): exit 1, the pool closed (the process ends by itself)', async () => {
    const r = await endsByItself(['serve', '--db', pgUrl, '--port', '0', '--metrics-port', String(port)]);
    assert.equal(r.signal, null);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /cannot listen on .*\(--metrics-port\)/);
  });
});
