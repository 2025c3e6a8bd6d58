// The bulk writers (demo, pull, import) checkpoint SQLite's WAL every 10 000 pages instead of SQLite's 1 000
// (SqliteOptions.bulk): a page that several batches change is copied into the file once per checkpoint, not once
// per 16 MB of WAL (docs/performance.md, eighth round). Seen from outside: while another connection keeps the file
// open (so that the command's close does not checkpoint and delete the WAL), the WAL holds what the command wrote
// since its last checkpoint: all of a 10 000-session demo (~45 MB) or a 20 000-session pull in bulk, at most ~16 MB
// plus one batch without.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runCli, runCliAsync, startCli } from '../support/cli.js';
import { tempDb } from '../support/server.js';

const MB = 1_000_000;

/** Runs `command` while an idle connection holds `db` open; the WAL's size in MB after the command exits. */
async function walAfter(db: string, command: () => Promise<void>): Promise<number> {
  const keep = new Database(db);
  try {
    keep.prepare('SELECT count(*) FROM meta').get(); // joins the WAL: the command's close is then not the last
    await command();
    return statSync(`${db}-wal`).size / MB;
  } finally {
    keep.close();
  }
}

const demoArgs = (db: string, sessions: number) => [
  'demo',
  '--db',
  db,
  '--sessions',
  String(sessions),
  '--emsp',
  'NL-EMS',
  '--now',
  '2025-06-01T00:00:00Z',
];

describe('bulk writers checkpoint the WAL less often', () => {
  it('demo: 10 000 sessions stay in the WAL (one checkpoint per 160 MB)', async () => {
    const db = tempDb();
    assert.equal(runCli(['migrate', '--db', db]).status, 0);
    const wal = await walAfter(db, async () => {
      const r = await runCliAsync(demoArgs(db, 10_000));
      assert.equal(r.status, 0, r.stderr);
    });
    // Without bulk: 16 MB (1 000 pages) plus the batch being committed, ~18 MB measured.
    assert.ok(wal > 30, `WAL ${wal.toFixed(1)} MB`);
  });

  it('pull and import: 20 000 sessions stay in the WAL (one checkpoint per 160 MB)', async () => {
    const source = tempDb('source.db');
    assert.equal(runCli(['migrate', '--db', source]).status, 0);
    const add = ['partners', 'add', '--db', source, '--country-code', 'NL', '--party-id', 'EMS'];
    assert.equal(runCli([...add, '--token', 'tok-nl', '--version', '2.2.1']).status, 0);
    assert.equal((await runCliAsync(demoArgs(source, 20_000))).status, 0);
    // Without bulk: 16 MB plus the batch being committed (~2.3 KB per session), ~21 MB measured for either.
    const server = startCli(['serve', '--db', source, '--port', '0'], /listening on (\S+)/);
    const base = /listening on (\S+)/.exec(await server.started)![1]!;
    try {
      const db = tempDb('pulled.db');
      assert.equal(runCli(['migrate', '--db', db]).status, 0);
      const wal = await walAfter(db, async () => {
        const r = await runCliAsync([
          'pull',
          '--db',
          db,
          '--url',
          `${base}/ocpi/cpo/2.2.1/sessions`,
          '--token',
          'tok-nl',
          '--json',
        ]);
        assert.equal(r.status, 0, r.stderr);
        assert.equal((JSON.parse(r.stdout) as { received: number }).received, 20_000);
      });
      assert.ok(wal > 30, `pull: WAL ${wal.toFixed(1)} MB`);
    } finally {
      assert.equal(await server.stop(), 0);
    }
    const file = path.join(path.dirname(source), 'sessions.ndjson');
    assert.equal(
      (await runCliAsync(['export', '--db', source, '--format', 'ndjson', '--out', file])).status,
      0,
    );
    const db = tempDb('imported.db');
    assert.equal(runCli(['migrate', '--db', db]).status, 0);
    const wal = await walAfter(db, async () => {
      const r = await runCliAsync(['import', '--db', db, file, '--json']);
      assert.equal(r.status, 0, r.stderr);
    });
    assert.ok(wal > 30, `import: WAL ${wal.toFixed(1)} MB`);
  });

  it('pull commits 10 000 sessions per transaction unless told otherwise', () => {
    // Fewer commits rewrite the random (cpo, id_ci) index's leaves less often: 1M pulled in 120 s, not 173 s.
    const r = runCli(['pull', '--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout.replace(/\s+/g, ' '),
      /--commit-every <n> sessions stored per transaction .*\(default: 10000\)/,
    );
  });
});
