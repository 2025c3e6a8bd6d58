// `ocpi-sessions operator-token` and `serve --console` as a user runs them (the compiled CLI as child processes,
// real HTTP on loopback, a real SQLite file): the token is printed once and only its hash is stored; it opens the
// console of a server started with OCPI_CONSOLE=1 (and the password from OCPI_CONSOLE_PASSWORD does too);
// --list shows no token; --revoke stops it; without --console the console is 404.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { hashToken } from '../../src/service/tokens.js';
import { runCli, runCliAsync, startCli } from '../support/cli.js';
import { send } from '../support/http.js';
import { tempDb } from '../support/server.js';

const stops: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const s of stops) await s();
});

async function serve(db: string, extra: string[], env: Record<string, string> = {}) {
  const s = startCli(
    ['serve', '--db', db, '--port', '0', '--log-level', 'warn', ...extra],
    /listening on (\S+)/,
    env,
  );
  stops.push(s.stop);
  const started = await s.started;
  return { url: /listening on (\S+)/.exec(started)![1]!, stop: s.stop };
}

const whoami = async (url: string, secret: string) =>
  send(url, { method: 'GET', path: '/console/api/whoami', headers: { authorization: `Bearer ${secret}` } });

describe('operator-token command and serve --console', () => {
  const db = tempDb('ops.db');

  it('prints a token once, stores only its hash; the token opens a console enabled by OCPI_CONSOLE=1', async () => {
    assert.equal(runCli(['migrate', '--db', db]).status ?? 0, 0);
    const made = runCli(['operator-token', '--db', db, '--label', 'night shift']);
    assert.equal(made.status, 0, made.stderr);
    const token = made.stdout.trim();
    assert.match(token, /^[A-Za-z0-9][A-Za-z0-9_-]{42}$/);
    assert.match(made.stderr, /shown only now/);
    const file =
      readFileSync(db).toString('latin1') + readFileSync(`${db}-wal`, { flag: 'a+' }).toString('latin1');
    assert.equal(file.includes(token), false, 'the token is not in the database');
    assert.equal(file.includes(hashToken(token)), true, 'its hash is');

    const list = runCli(['operator-token', '--db', db, '--list']);
    assert.equal(list.status, 0);
    assert.match(list.stdout, /^[0-9a-f]{8} {2}\S+Z {2}night shift$/m);
    assert.equal(list.stdout.includes(token), false);

    const server = await serve(db, [], { OCPI_CONSOLE: '1', OCPI_CONSOLE_PASSWORD: 'pw-from-env' });
    const r = await whoami(server.url, token);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.data, { via: 'operator-token' });
    assert.deepEqual((await whoami(server.url, 'pw-from-env')).json.data, { via: 'password' });

    const id = list.stdout.slice(0, 8);
    const revoked = await runCliAsync(['operator-token', '--db', db, '--revoke', id]);
    assert.equal(revoked.status, 0, revoked.stderr);
    assert.equal((await whoami(server.url, token)).status, 401, 'revoked: refused on the running server');
    assert.equal((await runCliAsync(['operator-token', '--db', db, '--revoke', id])).status, 1);
    await server.stop();
  });

  it('without --console (and OCPI_CONSOLE unset) the console answers 404; --console turns it on', async () => {
    const token = runCli(['operator-token', '--db', db]).stdout.trim();
    const off = await serve(db, [], { OCPI_CONSOLE: '' });
    assert.equal((await whoami(off.url, token)).status, 404);
    await off.stop();
    const on = await serve(db, ['--console'], { OCPI_CONSOLE: '' });
    assert.equal((await whoami(on.url, token)).status, 200);
    await on.stop();
  });

  it('refuses a missing database and --list with --revoke', () => {
    assert.notEqual(runCli(['operator-token', '--db', tempDb('missing.db')]).status, 0);
    assert.equal(runCli(['operator-token', '--db', db, '--list', '--revoke', 'x']).status, 2);
  });
});
