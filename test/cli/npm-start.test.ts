// `npm start` as a user (or a process manager) runs it: SIGTERM to the npm process stops the server gracefully,
// and no server process is left behind.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { startNpmStart } from '../support/cli.js';
import { getJson } from '../support/http.js';
import { waitFor } from '../support/ports.js';
import { tempDb } from '../support/server.js';
import { findLog } from '../support/logs.js';

/** The pids of the processes a process started, and of those they started, and so on. */
function descendants(pid: number): number[] {
  const ps = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  const children = ps.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number);
  return children.flatMap((child) => [child, ...descendants(child)]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether something accepts TCP connections at the URL's port. */
function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

it('SIGTERM to `npm start` stops the server gracefully: exit 0, port closed, no process left', async () => {
  const db = tempDb('npm-start.db');
  const npm = startNpmStart(['--db', db, '--port', '0'], /health: curl -s (\S+)\/health/);
  const npmPid = npm.child.pid!;
  let started: number[] = [];
  try {
    const out = await npm.started;
    const base = /health: curl -s (\S+)\/health/.exec(out)![1]!;
    assert.equal((await getJson(`${base}/health`)).status, 200);
    started = descendants(npmPid);
    assert.ok(started.length > 0);
    assert.ok(await listening(base));

    assert.equal(await npm.stop(), 0, `npm start: ${npm.output()}${npm.errors()}`);
    // Log lines (JSON: stdout is no terminal here), at info whatever --log-level says.
    assert.equal(findLog(npm.output(), /^ocpi-sessions stopping \(SIGTERM\)/).signal, 'SIGTERM');
    assert.equal(findLog(npm.output(), 'ocpi-sessions stopped').level, 30);
    // npm has exited; a server it left behind (a shell between them that did not pass the signal on) would live on.
    await waitFor('every process npm started to end', () => (started.some(alive) ? undefined : true), 10_000);
    assert.equal(await listening(base), false, 'nothing listens on the port any more');
  } finally {
    for (const pid of [...started, npmPid]) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
});
