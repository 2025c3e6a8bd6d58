// The outbound clients' own limits against a real fake peer over loopback: which peer addresses
// `--deny-private-peers` refuses (the client push deliveries use too), and the pull client's response size cap.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OcpiClient, OcpiHttpError, send } from '../../src/client/transport.js';
import { isDeniedAddress } from '../../src/client/peer-address.js';
import { startPeer, type Peer, type PeerOptions } from '../support/peer.js';
import { waitFor } from '../support/ports.js';

const open: Peer[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

async function peer(options: Partial<PeerOptions> = {}): Promise<Peer> {
  const p = await startPeer({ token: 'tok', ...options });
  open.push(p);
  return p;
}

describe('--deny-private-peers', () => {
  it('classifies loopback, link-local, private, unspecified, CGNAT and their IPv4-mapped forms', () => {
    const denied = [
      '127.0.0.1',
      '127.255.1.2',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '100.127.255.254',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '[::ffff:a9fe:a9fe]',
      '::ffff:10.0.0.1',
    ];
    const allowed = ['8.8.8.8', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2001:db8::1', '::ffff:8.8.8.8'];
    for (const a of denied) assert.equal(isDeniedAddress(a), true, a);
    for (const a of allowed) assert.equal(isDeniedAddress(a), false, a);
  });

  it('refuses loopback peers by address and by name before any request (the push and registration client)', async () => {
    const p = await peer();
    const port = new URL(p.url).port;
    for (const url of [p.versionsUrl, `http://localhost:${port}/ocpi/versions`]) {
      await assert.rejects(
        send({
          method: 'PUT',
          url,
          token: 'tok',
          encoding: 'base64',
          body: {},
          denyPrivatePeers: true,
        }),
        (e: Error & { cause?: { code?: string } }) => e.cause?.code === 'EPEERDENIED',
      );
    }
    assert.equal(p.requests.length, 0);
    // Off by default.
    const ok = await send({ method: 'GET', url: p.versionsUrl, token: 'tok', encoding: 'base64' });
    assert.equal(ok.statusCode, 1000);
  });
});

describe('pull client response size cap', () => {
  it('aborts a page larger than the cap and stops with a protocol error, without retrying', async () => {
    const p = await peer({ hugeBody: { path: '/ocpi/2.2.1/sessions', bytes: 64 * 1024 * 1024 } });
    const http = new OcpiClient({ token: 'tok', encoding: 'base64', maxResponseBytes: 1024 * 1024 });
    await assert.rejects(
      http.get(p.sessionsUrl('2.2.1')),
      (e: unknown) =>
        e instanceof OcpiHttpError && e.kind === 'protocol' && /exceeds 1048576 bytes/.test(e.message),
    );
    const [rec] = p.requests;
    assert.equal(p.requests.length, 1);
    await waitFor('the peer to see the connection closed', async () => rec!.aborted || undefined, 5000);
    assert.ok(rec!.streamed! < 16 * 1024 * 1024, `the peer could write ${rec!.streamed} bytes`);
  });
});
