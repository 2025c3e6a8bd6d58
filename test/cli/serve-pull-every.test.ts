// `serve --pull-every S`: the server pulls a CPO partner on its own, once per interval, and the console's overview
// shows when the next run is due; without the option nothing is pulled unasked and next_run is null. Through the
// real CLI process, a real CPO peer on loopback and the console API.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { addPartner } from '../../src/service/partners.js';
import { savePullConfig } from '../../src/service/pull-state.js';
import type { SessionStore } from '../../src/store/contract.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli, runCliAsync, serve, spawnCli, type Served } from '../support/cli.js';
import { consoleGet } from '../support/console.js';
import { startPeer, type Peer } from '../support/peer.js';
import { freePort, waitFor } from '../support/ports.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { tempDb } from '../support/server.js';
import { makeSession } from '../support/sessions.js';

const auth = { authorization: 'Bearer console-pw' };
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** CPO partner NL-OCS whose pull configuration points at `peer`, in `store` (closed after). */
async function configure(store: SessionStore, peer: Peer): Promise<void> {
  await addPartner(store, { countryCode: 'NL', partyId: 'OCS', roles: ['CPO'], format: 'ocpi' });
  await savePullConfig(store, 'NL-OCS', { url: peer.versionsUrl, token: 'peer-token', emsp: 'NL-EMS' });
  await store.close();
}

async function serveConsole(db: string, extra: string[]): Promise<Served> {
  const served = await serve(db, await freePort(), [
    '--console',
    '--console-password',
    'console-pw',
    ...extra,
  ]);
  cleanups.push(() => served.stop());
  return served;
}

/** A SQLite store configured with `peer` and a server on it. */
async function emspWith(peer: Peer, extra: string[]): Promise<Served> {
  const db = tempDb();
  await configure(new SqliteStore(db), peer);
  return serveConsole(db, extra);
}

async function newPeer(): Promise<Peer> {
  const peer = await startPeer({
    sessions: [makeSession('P1', 'NL-EMS', Date.now() - 60_000, 'NL-OCS')],
    versions: ['2.2.1'],
  });
  cleanups.push(() => peer.close());
  return peer;
}

type Pull = { key: string; last_run: string | null; result: string | null; next_run: string | null };
const pullOf = async (s: Served) =>
  ((await consoleGet(s.url, auth, '/console/api/overview')) as { pulls: Pull[] }).pulls.find(
    (p) => p.key === 'NL-OCS',
  );
const listed = async (s: Served, id: string) =>
  (
    (await consoleGet(s.url, auth, `/console/api/sessions?q=${id}`)) as { items: { id: string }[] }
  ).items.some((i) => i.id === id);

describe('serve --pull-every', () => {
  it('pulls a CPO partner unasked, again once per interval, and shows the next run', async () => {
    const peer = await newPeer();
    const server = await emspWith(peer, ['--pull-every', '1']);
    await waitFor(
      'the first scheduled pull',
      async () => ((await listed(server, 'P1')) ? true : undefined),
      20_000,
    );
    const first = await waitFor('its run counted', async () => {
      const p = await pullOf(server);
      return p?.result === 'ok' && p.last_run ? p : undefined;
    });
    // The next run is the end of the last one plus the interval (the store's clock, the same on every node).
    assert.equal(Date.parse(first.next_run!) - Date.parse(first.last_run!), 1000);
    // A session the CPO adds later arrives with no command: the next interval's pull.
    peer.add(makeSession('P2', 'NL-EMS', Date.now(), 'NL-OCS'));
    await waitFor(
      'the later session pulled',
      async () => ((await listed(server, 'P2')) ? true : undefined),
      20_000,
    );
  });

  it('pulls a CPO saved only by `pull --partner X --url U --token T` (no partner record) and lists it', async () => {
    const peer = await newPeer();
    const db = tempDb();
    // The real command: the first pull sets the eMSP instance up and saves the configuration, no partner record.
    // (runCliAsync: the peer answers from this process, so the test must not block on the command.)
    const first = await runCliAsync([
      'pull',
      '--db',
      db,
      '--partner',
      'NL-OCS',
      '--url',
      peer.versionsUrl,
      '--token',
      'peer-token',
      '--emsp',
      'NL-EMS',
    ]);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(runCli(['partners', 'list', '--db', db, '--json']).stdout.includes('NL-OCS'), false);
    const server = await serveConsole(db, ['--pull-every', '1']);
    assert.equal(await listed(server, 'P1'), true);
    peer.add(makeSession('P2', 'NL-EMS', Date.now(), 'NL-OCS'));
    await waitFor(
      'the later session pulled by the schedule',
      async () => ((await listed(server, 'P2')) ? true : undefined),
      20_000,
    );
    const pull = await pullOf(server);
    assert.equal(pull?.result, 'ok');
    assert.ok(pull?.next_run, 'a next run is shown');
  });

  it('without it, nothing is pulled unasked and next_run is null', async () => {
    const peer = await newPeer();
    const server = await emspWith(peer, []);
    await new Promise((r) => setTimeout(r, 1500));
    const pull = await pullOf(server);
    assert.equal(pull?.next_run, null);
    assert.equal(pull?.last_run, null);
    assert.equal(peer.requests.length, 0, 'no request reached the CPO');
    assert.equal(await listed(server, 'P1'), false);
  });

  it('two nodes on one PostgreSQL pull a partner once per interval between them', async () => {
    const url = await postgresUrl();
    cleanups.push(() => dropDatabase(url));
    const peer = await newPeer();
    peer.options.delayMs = 300;
    await configure(await PostgresStore.connect(url), peer);
    await serveConsole(url, ['--pull-every', '1']);
    await serveConsole(url, ['--pull-every', '1']);
    // Each run is one sessions page (one session): four runs, then the gaps between their starts.
    const runs = await waitFor(
      'four scheduled runs',
      () => {
        const r = peer.sessionsRequests();
        return r.length >= 4 ? r.slice(0, 4).map((x) => x.at) : undefined;
      },
      30_000,
    );
    // A run is due one interval after the end of the last one, whichever node ran it: never sooner than the
    // answer's delay + the interval after the previous run's request (two uncoordinated nodes would be ~0.5 s).
    for (let i = 1; i < runs.length; i++)
      assert.ok(
        runs[i]! - runs[i - 1]! >= 1300,
        `run ${i} started ${runs[i]! - runs[i - 1]!} ms after run ${i - 1}`,
      );
  });

  it("shows a pull run by another process (the `pull` command) as running while it holds the pull's lease", async () => {
    const peer = await newPeer();
    peer.options.delayMs = 2500;
    const db = tempDb();
    await configure(new SqliteStore(db), peer);
    const server = await serveConsole(db, []);
    const pull = spawnCli(['pull', '--db', db, '--partner', 'NL-OCS']);
    const seen = await waitFor('the overview to show it running', async () => {
      const p = await pullOf(server);
      return p?.result === 'running' ? p : undefined;
    });
    assert.equal(seen.next_run, null);
    assert.equal((await pull.done).status, 0, pull.stderr());
    await waitFor('the overview to show it ok', async () =>
      (await pullOf(server))?.result === 'ok' ? true : undefined,
    );
  });

  it('refuses a value that is not a number of seconds', () => {
    const r = runCli(['serve', '--db', tempDb(), '--pull-every', '5m']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--pull-every must be a number of seconds, got '5m'/);
  });
});
