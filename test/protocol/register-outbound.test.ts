// `ocpi-sessions register` and `serve --deny-private-peers` as processes, against a real fake peer over loopback
// (test/support/peer.ts): what the peer received (token encodings, request ids, or nothing at all) and what the
// operator and the remote caller were told.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, runCliAsync, setParty, startCli } from '../support/cli.js';
import { peersPerTest } from '../support/peer.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDb } from '../support/server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const peer = peersPerTest({ token: 'token-a' });

// One instance of ours for the register tests; each peer is another party.
let db: string;
before(() => {
  db = tempDb('cpo.db');
  setParty(db, 'NL-CPO', 'CPO', 'Test CPO');
});

function register(db: string, url: string, extra: string[] = []) {
  const args = ['register', '--db', db, url, '--token', 'token-a'];
  return runCliAsync([...args, '--public-url', 'http://127.0.0.1:1', '--json', ...extra]);
}

async function partner(key: string) {
  const store = new SqliteStore(db);
  try {
    return await store.getPartner(key);
  } finally {
    await store.close();
  }
}

const encodingOf = (auth: string | undefined) => (auth === 'Token token-a' ? 'raw' : 'base64');

describe('ocpi-sessions register', () => {
  it('--version 2.1.1: raw token on every call, raw stored; request ids on every call, one correlation id', async () => {
    const p = await peer({ accept: 'both', party: 'DE-PEA' });
    const r = await register(db, p.versionsUrl, ['--version', '2.1.1']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      p.requests.map((q) => [q.method, q.path, encodingOf(q.authorization)]),
      [
        ['GET', '/ocpi/versions', 'raw'],
        ['GET', '/ocpi/2.1.1', 'raw'],
        ['POST', '/ocpi/2.1.1/credentials', 'raw'],
      ],
    );
    const ids = p.requests.map((q) => String(q.headers['x-request-id']));
    for (const id of ids) assert.match(id, UUID);
    assert.equal(new Set(ids).size, 3);
    const correlations = new Set(p.requests.map((q) => q.headers['x-correlation-id']));
    assert.equal(correlations.size, 1);
    assert.match(String([...correlations][0]), UUID);
    const stored = await partner('DE-PEA');
    assert.deepEqual([stored?.state, stored?.version, stored?.tokenEncoding], ['registered', '2.1.1', 'raw']);
  });

  for (const refusal of ['http-403', 'ocpi-2000'] as const) {
    it(`a 2.1.1-only peer that wants the token raw and refuses with ${refusal}: registered, raw stored`, async () => {
      const party = refusal === 'http-403' ? 'DE-PEB' : 'DE-PEC';
      const p = await peer({ accept: 'raw', refusal, versions: ['2.1.1'], party });
      const r = await register(db, p.versionsUrl);
      assert.equal(r.status, 0, r.stderr);
      // The version is unknown before the versions list: Base64 first, refused, then raw, kept for 2.1.1.
      assert.deepEqual(
        p.requests.map((q) => [q.path, encodingOf(q.authorization)]),
        [
          ['/ocpi/versions', 'base64'],
          ['/ocpi/versions', 'raw'],
          ['/ocpi/2.1.1', 'raw'],
          ['/ocpi/2.1.1/credentials', 'raw'],
        ],
      );
      assert.equal((await partner(party))?.tokenEncoding, 'raw');
    });
  }

  it('prints the details of a failure for our operator', async () => {
    const p = await peer({ token: 'another-token' });
    const r = await register(db, p.versionsUrl);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /registration failed \(OCPI 3001\)/);
    assert.ok(r.stderr.includes(p.versionsUrl), r.stderr);
    assert.match(r.stderr, /HTTP 401/);
  });

  it('--deny-private-peers: loopback refused by address and by name, nothing reaches the peer', async () => {
    const p = await peer({ party: 'DE-PED' });
    for (const url of [p.versionsUrl, p.versionsUrl.replace('127.0.0.1', 'localhost')]) {
      const r = await register(db, url, ['--deny-private-peers']);
      assert.equal(r.status, 1, r.stdout);
      assert.match(r.stderr, /OCPI 3001/);
      assert.match(r.stderr, /deny-private-peers/);
    }
    assert.equal(p.requests.length, 0);
    assert.equal(await partner('DE-PED'), undefined);
  });
});

describe('ocpi-sessions serve --deny-private-peers', () => {
  it('answers a registration pointing at loopback with 3001 and a generic message, logs the details, calls nothing', async () => {
    const p = await peer({ token: 'token-b' });
    const emspDb = tempDb('emsp.db');
    setParty(emspDb, 'DE-EMS', 'EMSP', 'Test eMSP');
    const server = startCli(
      ['serve', '--db', emspDb, '--port', '0', '--log-level', 'warn', '--deny-private-peers'],
      /listening on (\S+)/,
    );
    try {
      const url = /listening on (\S+)/.exec(await server.started)![1]!;
      for (const target of [p.versionsUrl, p.versionsUrl.replace('127.0.0.1', 'localhost')]) {
        const inv = runCli(['partners', 'invite', '--db', emspDb, '--json']);
        const tokenA = JSON.parse(inv.stdout).token as string;
        const res = await fetch(`${url}/ocpi/2.2.1/credentials`, {
          method: 'POST',
          headers: {
            authorization: `Token ${Buffer.from(tokenA).toString('base64')}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            token: 'token-b',
            url: target,
            roles: [{ role: 'CPO', business_details: { name: 'P' }, party_id: 'PEE', country_code: 'NL' }],
          }),
        });
        const body = (await res.json()) as any;
        assert.equal(res.status, 200);
        assert.equal(body.status_code, 3001);
        for (const leak of [new URL(target).host, 'deny', 'refused', 'HTTP'])
          assert.ok(!body.status_message.includes(leak), `"${body.status_message}" reveals ${leak}`);
      }
      assert.equal(p.requests.length, 0);
      // Our log (pino JSON on stdout at warn) has what the caller was not told.
      const logged = server.output();
      assert.ok(logged.includes(p.versionsUrl), logged);
      assert.match(logged, /deny-private-peers/);
    } finally {
      await server.stop();
    }
  });
});
