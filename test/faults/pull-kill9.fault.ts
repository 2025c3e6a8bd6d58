// kill -9 of `ocpi-sessions pull` while it commits batches of pages (--commit-every): the pulling process is
// SIGKILLed at a random point after its checkpoint has moved at least once, PULL_KILL9_CRASHES times, and the same
// pull is run again each time. At every crash the checkpoint never runs ahead of what is stored (every page before
// it is in the file), a resume re-fetches exactly the pages from the checkpoint on (at most the uncommitted ones),
// and at the end the eMSP file holds every session of the partner's view exactly once. SQLite (the eMSP store).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { spawnCli, runCliAsync } from '../support/cli.js';
import { tempDb, type TestServer } from '../support/server.js';
import { allStored, batchedPullArgs, serverWithPartners } from '../client/helpers.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { integrityCheck, sleep } from './helpers.js';

const CRASHES = Number(process.env.PULL_KILL9_CRASHES ?? 3);
const PAGE = 50;
const COMMIT_EVERY = 200;
const KEY = 'NL-OCS';

interface Checkpoint {
  pagesDone: number;
  nextUrl: string;
}

/** The crawl checkpointed in the file (pull-state.ts), and how many sessions the file holds. */
function look(file: string): { checkpoint?: Checkpoint; stored: number } {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const raw = db
        .prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?')
        .get(`pull.${KEY}.sessions.state`)?.value;
      const stored = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM sessions').get()!.n;
      const state = raw === undefined ? {} : (JSON.parse(raw) as { inProgress?: Checkpoint });
      return { checkpoint: state.inProgress, stored };
    } finally {
      db.close();
    }
  } catch {
    return { stored: 0 }; // not created yet, or its tables not yet
  }
}

describe('kill -9 during a batched pull', () => {
  let server: TestServer;
  let expected: number;
  before(async () => {
    server = await serverWithPartners(12_000, 400);
    expected = (await allStored(server.store)).filter((s) => s.cdrToken.partyId === 'EMS').length;
  });
  after(() => server.close());

  const args = (db: string) => batchedPullArgs(server.url, db, KEY, PAGE, COMMIT_EVERY);

  it(`${CRASHES} crashes: nothing lost, nothing twice, a resume re-reads only from the checkpoint`, async () => {
    let db = tempDb('pull-kill9.db');
    let crashes = 0;
    let resumedFrom: number | undefined; // pagesDone of the checkpoint the next run starts from
    for (let run = 0; crashes < CRASHES && run < CRASHES * 6; run++) {
      const p = spawnCli(args(db));
      // Wait until this run has moved the checkpoint at least once past where it started, then a random moment.
      const start = resumedFrom ?? 0;
      let ended = false;
      void p.done.then(() => (ended = true));
      while (!ended && (look(db).checkpoint?.pagesDone ?? 0) <= start) await sleep(20);
      if (!ended) {
        await sleep(Math.random() * 400);
        p.child.kill('SIGKILL');
      }
      const r = await p.done;
      const { checkpoint, stored } = look(db);
      if (r.signal !== 'SIGKILL' || !checkpoint) {
        // The crawl completed before the kill landed (a resume near its end, on a fast machine; its checkpoint
        // is gone once complete): it stored everything. Start again on a new file, so that the run checked
        // below resumes after a crash.
        assert.ok(r.signal === 'SIGKILL' || r.status === 0, r.stderr);
        assert.equal(stored, expected, 'a completed crawl stored every session');
        db = tempDb('pull-kill9.db');
        crashes = 0;
        resumedFrom = undefined;
        continue;
      }
      crashes += 1;
      // Every page before the checkpoint is stored (the checkpoint moves only after the commit) ...
      assert.ok(
        stored >= checkpoint.pagesDone * PAGE,
        `crash ${crashes}: ${stored} stored, checkpoint after ${checkpoint.pagesDone} pages`,
      );
      // ... and at most one batch (plus the page that filled it) was stored past it.
      assert.ok(stored <= checkpoint.pagesDone * PAGE + COMMIT_EVERY + PAGE, `crash ${crashes}: ${stored}`);
      assert.equal(integrityCheck(db), 'ok');
      resumedFrom = checkpoint.pagesDone;
    }
    assert.equal(crashes, CRASHES, 'the pull was killed mid-crawl that many times on the file checked');
    const last = await runCliAsync(args(db));
    assert.equal(last.status, 0, last.stderr);
    const summary = JSON.parse(last.stdout) as { complete: boolean; resumed: boolean; received: number };
    assert.equal(summary.complete, true);
    assert.equal(summary.resumed, true);
    // The resume asked for the pages from the checkpoint on, and no others.
    assert.equal(summary.received, expected - resumedFrom! * PAGE);
    const store = new SqliteStore(db);
    try {
      const ids = (await allStored(store)).map((s) => s.id);
      assert.equal(ids.length, expected, 'every session of the partner');
      assert.equal(new Set(ids).size, ids.length, 'each once');
      const want = (await allStored(server.store))
        .filter((s) => s.cdrToken.partyId === 'EMS')
        .map((s) => s.id)
        .sort();
      assert.deepEqual([...ids].sort(), want);
    } finally {
      await store.close();
    }
  });
});
