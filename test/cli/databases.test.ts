// `--db` never becomes a new, empty store by mistake: the commands that set up an instance create a missing
// SQLite file and say so on stderr; every other command refuses a missing file, and no command creates a
// directory (except `start` for its default ./data).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCliAsync, startCli } from '../support/cli.js';
import { startPeer } from '../support/peer.js';
import { tempDb } from '../support/server.js';
import { findLog } from '../support/logs.js';

const created = (file: string) =>
  new RegExp(`^created new database ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm');

describe('ocpi-sessions --db: which commands create a database', () => {
  it('every other command on a missing SQLite file: exit 1, a message naming the file and how to create one, no file', async () => {
    const db = tempDb('missing.db');
    const commands: string[][] = [
      ['export'],
      ['outbox'],
      ['outbox', '--json'],
      ['partners', 'list'],
      ['partners', 'add', '--country-code', 'NL', '--party-id', 'EMS'],
      ['partners', 'remove', 'NL-EMS'],
      ['partners', 'invite', '--public-url', 'http://127.0.0.1:1'],
      ['party', 'show'],
      ['register', 'http://127.0.0.1:1/ocpi/versions', '--token', 'A'],
      ['ingest-token'],
      ['pull', '--partner', 'NL-OCS'],
    ];
    const results = await Promise.all(commands.map((c) => runCliAsync([...c, '--db', db])));
    commands.forEach((command, i) => {
      const r = results[i]!;
      const name = command.join(' ');
      assert.equal(r.status, 1, `${command.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '', name);
      assert.ok(r.stderr.includes(`no database at ${db}`), `${name}: ${r.stderr}`);
      assert.ok(r.stderr.includes(`'ocpi-sessions migrate --db ${db}'`), `${name} says how to create one`);
      assert.doesNotMatch(r.stderr, /created new database/);
    });
    assert.deepEqual(readdirSync(path.dirname(db)), [], 'no file left behind (no -wal, no -shm)');
  });

  it('migrate, demo, import and party set create a missing file and say so on stderr, once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ocpi-create-'));
    const file = path.join(dir, 'empty.json');
    writeFileSync(file, '[]');
    const commands: string[][] = [
      ['migrate'],
      ['demo', '--sessions', '3'],
      ['import', file],
      ['party', 'set', '--country-code', 'NL', '--party-id', 'OCS'],
    ];
    for (const command of commands) {
      const db = path.join(dir, `${command[0]}.db`);
      const first = await runCliAsync([...command, '--db', db]);
      assert.equal(first.status, 0, `${command.join(' ')}: ${first.stderr}`);
      assert.match(first.stderr, created(db), command.join(' '));
      assert.doesNotMatch(first.stdout, /created new database/, 'said on stderr, not among the results');
      assert.ok(existsSync(db));
      const again = await runCliAsync([...command, '--db', db]);
      assert.equal(again.status, 0, again.stderr);
      assert.doesNotMatch(again.stderr, /created new database/, `${command.join(' ')} on an existing file`);
    }
    // A command that refuses a missing file works on the one created.
    const shown = await runCliAsync(['party', 'show', '--db', path.join(dir, 'party.db'), '--json']);
    assert.equal(shown.status, 0, shown.stderr);
    assert.equal(JSON.parse(shown.stdout).partyId, 'OCS');
  });

  it('the first pull from a URL creates the eMSP store; a pull of a saved partner needs it', async () => {
    const peer = await startPeer({ token: 'cpo-token', sessions: [] });
    try {
      const db = tempDb('emsp.db');
      const args = ['pull', '--db', db, '--partner', 'NL-OCS'];
      const first = await runCliAsync([...args, '--url', peer.versionsUrl, '--token', 'cpo-token', '--json']);
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stderr, created(db));
      assert.equal(JSON.parse(first.stdout).complete, true);
      const next = await runCliAsync(args);
      assert.equal(next.status, 0, next.stderr);
      assert.doesNotMatch(next.stderr, /created new database/);
    } finally {
      await peer.close();
    }
  });

  it('no command creates a directory: serve and migrate on a file in a missing directory exit 1', async () => {
    const missingDir = path.join(path.dirname(tempDb()), 'no', 'such');
    const db = path.join(missingDir, 'x.db');
    for (const command of [['serve', '--port', '0'], ['migrate']]) {
      const r = await runCliAsync([...command, '--db', db]);
      assert.equal(r.status, 1, `${command[0]}: ${r.stderr}`);
      assert.ok(r.stderr.includes(`the directory ${missingDir} does not exist`), r.stderr);
      assert.equal(existsSync(path.dirname(missingDir)), false, `${command[0]} created no directory`);
    }
  });

  it('serve creates its database and says so; SIGTERM stops it gracefully and says so', async () => {
    const db = tempDb('served.db');
    const server = startCli(['serve', '--db', db, '--port', '0'], /listening on (\S+)/);
    await server.started;
    assert.match(server.errors(), created(db));
    assert.equal(await server.stop(), 0);
    // Log lines (JSON: stdout is no terminal here), at info whatever --log-level says.
    assert.equal(findLog(server.output(), /^ocpi-sessions stopping \(SIGTERM\)/).signal, 'SIGTERM');
    assert.equal(findLog(server.output(), 'ocpi-sessions stopped').level, 30);
  });

  it('start without --db creates ./data/ocpi-sessions.db (and ./data) in its working directory', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'ocpi-start-'));
    const db = path.join(cwd, 'data', 'ocpi-sessions.db');
    const start = startCli(['start', '--port', '0'], /health: curl/, {}, cwd);
    try {
      const out = await start.started;
      assert.match(start.errors(), created(db));
      assert.ok(out.includes('(database ./data/ocpi-sessions.db)'), out);
      assert.ok(existsSync(db));
    } finally {
      assert.equal(await start.stop(), 0);
    }
  });
});
