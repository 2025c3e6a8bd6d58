// The `ocpi-sessions` command, run as a real process: demo, import, partners, serve, start.
import { declareFormats } from '../support/sessions.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pageObjects } from '../../src/domain/page.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli, startCli } from '../support/cli.js';
import { fixturesDir } from '../support/paths.js';
import { tempDb, tokenHeader } from '../support/server.js';
import { getJson } from '../support/http.js';

const example = (version: string, name: string) =>
  JSON.parse(readFileSync(path.join(fixturesDir, 'spec-examples', version, name), 'utf8'));

describe('ocpi-sessions CLI', () => {
  it('demo writes deterministic sessions spread over the given eMSPs', async () => {
    const a = tempDb('a.db');
    const b = tempDb('b.db');
    for (const db of [a, b]) {
      await declareFormats(db, ['ocpi-2.2.1']); // the format the test reads (issue 16)
      const r = runCli([
        'demo',
        '--db',
        db,
        '--sessions',
        '120',
        '--seed',
        '3',
        '--emsp',
        'NL-AAA,DE-BBB',
        '--now',
        '2025-06-01T00:00:00Z',
      ]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /wrote 120 demo sessions/);
    }
    const sa = new SqliteStore(a);
    const sb = new SqliteStore(b);
    try {
      for (const owner of ['NL-AAA', 'DE-BBB']) {
        const pa = await sa.listSessions({ owner }, { offset: 0, limit: 1000 }, 'ocpi-2.2.1');
        const pb = await sb.listSessions({ owner }, { offset: 0, limit: 1000 }, 'ocpi-2.2.1');
        assert.equal(pa.total, 60);
        assert.deepEqual(pa.bodies.map(String), pb.bodies.map(String));
        for (const body of pageObjects(pa) as Array<{
          cdr_token: { country_code: string; party_id: string };
        }>)
          assert.equal(body.cdr_token.country_code + '-' + body.cdr_token.party_id, owner);
      }
    } finally {
      await sa.close();
      await sb.close();
    }
  });

  it('demo rejects a malformed --emsp with a usage error', () => {
    const r = runCli(['demo', '--db', tempDb(), '--emsp', 'nonsense']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--emsp: 'nonsense' is not a party/);
  });

  it('import keeps valid sessions and reports each invalid one with its path and reason', async () => {
    const db = tempDb();
    const good221 = example('2.2.1', 'session_example_2_short_finished.json');
    const bad221 = { ...good221, id: 'bad-1', kwh: 'lots', status: 'SLEEPING' };
    const file = path.join(path.dirname(db), 'mixed.ndjson');
    writeFileSync(
      file,
      [good221, bad221, { hello: 'world' }].map((o) => JSON.stringify(o)).join('\n') + '\nnot json\n',
    );
    const r = runCli(['import', '--db', db, file]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stdout,
      /imported 1 of 4 sessions \(created 1, updated 0, not newer than stored 0\); invalid 3/,
    );
    assert.match(r.stderr, /object #2 \(id "bad-1"\): \$\.kwh: /);
    assert.match(r.stderr, /object #2 \(id "bad-1"\): \$\.status: /);
    assert.match(r.stderr, /object #3: \$: not a Session in any known format/);
    assert.match(r.stderr, /object #4: \$: line 4 is not JSON/);
    const store = new SqliteStore(db);
    try {
      const got = await store.getSession('BE', 'BEC', '101');
      assert.equal(got?.owner, 'NL-TST');
      assert.equal(got?.session.kwh, 41.12);
      assert.equal(await store.getSession('BE', 'BEC', 'bad-1'), undefined);
    } finally {
      await store.close();
    }
  });

  it('import of 2.1.1 sessions needs --emsp and takes the CPO from --cpo; re-import is idempotent', async () => {
    const db = tempDb();
    const file = path.join(path.dirname(db), 'one.json');
    writeFileSync(file, JSON.stringify([example('2.1.1', 'session_example_2_short_finished.json')]));
    const without = runCli(['import', '--db', db, file, '--format', 'ocpi-2.1.1', '--cpo', 'BE-BEC']);
    assert.equal(without.status, 1);
    const r = runCli([
      'import',
      '--db',
      db,
      file,
      '--format',
      'ocpi-2.1.1',
      '--cpo',
      'BE-BEC',
      '--emsp',
      'DE-8AC',
      '--json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { total: 1, created: 1, updated: 0, stale: 0, invalid: [] });
    const again = runCli([
      'import',
      '--db',
      db,
      file,
      '--format',
      'ocpi-2.1.1',
      '--cpo',
      'BE-BEC',
      '--emsp',
      'DE-8AC',
      '--json',
    ]);
    assert.deepEqual(JSON.parse(again.stdout), { total: 1, created: 0, updated: 1, stale: 0, invalid: [] });
    const store = new SqliteStore(db);
    try {
      const got = await store.getSession('BE', 'BEC', '101');
      assert.equal(got?.owner, 'DE-8AC');
      assert.equal(got?.session.location?.id, 'LOC1');
    } finally {
      await store.close();
    }
  });

  it('partners add/list/remove, and the printed token authenticates on a served instance', async () => {
    const db = tempDb();
    assert.equal(runCli(['migrate', '--db', db]).status, 0); // partners never creates a database
    const added = runCli([
      'partners',
      'add',
      '--db',
      db,
      '--country-code',
      'nl',
      '--party-id',
      'ems',
      '--format',
      'camel',
    ]);
    assert.equal(added.status, 0, added.stderr);
    const token = /token: (\S+)/.exec(added.stdout)?.[1];
    assert.ok(token);
    const given = runCli([
      'partners',
      'add',
      '--db',
      db,
      '--country-code',
      'DE',
      '--party-id',
      'EMP',
      '--token',
      '-given-token', // Base64url tokens may start with a dash: still the option's value
      '--json',
    ]);
    assert.equal(given.status, 0, given.stderr);
    assert.equal(JSON.parse(given.stdout).token, '-given-token');
    const dup = runCli(['partners', 'add', '--db', db, '--country-code', 'NL', '--party-id', 'EMS']);
    assert.equal(dup.status, 2);
    assert.match(dup.stderr, /exists already/);
    const list = runCli(['partners', 'list', '--db', db, '--json']);
    const parsed = JSON.parse(list.stdout);
    assert.deepEqual(
      parsed.map((p: { key: string; format: string }) => [p.key, p.format]),
      [
        ['DE-EMP', 'ocpi'],
        ['NL-EMS', 'camel'],
      ],
    );
    assert.ok(!list.stdout.includes(token!), 'tokens are never listed');

    const server = startCli(['serve', '--db', db, '--port', '0'], /listening on (\S+)/);
    const out = await server.started;
    const url = /listening on (\S+)/.exec(out)![1]!;
    try {
      const ok = await getJson(`${url}/ocpi/cpo/2.2.1/sessions`, tokenHeader(token!));
      assert.equal(ok.status, 200);
      assert.equal(ok.body.statusCode, 1000);
      const removed = runCli(['partners', 'remove', '--db', db, 'NL-EMS']);
      assert.equal(removed.status, 0);
      const gone = await getJson(`${url}/ocpi/cpo/2.2.1/sessions`, tokenHeader(token!));
      assert.equal(gone.status, 401, 'a removed partner’s token stops working at once');
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('start seeds demo data on first run and prints a curl that returns the first page', async () => {
    const db = tempDb('start.db');
    const proc = startCli(['start', '--db', db, '--port', '0'], /health: curl/);
    try {
      const out = await proc.started;
      const curl = /curl -s -H 'Authorization: Token (\S+)' '(\S+)'/.exec(out);
      assert.ok(curl, out);
      const r = await getJson(curl[2]!, { authorization: `Token ${curl[1]}` });
      assert.equal(r.status, 200);
      assert.equal(r.body.data.length, 2);
      assert.ok(Number(r.headers.get('x-total-count')) > 300);
    } finally {
      await proc.stop();
    }
    // Second start reuses the data and prints the same tokens.
    const again = startCli(['start', '--db', db, '--port', '0'], /health: curl/);
    try {
      const out = await again.started;
      assert.doesNotMatch(out, /first run/);
      assert.match(out, /demo partner NL-EMS \(format ocpi\) token:/);
    } finally {
      await again.stop();
    }
  });
});
