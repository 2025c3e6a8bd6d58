// `ocpi-sessions pull` as a real process: kill -9 mid-crawl and resume, incremental runs with a saved partner,
// progress output, exit codes.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDateTime } from '../../src/domain/datetime.js';
import { loadSyncState } from '../../src/service/pull-state.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { cli, runCli, runCliAsync, spawnCli } from '../support/cli.js';
import { startPeer, type Peer, type PeerOptions } from '../support/peer.js';
import { tempDb } from '../support/server.js';
import { waitFor } from '../support/ports.js';
import { allStored, byId, CPO, demoSessions, EMSP, NOW, throughFormat } from './helpers.js';
import { findLog } from '../support/logs.js';

const peers: Peer[] = [];
afterEach(async () => {
  while (peers.length > 0) await peers.pop()!.close();
});
async function peerWith(options: Partial<PeerOptions>) {
  const peer = await startPeer({ token: 'cpo-token', ...options });
  peers.push(peer);
  return peer;
}

async function withStore<T>(db: string, f: (s: SqliteStore) => Promise<T>): Promise<T> {
  const store = new SqliteStore(db);
  try {
    return await f(store);
  } finally {
    await store.close();
  }
}

describe('ocpi-sessions pull (CLI)', () => {
  it('a pull killed with SIGKILL mid-crawl resumes: nothing lost, nothing duplicated', async () => {
    const sessions = demoSessions(200);
    const peer = await peerWith({ sessions, delayMs: 40 });
    const db = tempDb('emsp.db');
    const args = ['pull', '--db', db, '--partner', 'NL-OCS', '--emsp', 'NL-EMS', '--url', peer.versionsUrl];
    const first = spawnCli([
      ...args,
      '--token',
      'cpo-token',
      '--page-size',
      '10',
      // Page by page: what a kill leaves behind is whole pages (batches: test/faults/pull-kill9.fault.ts).
      '--commit-every',
      '1',
      '--progress-interval',
      '0',
    ]);
    await waitFor('8 sessions requests at the peer', () => peer.sessionsRequests().length >= 8 || undefined, {
      timeoutMs: 10_000,
      intervalMs: 5,
    });
    first.child.kill('SIGKILL');
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL');
    assert.match(killed.stderr, /^pull: \d+ pages, \d+ of 200 sessions/m);

    const { kept, checkpoint } = await withStore(db, async (store) => ({
      kept: (await allStored(store)).length,
      checkpoint: (await loadSyncState(store, 'sessions', 'NL-OCS')).inProgress,
    }));
    assert.ok(kept >= 50 && kept < 200, `${kept} sessions committed before the kill`);
    assert.ok(checkpoint, 'an unfinished crawl is recorded');
    const before = peer.sessionsRequests().length;

    // The partner's URL and token were saved by the first run: --partner alone is enough now.
    const second = await runCliAsync(['pull', '--db', db, '--partner', 'NL-OCS', '--json']);
    assert.equal(second.status, 0, second.stderr);
    const summary = JSON.parse(second.stdout);
    assert.equal(summary.resumed, true);
    assert.equal(summary.complete, true);
    assert.equal(peer.sessionsRequests()[before]!.url, checkpoint!.nextUrl); // resumed at the checkpoint
    // Only the rest is new (a page committed just before the kill but not yet checkpointed would be "unchanged").
    assert.equal(summary.sessions.new, 200 - kept);
    assert.equal(summary.sessions.updated, 0);
    assert.ok([0, 10].includes(summary.sessions.unchanged), `unchanged ${summary.sessions.unchanged}`);
    await withStore(db, async (store) => {
      const stored = (await allStored(store)).sort(byId);
      assert.equal(stored.length, 200);
      assert.equal(new Set(stored.map((s) => s.id)).size, 200);
      assert.deepEqual(
        stored,
        sessions.map((s) => throughFormat(s, 'ocpi-2.2.1', { cpo: CPO, emsp: EMSP })).sort(byId),
      );
      assert.equal((await loadSyncState(store, 'sessions', 'NL-OCS')).syncPoint, checkpoint!.dateTo);
    });
  });

  it('incremental runs: date_from = the bound of the last complete pull − margin; progress lines on a non-TTY', async () => {
    const sessions = demoSessions(30);
    const peer = await peerWith({ sessions });
    const db = tempDb('emsp.db');
    const first = await runCliAsync([
      'pull',
      '--db',
      db,
      '--partner',
      'NL-OCS',
      '--url',
      peer.sessionsUrl('2.2.1'),
      '--token',
      'cpo-token',
      '--page-size',
      '10',
      '--progress-interval',
      '0',
    ]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(
      first.stdout,
      /^pulled NL-OCS from http:\/\/127\.0\.0\.1:\d+\/ocpi\/2\.2\.1\/sessions \(OCPI 2\.2\.1, token base64\)/,
    );
    assert.match(first.stdout, /sessions new 30, updated 0, unchanged 0; invalid 0; repeated 0/);
    assert.match(first.stdout, /retries 0, corrections 0/);
    // Non-TTY: one log line per page here (--progress-interval 0), with the ETA from X-Total-Count. The counts
    // are of committed sessions: the three pages are one batch (--commit-every), committed after the last.
    assert.match(first.stderr, /^pull: 1 pages, 10 of 30 sessions \(33%\), \d+\/s, ETA \d+:\d\d; new 0/m);
    assert.match(first.stderr, /^pull: 3 pages, 30 of 30 sessions \(100%\), .*; new 30/m);
    const start = await withStore(db, async (s) => (await loadSyncState(s, 'sessions', 'NL-OCS')).syncPoint!);

    // A second ago: before the next pull's bound (its start, in whole seconds rounded down).
    for (const i of [3, 22]) peer.update(sessions[i]!.id, Date.now() - 1000);
    const before = peer.sessionsRequests().length;
    const second = await runCliAsync([
      'pull',
      '--db',
      db,
      '--partner',
      'NL-OCS',
      '--margin-seconds',
      '120',
      '--json',
    ]);
    assert.equal(second.status, 0, second.stderr);
    const expectedFrom = formatDateTime(Math.floor((start - 120_000) / 1000) * 1000);
    assert.equal(peer.sessionsRequests()[before]!.query.get('date_from'), expectedFrom);
    const summary = JSON.parse(second.stdout);
    assert.equal(summary.dateFrom, expectedFrom);
    assert.deepEqual([summary.received, summary.sessions.new, summary.sessions.updated], [2, 0, 2]);
  });

  it('--until is the crawl bound and advances the sync point: the next pull starts there − margin', async () => {
    const sessions = demoSessions(30);
    const peer = await peerWith({ sessions });
    const db = tempDb('emsp.db');
    const until = NOW + 3_600_000; // after every demo session, before now
    const args = ['pull', '--db', db, '--partner', 'NL-OCS', '--json', '--margin-seconds', '60'];
    const first = await runCliAsync([
      ...args,
      '--url',
      peer.sessionsUrl('2.2.1'),
      '--token',
      'cpo-token',
      '--until',
      formatDateTime(until),
    ]);
    assert.equal(first.status, 0, first.stderr);
    const summary = JSON.parse(first.stdout);
    assert.deepEqual(
      [summary.complete, summary.dateTo, summary.recordsSync, summary.sessions.new],
      [true, formatDateTime(until), true, 30],
    );
    assert.equal(
      await withStore(db, async (s) => (await loadSyncState(s, 'sessions', 'NL-OCS')).syncPoint),
      until,
    );

    const before = peer.sessionsRequests().length;
    const second = await runCliAsync(args);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(peer.sessionsRequests()[before]!.query.get('date_from'), formatDateTime(until - 60_000));
  });

  it('exit 1 with a clear message (and a JSON summary) when the retry budget is spent', async () => {
    const peer = await peerWith({
      sessions: demoSessions(30),
      action: (n) => (n >= 2 ? { kind: 'status', status: 503 } : undefined),
    });
    const db = tempDb('emsp.db');
    const r = await runCliAsync([
      'pull',
      '--db',
      db,
      '--url',
      peer.sessionsUrl('2.2.1'),
      '--token',
      'cpo-token',
      '--page-size',
      '10',
      '--retries',
      '2',
      '--retry-base-ms',
      '1',
      '--json',
    ]);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /pull failed: giving up on GET \S+offset=10\S* after 3 attempts \(last: HTTP 503\)/,
    );
    assert.match(r.stderr, /retry 1 in \d+ ms: HTTP 503/);
    // Retries and the failure are log lines at warn (JSON: stderr is no terminal here).
    const retry = findLog(r.stderr, /^retry 1 in /);
    assert.equal(retry.level, 40);
    assert.match(String(retry.url), /offset=10/);
    assert.deepEqual([retry.status, retry.attempt], [503, 1]);
    assert.ok(Date.parse(String(retry.nextAttemptAt)) > Date.now() - 60_000, String(retry.nextAttemptAt));
    const failed = findLog(r.stderr, 'pull failed');
    assert.equal(failed.level, 40);
    assert.match(String(failed.error), /giving up on GET/);
    const summary = JSON.parse(r.stdout);
    assert.deepEqual([summary.complete, summary.sessions.new, summary.retries], [false, 10, 2]);
    assert.match(
      summary.key,
      new RegExp(`^url:${peer.sessionsUrl('2.2.1').replace(/[.?]/g, '\\$&')}#[0-9a-f]{16}$`),
    );
  });

  it('usage errors exit 2, each with a message naming the problem on stderr and nothing on stdout', () => {
    const db = tempDb();
    cli(['migrate', '--db', db]); // an existing store: `pull --partner` refuses a missing one (test/cli)
    const cases: Array<[string[], RegExp]> = [
      [[], /pull needs --partner CC-PID, or --url/],
      [['--partner', 'NL-OCS', '--since', 'yesterday'], /--since must be an OCPI DateTime/],
      [
        ['--partner', 'NL-OCS'],
        /no pull configuration saved for NL-OCS and no partner NL-OCS registered over OCPI: run once with --partner NL-OCS --url/,
      ],
      [['--url', 'http://127.0.0.1:1/ocpi/versions'], /--url and --token go together/],
      [['--url', 'nonsense', '--token', 't'], /--url: not a URL/],
      [['--partner', 'X', '--url', 'http://h/sessions', '--token', 't'], /--partner: 'X' is not a party/],
      [
        ['--partner', 'NL-OCS', '--version', '2.0'],
        /'2\.0' is invalid\. Allowed choices are 2\.1\.1, 2\.2\.1/,
      ],
      [['--partner', 'NL-OCS', '--page-size', '0'], /--page-size must be at least 1/],
      [['--partner', 'NL-OCS', '--retries', 'many'], /--retries must be a non-negative integer/],
      [['--partner', 'NL-OCS', 'extra'], /too many arguments for 'pull'/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(['pull', '--db', db, ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
    }
  });
});
