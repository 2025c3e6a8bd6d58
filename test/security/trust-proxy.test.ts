// --trust-proxy: behind a reverse proxy the client address (per-IP rate limit, access log) comes from
// X-Forwarded-For, and only then: without the flag a client cannot pick its own rate-limit bucket or logged
// address by sending the header.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { ServerConfig } from '../../src/app/server.js';
import { getJson } from '../support/http.js';
import { waitFor } from '../support/ports.js';
import { startTestServer } from '../support/server.js';

/** A server whose rate limit allows one request per client address (for a long time), logging into `lines`. */
async function limited(trustProxy: ServerConfig['trustProxy']) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  const server = await startTestServer({
    rateLimit: { perSecond: 0.001, burst: 1 },
    logger: pino({ level: 'info' }, sink),
    docs: false,
    ...(trustProxy === undefined ? {} : { trustProxy }),
  });
  // An unknown path draws from the caller's per-IP bucket (rate-limit.ts).
  let n = 0;
  const hit = async (forwardedFor: string) => {
    const r = await getJson(`${server.url}/nothing`, {
      'x-forwarded-for': forwardedFor,
      'x-request-id': `hit-${++n}`,
    });
    return r.status;
  };
  /** The ip logged for the n-th hit (1-based); the line is written once the answer is out: waited for. */
  const loggedIp = (hitNumber: number) =>
    waitFor(
      `the access line of hit ${hitNumber}`,
      () => lines.find((l) => l.requestId === `hit-${hitNumber}`)?.ip,
      5000,
    );
  return { server, hit, loggedIp };
}

describe('--trust-proxy', () => {
  it('with it, each X-Forwarded-For client has its own bucket and is the logged ip', async () => {
    const { server, hit, loggedIp } = await limited(true);
    try {
      assert.equal(await hit('203.0.113.7'), 404);
      assert.equal(await hit('203.0.113.7'), 429, 'the same client: its bucket is empty');
      assert.equal(await hit('203.0.113.8'), 404, 'another client behind the proxy: its own bucket');
      assert.equal(await loggedIp(3), '203.0.113.8');
    } finally {
      await server.close();
    }
  });

  it('with a hop count, the client is that many hops back (the proxy appends what it saw)', async () => {
    const { server, hit, loggedIp } = await limited(1);
    try {
      // The proxy at 127.0.0.1 appended the address it saw; what the client wrote before it is not trusted.
      assert.equal(await hit('198.51.100.1, 203.0.113.9'), 404);
      assert.equal(await loggedIp(1), '203.0.113.9');
      assert.equal(await hit('198.51.100.2, 203.0.113.9'), 429, 'a forged first entry changes nothing');
    } finally {
      await server.close();
    }
  });

  it('without it, X-Forwarded-For is ignored: one bucket and the logged ip are the connection’s', async () => {
    const { server, hit, loggedIp } = await limited(undefined);
    try {
      assert.equal(await hit('203.0.113.7'), 404);
      assert.equal(await hit('203.0.113.8'), 429, 'a header cannot buy a new bucket');
      assert.equal(await loggedIp(1), '127.0.0.1');
    } finally {
      await server.close();
    }
  });
});
