// Our side of POST/PUT credentials calls back a URL the token-A holder supplied: against a real fake peer over
// loopback (test/support/peer.ts), what the peer received (token encodings, request ids) and what the caller
// was told (status codes, a generic message without URL, errno or HTTP status; an oversized answer aborted).
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setIdentity } from '../../src/service/identity.js';
import { invite } from '../../src/modules/credentials/service/registration.js';
import { getJson } from '../support/http.js';
import { startPeer, type Peer, type PeerOptions } from '../support/peer.js';
import { waitFor } from '../support/ports.js';
import { startTestServer, type TestServer } from '../support/server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: TestServer;
const open: Peer[] = [];

before(async () => {
  server = await startTestServer({ publicUrl: 'https://ocpi.example.com' });
  await setIdentity(server.store, { countryCode: 'NL', partyId: 'OCS', roles: ['CPO'], name: 'Us' });
});
after(() => server.close());
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

async function peer(options: Partial<PeerOptions> = {}): Promise<Peer> {
  const p = await startPeer({ token: 'token-b', ...options });
  open.push(p);
  return p;
}

/** POSTs a credentials object pointing at `url` with a fresh token A; the caller's view of the answer. */
async function register(version: '2.1.1' | '2.2.1', url: string) {
  const tokenA = await invite(server.store);
  const body =
    version === '2.1.1'
      ? { token: 'token-b', url, business_details: { name: 'P' }, party_id: 'PEE', country_code: 'DE' }
      : {
          token: 'token-b',
          url,
          roles: [{ role: 'EMSP', business_details: { name: 'P' }, party_id: 'PEE', country_code: 'DE' }],
        };
  const res = await getJson(
    `${server.url}/ocpi/${version}/credentials`,
    { authorization: `Token ${Buffer.from(tokenA).toString('base64')}` },
    'POST',
    body,
  );
  return { status: res.status, body: res.json };
}

async function storedEncoding(): Promise<string | undefined> {
  return (await server.store.getPartner('DE-PEE'))?.tokenEncoding;
}

async function unregister(): Promise<void> {
  const p = await server.store.getPartner('DE-PEE');
  if (p) await server.store.removePartnerById(p.id);
}

/** The caller learns nothing about what we called: no address, port, path, errno, HTTP status or body. */
function assertGeneric(message: string, peerUrl: string) {
  for (const leak of [
    '127.0.0.1',
    new URL(peerUrl).port,
    '/ocpi/',
    'ECONN',
    'HTTP',
    'fetch failed',
    'bytes',
  ]) {
    assert.ok(!message.includes(leak), `"${message}" reveals ${leak}`);
  }
}

describe('registration call-back (server side of POST credentials)', () => {
  it('answers 3001 with a generic message when the URL is unreachable or answers an error', async () => {
    const closed = await register('2.2.1', 'http://127.0.0.1:9/ocpi/versions');
    assert.equal(closed.status, 200);
    assert.equal(closed.body.status_code, 3001);
    assertGeneric(closed.body.status_message, 'http://127.0.0.1:9');

    // Token B refused in both encodings: today's `GET <url> answered HTTP 401` must not reach the caller.
    const p = await peer({ token: 'another-token' });
    const refused = await register('2.2.1', p.versionsUrl);
    assert.equal(refused.body.status_code, 3001);
    assertGeneric(refused.body.status_message, p.url);
    assert.equal(p.requests.length, 2); // one try per encoding
  });

  it('aborts an answer larger than the cap and answers 3001', async () => {
    const p = await peer({ hugeBody: { path: '/ocpi/versions', bytes: 64 * 1024 * 1024 } });
    const started = Date.now();
    const r = await register('2.2.1', p.versionsUrl);
    assert.equal(r.body.status_code, 3001);
    assertGeneric(r.body.status_message, p.url);
    const [rec] = p.requests;
    await waitFor('the peer to see the connection closed', async () => rec!.aborted || undefined, 5000);
    // The cap is 4 MiB; socket buffers hold a few more. Reading it all would be 64 MiB.
    assert.ok(rec!.streamed! < 16 * 1024 * 1024, `the peer could write ${rec!.streamed} bytes`);
    assert.ok(Date.now() - started < 10_000);
  });

  it('sends X-Request-ID per request and one X-Correlation-ID per registration', async () => {
    const p = await peer();
    const r = await register('2.2.1', p.versionsUrl);
    assert.equal(r.body.status_code, 1000, r.body.status_message);
    await unregister();
    assert.deepEqual(
      p.requests.map((q) => q.path),
      ['/ocpi/versions', '/ocpi/2.2.1'],
    );
    const ids = p.requests.map((q) => q.headers['x-request-id']);
    const correlations = new Set(p.requests.map((q) => q.headers['x-correlation-id']));
    for (const id of ids) assert.match(String(id), UUID);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(correlations.size, 1);
    assert.match(String([...correlations][0]), UUID);
  });

  it('calls a 2.1.1 partner with the raw token and stores raw', async () => {
    const p = await peer({ accept: 'both' });
    const r = await register('2.1.1', p.versionsUrl);
    assert.equal(r.body.status_code, 1000, r.body.status_message);
    assert.deepEqual(
      p.requests.map((q) => q.authorization),
      ['Token token-b', 'Token token-b'],
    );
    assert.equal(await storedEncoding(), 'raw');
    await unregister();
  });

  for (const refusal of ['http-403', 'ocpi-2000'] as const) {
    it(`falls back to the other encoding when the peer refuses with ${refusal}, and stores what worked`, async () => {
      // A 2.2.1 peer that wants the token raw (the spec says Base64), and a 2.1.1 peer that wants Base64.
      for (const [version, accept] of [
        ['2.2.1', 'raw'],
        ['2.1.1', 'base64'],
      ] as const) {
        const p = await peer({ accept, refusal });
        const r = await register(version, p.versionsUrl);
        assert.equal(r.body.status_code, 1000, `${version}: ${r.body.status_message}`);
        assert.equal(await storedEncoding(), accept, version);
        const first = version === '2.2.1' ? 'base64' : 'raw';
        assert.deepEqual(
          p.requests.map((q) => (q.authorization === 'Token token-b' ? 'raw' : 'base64')),
          [first, accept, accept],
          version,
        );
        await unregister();
      }
    });
  }
});
