// Outbound calls (registration, push and pull all go through client/exchange.ts) honour HTTP_PROXY / NO_PROXY, and
// `--deny-private-peers` still holds through a proxy: the target host is checked before the request. The proxy is
// a tiny forward proxy on 127.0.0.1 that records what it is asked; it forwards only to loopback peers of this test
// and answers any other target itself (nothing leaves the machine).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { send } from '../../src/client/transport.js';

interface Proxied {
  method: string;
  /** The request target as the proxy got it: absolute-form for a forwarded http:// request. */
  target: string;
  authorization?: string;
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

const envelope = (data: unknown) =>
  JSON.stringify({ data, status_code: 1000, status_message: 'OK', timestamp: new Date().toISOString() });

describe('outbound HTTP through HTTP_PROXY', () => {
  const seen: Proxied[] = [];
  const peerHits: string[] = [];
  let proxyUrl: string;
  let peerUrl: string;
  const peer = http.createServer((req, res) => {
    peerHits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end(envelope({ peer: true }));
  });
  const proxy = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', target: req.url ?? '', authorization: req.headers.authorization });
    const target = new URL(req.url ?? '/', 'http://invalid');
    if (target.hostname !== '127.0.0.1') {
      // Not forwarded: answered here, as the far side would.
      res.writeHead(200, { 'content-type': 'application/json' }).end(envelope({ via: 'proxy' }));
      return;
    }
    const upstream = http.request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  const saved = { ...process.env };

  before(async () => {
    peerUrl = await listen(peer);
    proxyUrl = await listen(proxy);
  });
  afterEach(() => {
    seen.length = 0;
    peerHits.length = 0;
    for (const v of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
  });
  after(async () => {
    peer.closeAllConnections();
    proxy.closeAllConnections();
    await new Promise((r) => peer.close(r));
    await new Promise((r) => proxy.close(r));
  });

  const call = (url: string, denyPrivatePeers = false) =>
    send({
      method: 'GET',
      url,
      token: 'tok',
      encoding: 'raw',
      timeoutMs: 5000,
      denyPrivatePeers,
      fallback: false,
    });

  it('goes through the proxy (absolute-form request, no CONNECT for http://), token and all', async () => {
    process.env.HTTP_PROXY = proxyUrl;
    delete process.env.NO_PROXY;
    delete process.env.no_proxy;
    const a = await call(`${peerUrl}/ocpi/versions`);
    assert.equal(a.http, 200);
    assert.deepEqual(a.data, { peer: true });
    assert.deepEqual(seen, [
      { method: 'GET', target: `${peerUrl}/ocpi/versions`, authorization: 'Token tok' },
    ]);
    assert.deepEqual(peerHits, ['/ocpi/versions']);
  });

  it('calls NO_PROXY hosts directly', async () => {
    process.env.HTTP_PROXY = proxyUrl;
    process.env.NO_PROXY = '127.0.0.1';
    const a = await call(`${peerUrl}/ocpi/versions`);
    assert.equal(a.http, 200);
    assert.deepEqual(seen, [], 'the proxy was not asked');
    assert.deepEqual(peerHits, ['/ocpi/versions']);
  });

  it('without proxy variables, calls directly', async () => {
    for (const v of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete process.env[v];
    assert.equal((await call(`${peerUrl}/x`)).http, 200);
    assert.deepEqual(seen, []);
  });

  it('--deny-private-peers through a proxy: a private target is refused before anything is sent', async () => {
    process.env.HTTP_PROXY = proxyUrl;
    delete process.env.NO_PROXY;
    delete process.env.no_proxy;
    await assert.rejects(
      call(`${peerUrl}/ocpi/versions`, true),
      (e: Error & { cause?: { code?: string } }) => e.cause?.code === 'EPEERDENIED',
    );
    await assert.rejects(
      call('http://10.1.2.3/ocpi/versions', true),
      (e: Error & { cause?: { code?: string } }) => e.cause?.code === 'EPEERDENIED',
    );
    assert.deepEqual(seen, [], 'neither reached the proxy');
    assert.deepEqual(peerHits, []);
  });

  it('--deny-private-peers through a proxy: a public target goes to the proxy (the proxy itself is not checked)', async () => {
    process.env.HTTP_PROXY = proxyUrl;
    delete process.env.NO_PROXY;
    delete process.env.no_proxy;
    // 203.0.113.0/24 (TEST-NET-3) is not a denied range; the proxy answers it without forwarding.
    const a = await call('http://203.0.113.5/ocpi/versions', true);
    assert.equal(a.http, 200);
    assert.deepEqual(a.data, { via: 'proxy' });
    assert.deepEqual(
      seen.map((s) => s.target),
      ['http://203.0.113.5/ocpi/versions'],
    );
  });
});
