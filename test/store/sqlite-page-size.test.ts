// SQLite files made by the store get 16 KB pages (a 4 KB page held one 3 KB document or two bodies and left a
// quarter of the file unused); a file that exists keeps the page size it was made with and is written as before.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { runCli } from '../support/cli.js';
import { tempDb } from '../support/server.js';

function fileFacts(file: string): { pageSize: number; sessions: number } {
  const db = new Database(file, { readonly: true });
  try {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const sessions = (db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n;
    return { pageSize, sessions };
  } finally {
    db.close();
  }
}

const demo = (file: string) => runCli(['demo', '--db', file, '--sessions', '300', '--emsp', 'NL-EMS,DE-EMP']);

describe('SQLite page size', () => {
  it('a new file gets 16 KB pages', () => {
    const file = tempDb('new.db');
    const r = demo(file);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(fileFacts(file), { pageSize: 16384, sessions: 300 });
  });

  it('an existing file with 4 KB pages keeps them and takes writes', () => {
    const file = tempDb('old.db');
    const db = new Database(file);
    db.pragma('page_size = 4096');
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE scratch (x)');
    db.close();
    for (let i = 0; i < 2; i++) {
      const r = demo(file);
      assert.equal(r.status, 0, r.stderr);
    }
    assert.deepEqual(fileFacts(file), { pageSize: 4096, sessions: 300 });
  });
});
