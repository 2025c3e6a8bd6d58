// A pull started from the console honours the server's --deny-private-peers like the push and the registration do:
// a partner's registered URLs are the peer's word, so a loopback (or private) address is refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addPartner } from '../../src/service/partners.js';
import { savePullConfig } from '../../src/service/pull-state.js';
import { loadPullStats } from '../../src/service/pull-stats.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { consoleAct, operatorAuth } from '../support/console.js';
import { startPeer, type Peer } from '../support/peer.js';
import { waitFor } from '../support/ports.js';
import { makeSession } from '../support/sessions.js';
import { startTestServer, tempDb, type TestServer } from '../support/server.js';

describe('console pull under --deny-private-peers', () => {
  let peer: Peer;
  let server: TestServer;
  let auth: Record<string, string>;
  before(async () => {
    const store = new SqliteStore(tempDb());
    peer = await startPeer({ sessions: [makeSession('P1', 'NL-EMS', Date.now() - 60_000, 'NL-OCS')] });
    await addPartner(store, { countryCode: 'NL', partyId: 'OCS', roles: ['CPO'], format: 'ocpi' });
    await savePullConfig(store, 'NL-OCS', { url: peer.versionsUrl, token: 'peer-token', emsp: 'NL-EMS' });
    server = await startTestServer({ console: true, denyPrivatePeers: true }, store);
    auth = await operatorAuth(store);
  });
  after(async () => {
    await server.close();
    await peer.close();
  });

  it('refuses the loopback CPO: the run fails, nothing is stored', async () => {
    await consoleAct(server.url, auth, 'NL-OCS', 'pull');
    const stats = await waitFor(
      'the pull to be counted',
      async () => {
        const s = await loadPullStats(server.store, 'sessions', 'NL-OCS');
        return s && s.runs.ok + s.runs.failed > 0 ? s : undefined;
      },
      30_000,
    );
    assert.deepEqual(stats.runs, { ok: 0, failed: 1 });
    assert.equal(await server.store.getSession('NL', 'OCS', 'P1'), undefined, 'nothing pulled');
  });
});
