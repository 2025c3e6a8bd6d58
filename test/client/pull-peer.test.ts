// The pull client against a misbehaving CPO (test/support/peer.ts): real HTTP over loopback, a real SQLite store.
// For each misbehaviour: every valid session stored exactly once, equal to what the peer sent, and exact counts.
import { WIRE_FORMATS } from '../../src/domain/wire-format.js';
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDateTime } from '../../src/domain/datetime.js';
import { pull, PullError, type PullOptions, type PullSummary } from '../../src/service/pull-runner.js';
import { loadEncoding, loadSyncState } from '../../src/service/pull-state.js';
import { pullFrom } from '../../src/service/pull.js';
import { hashToken } from '../../src/service/tokens.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startPeer, type PeerOptions } from '../support/peer.js';
import { tempDb } from '../support/server.js';
import { sessionsPull } from '../../src/modules/sessions/service/pull.js';
import {
  allStored,
  assertStoredExactly,
  CPO,
  demoSessions,
  EMSP,
  FAST_RETRY,
  NOW,
  plain,
} from './helpers.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

async function setup(peerOptions: Partial<PeerOptions>) {
  const peer = await startPeer({ token: 'cpo-token', ...peerOptions });
  const store = new SqliteStore(tempDb('emsp.db'));
  open.push(peer, store);
  return { peer, store };
}

function run(store: SqliteStore, url: string, extra: Partial<PullOptions> = {}): Promise<PullSummary> {
  return pull({
    store,
    adapter: sessionsPull,
    key: 'NL-OCS',
    url,
    token: 'cpo-token',
    cpo: CPO,
    emsp: EMSP,
    retry: FAST_RETRY,
    timeoutMs: 2000,
    ...extra,
  });
}

const counts = (s: PullSummary) => ({
  pages: s.pages,
  received: s.received,
  ...s.sessions,
  repeated: s.repeated,
  invalid: s.invalid,
  retries: s.retries,
  corrections: s.corrections,
  authFallbacks: s.authFallbacks,
});

describe('pull from a misbehaving CPO', () => {
  it('discovers sessions via versions → 2.2.1 details (relative SENDER URL) and pulls every page', async () => {
    const sessions = demoSessions(35);
    const { peer, store } = await setup({ sessions });
    const s = await run(store, peer.versionsUrl, { pageSize: 10 });
    assert.equal(s.complete, true);
    assert.equal(s.version, '2.2.1');
    assert.equal(s.url, peer.sessionsUrl('2.2.1'));
    assert.deepEqual(counts(s), {
      pages: 4,
      received: 35,
      new: 35,
      updated: 0,
      unchanged: 0,
      repeated: 0,
      invalid: 0,
      retries: 0,
      corrections: 0,
      authFallbacks: 0,
    });
    assert.equal(s.totalCount, 35);
    await assertStoredExactly(store, sessions);
    // 2.2.1 peer by default gets the token Base64-encoded (OCPI 2.2.1 §4.1.2).
    assert.equal(peer.requests[0]!.authorization, `Token ${Buffer.from('cpo-token').toString('base64')}`);
    // A second pull of everything changes nothing.
    const again = await run(store, peer.versionsUrl, { pageSize: 10, since: 0 });
    assert.deepEqual([again.sessions.new, again.sessions.updated, again.sessions.unchanged], [0, 0, 35]);
  });

  it('X-Total-Count shrinking (a session updated out of date_to while crawling): refetches with offset − 1', async () => {
    const sessions = demoSessions(95);
    const until = NOW + 3_600_000;
    const moved = sessions[5]!;
    const { peer, store } = await setup({
      sessions,
      afterPage: (n, p) => {
        if (n === 3) p.update(moved.id, until + 3_600_000); // leaves the window: everything after moves up one
      },
    });
    const s = await run(store, peer.sessionsUrl('2.2.1'), { pageSize: 10, until });
    const offsets = peer.sessionsRequests().map((r) => Number(r.query.get('offset') ?? 0));
    // The 4th GET (offset 30) reports 94 instead of 95; the same URL is redone with offset 29, then its Link.
    assert.deepEqual(offsets, [0, 10, 20, 30, 29, 39, 49, 59, 69, 79, 89]);
    assert.equal(peer.sessionsRequests()[3]!.query.get('date_to'), formatDateTime(until));
    // The page at offset 30 is received again in full (by the refetch at 29 and the next page at 39).
    assert.deepEqual(counts(s), {
      pages: 11,
      received: 105,
      new: 95,
      updated: 0,
      unchanged: 0,
      repeated: 10,
      invalid: 0,
      retries: 0,
      corrections: 1,
      authFallbacks: 0,
    });
    // Every session once, the moved one as it was when we saw it (its update is outside our window).
    await assertStoredExactly(store, sessions);
  });

  it('X-Total-Count growing (sessions created while crawling): nothing to correct, the new ones are picked up', async () => {
    const sessions = demoSessions(42);
    const extra = demoSessions(44).slice(42);
    const { peer, store } = await setup({
      sessions,
      afterPage: (n, p) => {
        if (n === 2) extra.forEach((x) => p.add(x));
      },
    });
    const s = await run(store, peer.sessionsUrl('2.2.1'), { pageSize: 10 });
    assert.deepEqual(counts(s), {
      pages: 5,
      received: 44,
      new: 44,
      updated: 0,
      unchanged: 0,
      repeated: 0,
      invalid: 0,
      retries: 0,
      corrections: 0,
      authFallbacks: 0,
    });
    await assertStoredExactly(store, [...sessions, ...extra]);
  });

  it('intermittent HTTP 500, 503 and 429: retried with backoff; Retry-After (seconds and HTTP-date) honoured', async () => {
    const sessions = demoSessions(50);
    const { peer, store } = await setup({
      sessions,
      action: (n) =>
        n === 2
          ? { kind: 'status', status: 500 }
          : n === 4
            ? { kind: 'status', status: 503 }
            : n === 6
              ? { kind: 'status', status: 429, retryAfter: '1' }
              : n === 8
                ? { kind: 'status', status: 503, retryAfter: new Date(Date.now() - 5000).toUTCString() }
                : undefined,
    });
    const s = await run(store, peer.sessionsUrl('2.2.1'), { pageSize: 10 });
    assert.deepEqual(counts(s), {
      pages: 5,
      received: 50,
      new: 50,
      updated: 0,
      unchanged: 0,
      repeated: 0,
      invalid: 0,
      retries: 4,
      corrections: 0,
      authFallbacks: 0,
    });
    const reqs = peer.sessionsRequests();
    assert.equal(reqs.length, 9);
    assert.ok(
      reqs[6]!.at - reqs[5]!.at >= 950,
      `waited ${reqs[6]!.at - reqs[5]!.at} ms after Retry-After: 1`,
    );
    // A retried request is the same URL.
    assert.equal(reqs[1]!.url, reqs[2]!.url);
    await assertStoredExactly(store, sessions);
  });

  it('dropped connections (before the answer and mid-body) and a body that is not JSON: retried', async () => {
    const sessions = demoSessions(40);
    const { peer, store } = await setup({
      sessions,
      action: (n) =>
        n === 1
          ? { kind: 'drop' }
          : n === 3
            ? { kind: 'drop-mid-body' }
            : n === 5
              ? { kind: 'not-json' }
              : undefined,
    });
    const retries: string[] = [];
    const s = await run(store, peer.sessionsUrl('2.2.1'), {
      pageSize: 10,
      onRetry: (r) => retries.push(r.reason),
    });
    assert.deepEqual(counts(s), {
      pages: 4,
      received: 40,
      new: 40,
      updated: 0,
      unchanged: 0,
      repeated: 0,
      invalid: 0,
      retries: 3,
      corrections: 0,
      authFallbacks: 0,
    });
    assert.match(retries[0]!, /^connection error/);
    assert.match(retries[1]!, /^connection error|^timeout/);
    assert.match(retries[2]!, /not JSON/);
    await assertStoredExactly(store, sessions);
  });

  it('invalid objects among valid ones: each reported (id, JSON path, reason) and skipped; the rest of the page kept', async () => {
    const sessions = demoSessions(30);
    const corrupt = new Map<string, (j: Record<string, unknown>) => unknown>([
      [sessions[2]!.id, (j) => ({ ...j, kwh: 'lots' })],
      [sessions[3]!.id, (j) => ({ ...j, status: 'SLEEPING' })],
      [sessions[4]!.id, () => 42],
      [sessions[17]!.id, ({ cdr_token: _drop, ...rest }) => rest],
    ]);
    const { peer, store } = await setup({ sessions, corrupt });
    const reported: string[] = [];
    const s = await run(store, peer.sessionsUrl('2.2.1'), {
      pageSize: 10,
      onInvalid: (o) =>
        reported.push(`${o.page}/${o.index}/${o.id}: ${o.issues.map((i) => i.path).join(' ')}`),
    });
    assert.deepEqual(counts(s), {
      pages: 3,
      received: 30,
      new: 26,
      updated: 0,
      unchanged: 0,
      repeated: 0,
      invalid: 4,
      retries: 0,
      corrections: 0,
      authFallbacks: 0,
    });
    assert.deepEqual(reported, [
      `1/2/${sessions[2]!.id}: $.kwh`,
      `1/3/${sessions[3]!.id}: $.status`,
      `1/4/undefined: $`,
      `2/7/${sessions[17]!.id}: $.cdr_token`,
    ]);
    assert.match(s.invalidObjects[0]!.issues[0]!.message, /number/i);
    const bad = new Set([2, 3, 4, 17]);
    await assertStoredExactly(
      store,
      sessions.filter((_, i) => !bad.has(i)),
    );
  });

  const linkStyles: Array<[string, PeerOptions['linkFormat']]> = [
    ['a relative path reference', (_n, p) => `<${p.path}?${p.query}>; rel="next"`],
    ['a query-only relative reference', (_n, p) => `<?${p.query}>; rel="next"`],
    ['rel unquoted', (n) => `<${n}>; rel=next`],
    ['REL in capitals with odd spacing', (n) => `<${n}> ;REL = "NEXT"`],
    ['single quotes', (n) => `<${n}>; rel='next'`],
    [
      'several links, next in the middle',
      (n) =>
        `<${n.replace(/offset=\d+/, 'offset=0')}>; rel="first", <${n}>; rel="next", <${n}&x=1,2>; rel="last"`,
    ],
    ['several relation types', (n) => `<${n}>; rel="next nofollow"`],
    ['spaces inside <>', (n) => `<${n.replace('&', ' \t&')}>; rel="next"`],
  ];
  for (const [name, linkFormat] of linkStyles) {
    it(`Link header with ${name}: followed`, async () => {
      const sessions = demoSessions(25);
      const { peer, store } = await setup({ sessions, linkFormat });
      const s = await run(store, peer.sessionsUrl('2.2.1'), { pageSize: 10 });
      assert.deepEqual([s.pages, s.received, s.sessions.new, s.repeated, s.corrections], [3, 25, 25, 0, 0]);
      assert.deepEqual(
        peer.sessionsRequests().map((r) => r.query.get('offset')),
        [null, '10', '20'],
      );
      await assertStoredExactly(store, sessions);
    });
  }

  it('a peer that accepts only the raw token on 2.2.1: one retry raw after the 401, then remembered', async () => {
    const sessions = demoSessions(12);
    const { peer, store } = await setup({ sessions, accept: 'raw', versions: ['2.2.1'] });
    const s = await run(store, peer.versionsUrl, { pageSize: 10 });
    assert.equal(s.encoding, 'raw');
    assert.deepEqual([s.authFallbacks, s.retries, s.sessions.new], [1, 0, 12]);
    assert.deepEqual(
      peer.requests.slice(0, 2).map((r) => [r.path, r.status]),
      [
        ['/ocpi/versions', 401],
        ['/ocpi/versions', 200],
      ],
    );
    assert.equal(await loadEncoding(store, 'NL-OCS'), 'raw');
    const before = peer.requests.length;
    const again = await run(store, peer.versionsUrl, { pageSize: 10 });
    assert.equal(again.authFallbacks, 0);
    assert.ok(
      peer.requests.slice(before).every((r) => r.authorization === 'Token cpo-token' && r.status === 200),
    );
    await assertStoredExactly(store, sessions);
  });

  it('a 2.1.1 peer that accepts only a Base64 token: one retry Base64 after the 401', async () => {
    const sessions = demoSessions(12);
    const { peer, store } = await setup({ sessions, accept: 'base64', versions: ['2.1.1'] });
    const s = await run(store, peer.sessionsUrl('2.1.1'), { pageSize: 5 });
    assert.equal(s.version, '2.1.1');
    assert.equal(s.encoding, 'base64');
    assert.deepEqual([s.authFallbacks, s.pages, s.sessions.new], [1, 3, 12]);
    assert.equal(peer.requests[0]!.authorization, 'Token cpo-token'); // 2.1.1 default: raw
    assert.equal(await loadEncoding(store, 'NL-OCS'), 'base64');
    await assertStoredExactly(store, sessions, 'ocpi-2.1.1');
  });

  it('a token the peer refuses in both encodings: a clear error, nothing stored', async () => {
    const { peer, store } = await setup({ sessions: demoSessions(3) });
    await assert.rejects(run(store, peer.versionsUrl, { token: 'wrong' }), (e: unknown) => {
      assert.ok(e instanceof PullError);
      assert.match(e.message, /401 Unauthorized .* both Base64-encoded and raw/);
      assert.equal(e.summary.authFallbacks, 1);
      return true;
    });
    assert.equal((await allStored(store)).length, 0);
  });

  it('a limit capped below what was asked: X-Limit honoured, the Link followed with its own limit', async () => {
    const sessions = demoSessions(30);
    const { peer, store } = await setup({ sessions, maxLimit: 7 });
    const s = await run(store, peer.sessionsUrl('2.2.1'), { pageSize: 50 });
    assert.deepEqual([s.pages, s.received, s.sessions.new, s.pageLimit], [5, 30, 30, 7]);
    assert.deepEqual(
      peer.sessionsRequests().map((r) => `${r.query.get('offset')}/${r.query.get('limit')}`),
      ['null/50', '7/7', '14/7', '21/7', '28/7'],
    );
    await assertStoredExactly(store, sessions);
  });

  it('a slow peer, and one answer slower than the timeout: waited for, then timed out and retried', async () => {
    const sessions = demoSessions(40);
    const { peer, store } = await setup({
      sessions,
      delayMs: 40,
      action: (n) => (n === 3 ? { kind: 'hang', ms: 1500 } : undefined),
    });
    const reasons: string[] = [];
    const s = await run(store, peer.sessionsUrl('2.2.1'), {
      pageSize: 10,
      timeoutMs: 400,
      onRetry: (r) => reasons.push(r.reason),
    });
    assert.deepEqual([s.pages, s.sessions.new, s.retries], [4, 40, 1]);
    assert.deepEqual(reasons, ['timeout after 400 ms']);
    await assertStoredExactly(store, sessions);
  });

  it('gives up after the retry budget with a clear error, keeps what it stored, and the next run resumes', async () => {
    const sessions = demoSessions(30);
    let broken = true;
    const { peer, store } = await setup({
      sessions,
      action: (n) => (n >= 2 && broken ? { kind: 'status', status: 503 } : undefined),
    });
    const err = await run(store, peer.sessionsUrl('2.2.1'), {
      pageSize: 10,
      retry: { ...FAST_RETRY, retries: 2 },
    }).catch((e: unknown) => e);
    assert.ok(err instanceof PullError);
    assert.match(err.message, /giving up on GET .*offset=10.* after 3 attempts \(last: HTTP 503\)/);
    assert.match(err.message, /10 sessions stored by this run are kept; running the same pull again resumes/);
    assert.deepEqual(
      [err.summary.complete, err.summary.pages, err.summary.sessions.new, err.summary.retries],
      [false, 1, 10, 2],
    );
    assert.equal((await allStored(store)).length, 10);
    const state = await loadSyncState(store, 'sessions', 'NL-OCS');
    assert.equal(state.syncPoint, undefined);
    assert.match(state.inProgress!.nextUrl, /offset=10/);

    broken = false;
    const before = peer.sessionsRequests().length;
    const s = await run(store, peer.sessionsUrl('2.2.1'), { pageSize: 10 });
    assert.equal(s.resumed, true);
    assert.deepEqual([s.pages, s.sessions.new, s.sessions.unchanged, s.repeated], [2, 20, 0, 0]);
    assert.equal(peer.sessionsRequests()[before]!.query.get('offset'), '10');
    assert.equal((await loadSyncState(store, 'sessions', 'NL-OCS')).syncPoint, state.inProgress!.dateTo);
    await assertStoredExactly(store, sessions);
  });

  it('OCPI 2.1.1 in the camelCase/integer format: parsed with the camel codec, CPO and eMSP from the context', async () => {
    const sessions = demoSessions(23);
    const { peer, store } = await setup({ sessions, style: 'camel', versions: ['2.1.1'] });
    const s = await run(store, peer.versionsUrl, { pageSize: 10 });
    assert.equal(s.version, '2.1.1');
    assert.deepEqual([s.pages, s.sessions.new, s.invalid], [3, 23, 0]);
    await assertStoredExactly(store, sessions, 'camel-2.1.1');
  });

  it('OCPI 2.1.1 without knowing our own party: refused before the crawl', async () => {
    const { peer, store } = await setup({ sessions: demoSessions(3), versions: ['2.1.1'] });
    await assert.rejects(run(store, peer.versionsUrl, { emsp: undefined }), (e: unknown) => {
      assert.ok(e instanceof PullError);
      assert.equal(e.kind, 'setup');
      assert.match(e.message, /--emsp CC-PID/);
      return true;
    });
    assert.equal(peer.sessionsRequests().length, 0);
  });

  it('--version 2.2.1 against a peer offering only 2.1.1: a clear error', async () => {
    const { peer, store } = await setup({ sessions: demoSessions(3), versions: ['2.1.1'] });
    await assert.rejects(
      run(store, peer.versionsUrl, { version: '2.2.1' }),
      /does not offer OCPI 2.2.1 \(it offers: 2.1.1\)/,
    );
  });

  it('incremental: the next pull asks date_from = the bound (start) of the last complete pull − margin', async () => {
    const sessions = demoSessions(20);
    const { peer, store } = await setup({ sessions });
    const t1 = NOW + 86_400_000 + 123; // our clock when the first pull starts
    const clock = (at: number) => () => at; // a stopped clock: the start times are exact
    const first = await run(store, peer.sessionsUrl('2.2.1'), { pageSize: 10, now: clock(t1) });
    assert.equal(first.syncStartedAt, formatDateTime(t1));
    assert.equal(peer.sessionsRequests()[0]!.query.get('date_from'), null);
    // Bounded by its start (OCPI 2.2.1 §4.1.3: date_to exclusive), in whole seconds rounded down.
    assert.equal(peer.sessionsRequests()[0]!.query.get('date_to'), formatDateTime(t1 - 123));
    // Three sessions change on the CPO after that.
    for (const i of [1, 7, 13]) peer.update(sessions[i]!.id, t1 + 60_000);
    const before = peer.sessionsRequests().length;
    const second = await run(store, peer.sessionsUrl('2.2.1'), {
      pageSize: 10,
      marginMs: 120_000,
      now: clock(t1 + 3_600_000),
    });
    // Whole seconds, rounded down (a wider window), minus the margin.
    assert.equal(peer.sessionsRequests()[before]!.query.get('date_from'), formatDateTime(t1 - 123 - 120_000));
    assert.equal(second.dateFrom, formatDateTime(t1 - 123 - 120_000));
    assert.deepEqual([second.received, second.sessions.new, second.sessions.updated], [3, 0, 3]);
    const updated = sessions.map((x, i) => ([1, 7, 13].includes(i) ? { ...x, lastUpdated: t1 + 60_000 } : x));
    await assertStoredExactly(store, updated);
    // --since overrides.
    const third = await run(store, peer.sessionsUrl('2.2.1'), { since: 0, pageSize: 10 });
    assert.deepEqual(
      [third.received, third.sessions.unchanged, third.dateFrom],
      [20, 20, '1970-01-01T00:00:00Z'],
    );
    assert.equal(third.recordsSync, true); // it reaches back further than the incremental window
    const base = (await loadSyncState(store, 'sessions', 'NL-OCS')).syncPoint;
    // A window that skips part of the incremental one (a later --since), or ends before the point (an earlier
    // --until), leaves the point alone.
    const later = await run(store, peer.sessionsUrl('2.2.1'), { since: Date.now() + 60_000 });
    const bounded = await run(store, peer.sessionsUrl('2.2.1'), { since: 0, until: NOW });
    assert.deepEqual(
      [later.complete, later.recordsSync, bounded.complete, bounded.recordsSync],
      [true, false, true, false],
    );
    assert.equal((await loadSyncState(store, 'sessions', 'NL-OCS')).syncPoint, base);
  });

  it('never replaces a newer stored session with an older one, and counts it unchanged', async () => {
    const sessions = demoSessions(10);
    const { peer, store } = await setup({ sessions });
    await run(store, peer.sessionsUrl('2.2.1'));
    // Our copy of one session is newer than the CPO's (e.g. pushed to us after the CPO's page was cached).
    const newer = plain({ ...(await allStored(store))[4]!, lastUpdated: NOW + 1000, kwh: 99 });
    const { toRecord } = await import('../../src/modules/sessions/service/writer.js');
    await store.putSessions([toRecord(newer, undefined, WIRE_FORMATS)], { mode: 'replace' });
    const s = await run(store, peer.sessionsUrl('2.2.1'), { since: 0 });
    assert.deepEqual([s.sessions.new, s.sessions.updated, s.sessions.unchanged], [0, 0, 10]);
    const kept = (await allStored(store)).find((x) => x.id === newer.id)!;
    assert.equal(kept.kwh, 99);
  });

  it('--partner alone for a CPO registered over OCPI: its SENDER endpoint, our token for it, encoding kept on the partner', async () => {
    const sessions = demoSessions(15);
    const { peer, store } = await setup({ sessions, accept: 'raw', versions: ['2.2.1'] });
    const partner = await store.addPartner({
      countryCode: 'NL',
      partyId: 'OCS',
      roles: ['CPO'],
      format: 'ocpi',
      tokenHash: hashToken('token-the-cpo-uses-with-us'),
    });
    await store.updatePartner(partner.id, {
      state: 'registered',
      version: '2.2.1',
      versionsUrl: peer.versionsUrl,
      endpoints: [
        { identifier: 'sessions', role: 'RECEIVER', url: `${peer.url}/not-this-one` },
        { identifier: 'sessions', role: 'SENDER', url: peer.sessionsUrl('2.2.1') },
      ],
      theirToken: 'cpo-token',
    });
    const s = await pullFrom(
      store,
      { partner: 'nl-ocs', emsp: 'NL-EMS' },
      { adapter: sessionsPull, retry: FAST_RETRY },
    );
    assert.deepEqual(
      [s.key, s.url, s.sessions.new, s.authFallbacks],
      ['NL-OCS', peer.sessionsUrl('2.2.1'), 15, 1],
    );
    assert.ok(peer.requests.every((r) => r.path === '/ocpi/2.2.1/sessions')); // no discovery needed
    assert.equal((await store.getPartner('NL-OCS'))!.tokenEncoding, 'raw');
    await assertStoredExactly(store, sessions);
  });
});
