// Resource limits: body size, invalid UTF-8, slow clients (request timeout), rate limiting per token.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { TokenBuckets } from '../../src/http/rate-limit.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { addPartnerWithToken, runCli, startCli } from '../support/cli.js';
import { tempDb } from '../support/server.js';
import { raw } from '../support/http.js';
import { assertEnvelope, b64, closeSnapshots, partyServer, snapshot, type PartyServer } from './helpers.js';

/** Sends `size` bytes as a body (with Content-Length, or chunked) and resolves with the first answer. */
function bigUpload(
  base: string,
  path: string,
  headers: Record<string, string>,
  size: number,
  chunked: boolean,
) {
  const url = new URL(base);
  return new Promise<{ status: number; text: string; ms: number }>((resolve, reject) => {
    const t0 = Date.now();
    const req = http.request({
      host: url.hostname,
      port: url.port,
      method: 'PUT',
      path,
      headers: {
        ...headers,
        'content-type': 'application/json',
        ...(chunked ? {} : { 'content-length': String(size) }),
      },
      agent: false,
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, ms: Date.now() - t0 }));
      res.on('error', reject);
    });
    // The server may close the connection while we are still sending: that is the point.
    req.on('error', (e) =>
      (e as NodeJS.ErrnoException).code === 'EPIPE' || (e as NodeJS.ErrnoException).code === 'ECONNRESET'
        ? undefined
        : reject(e),
    );
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const n = Math.min(chunk.length, size - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n)))
          return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

/** Opens a raw connection and trickles `text` one byte every `everyMs`; resolves when the server closes it. */
function trickle(port: number, text: string, everyMs: number) {
  return new Promise<{ closedAfterMs: number; received: string; bytesSent: number }>((resolve) => {
    const t0 = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let i = 0;
    const timer = setInterval(() => {
      if (i < text.length && socket.writable) socket.write(text[i++]!);
    }, everyMs);
    socket.on('data', (d) => (received += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ closedAfterMs: Date.now() - t0, received, bytesSent: i });
    });
    // Bounded: never wait more than 15 s.
    setTimeout(() => socket.destroy(), 15_000).unref();
  });
}

describe('limits', () => {
  let p: PartyServer;
  let port: number;
  const auth = () => ({ authorization: `Token ${b64(p.tokens['DE-EMP']!)}` });
  const ingestAuth = () => ({ authorization: `Token ${b64(p.ingest)}` });

  before(async () => {
    p = await partyServer({ requestTimeoutMs: 1000 }, 20);
    port = Number(new URL(p.server.url).port);
  });
  after(async () => {
    await p.server.close();
    closeSnapshots();
  });

  for (const chunked of [false, true]) {
    it(`answers a 10 MB body (${chunked ? 'chunked' : 'Content-Length'}) with 413 + envelope at once and stays up`, async () => {
      const before = snapshot(p.file);
      const id = p.sessions[0]!.id;
      const r = await bigUpload(
        p.server.url,
        `/ingest/2.2.1/sessions/NL/OCS/${id}`,
        ingestAuth(),
        10 * 1024 * 1024,
        chunked,
      );
      assert.equal(r.status, 413, r.text);
      const body = JSON.parse(r.text);
      assert.equal(body.status_code, 2000);
      assert.match(body.status_message, /too large/);
      assert.ok(r.ms < 3000, `answered after ${r.ms} ms`);
      assert.equal(snapshot(p.file), before);
      const h = await raw(p.server.url, { method: 'GET', path: '/health' });
      assert.equal(h.status, 200);
    });
  }

  it('refuses a body that is not valid UTF-8 (400 + 2001) instead of storing U+FFFD', async () => {
    const s = p.sessions[1]!;
    const json = JSON.parse(codecFor('ocpi-2.2.1').render(s));
    json.meter_id = 'MARK';
    const bytes = Buffer.from(JSON.stringify(json));
    const at = bytes.indexOf('MARK');
    bytes[at] = 0xff; // never valid in UTF-8
    bytes[at + 1] = 0xc0; // overlong lead byte
    const before = snapshot(p.file);
    const r = await raw(p.server.url, {
      method: 'PUT',
      path: `/ingest/2.2.1/sessions/NL/OCS/${s.id}`,
      headers: { ...ingestAuth(), 'content-type': 'application/json' },
      body: bytes,
    });
    assertEnvelope(r, 'invalid UTF-8', 'PUT');
    assert.equal(r.status, 400);
    assert.equal(r.json.status_code, 2001);
    assert.match(r.json.status_message, /UTF-8/);
    assert.equal(snapshot(p.file), before);
    // The same body in valid UTF-8 (a real é) is stored as sent.
    const ok = await raw(p.server.url, {
      method: 'PUT',
      path: `/ingest/2.2.1/sessions/NL/OCS/${s.id}`,
      headers: { ...ingestAuth(), 'content-type': 'application/json' },
      body: JSON.stringify({ ...json, meter_id: 'Méter' }),
    });
    assert.ok(ok.status === 200 || ok.status === 201, ok.text);
    assert.equal((await p.server.store.getSession('NL', 'OCS', s.id))!.session.meterId, 'Méter');
  });

  it('disconnects a client that sends its headers byte by byte after the request timeout, serving others meanwhile', async () => {
    const request = `GET /ocpi/versions HTTP/1.1\r\nHost: x\r\nAuthorization: Token ${b64(p.tokens['DE-EMP']!)}\r\n\r\n`;
    const slow = trickle(port, request, 100);
    // Others are served normally while the slow one is connected.
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = Date.now();
      const r = await raw(p.server.url, { method: 'GET', path: '/ocpi/versions', headers: auth() });
      assert.equal(r.status, 200);
      latencies.push(Date.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
    const s = await slow;
    assert.ok(s.bytesSent < request.length, 'cut off before the request was complete');
    assert.ok(s.closedAfterMs >= 900 && s.closedAfterMs < 3000, `closed after ${s.closedAfterMs} ms`);
    assert.ok(Math.max(...latencies) < 500, `others waited ${Math.max(...latencies)} ms`);
    // What it got, if anything, is an OCPI envelope with 408.
    if (s.received) {
      assert.match(s.received, /^HTTP\/1\.1 408 /);
      assert.match(s.received, /"status_code":2000/);
    }
  });

  it('disconnects a client that trickles its body, and one that connects and sends nothing', async () => {
    const body = '{"kwh":1,"last_updated":"2030-01-01T00:00:00Z"}';
    const head = `PATCH /ingest/2.2.1/sessions/NL/OCS/${p.sessions[2]!.id} HTTP/1.1\r\nHost: x\r\nAuthorization: Token ${b64(p.ingest)}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const url = new URL(p.server.url);
    const slowBody = new Promise<number>((resolve) => {
      const t0 = Date.now();
      const socket = net.connect(Number(url.port), '127.0.0.1', () => socket.write(head));
      let i = 0;
      const timer = setInterval(() => socket.writable && i < body.length && socket.write(body[i++]!), 150);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(timer);
        resolve(Date.now() - t0);
      });
      setTimeout(() => socket.destroy(), 15_000).unref();
    });
    const idle = trickle(port, '', 1000);
    const [bodyMs, idleClosed] = await Promise.all([slowBody, idle]);
    assert.ok(bodyMs < 3000, `slow body closed after ${bodyMs} ms`);
    assert.ok(idleClosed.closedAfterMs < 3000, `idle connection closed after ${idleClosed.closedAfterMs} ms`);
  });

  it('answers garbage that is not HTTP with a 400 envelope, and 20 KB of headers with a 431 envelope', async () => {
    const exchange = (text: string) =>
      new Promise<string>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.end(text));
        let got = '';
        socket.on('data', (d) => (got += d.toString()));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(got));
      });
    const garbage = await exchange('NOT HTTP AT ALL\r\n\r\n');
    assert.match(garbage, /^HTTP\/1\.1 400 /);
    assert.match(garbage, /"status_code":2000/);
    const big = await exchange(
      `GET /ocpi/versions HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    assert.match(big, /^HTTP\/1\.1 431 /);
    assert.match(big, /"status_code":2000/);
  });
});

describe('rate limiting', () => {
  let p: PartyServer;
  before(async () => {
    p = await partyServer({ rateLimit: { perSecond: 0.5, burst: 10 } }, 5);
  });
  after(async () => {
    await p.server.close();
    closeSnapshots();
  });

  const get = (path: string, authorization?: string) =>
    raw(p.server.url, { method: 'GET', path, headers: authorization ? { authorization } : {} });

  it('answers 429 + Retry-After + envelope per token; other tokens, /health and other encodings share nothing else', async () => {
    const a = p.tokens['DE-EMP']!;
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof get>> | undefined;
    // Base64, raw and Base64 + newline: one token, one bucket.
    const encodings = [`Token ${b64(a)}`, `Token ${a}`, `Token ${b64(`${a}\n`)}`];
    for (let i = 0; i < 15; i++) {
      const r = await get('/ocpi/cpo/2.2.1/sessions?limit=1', encodings[i % 3]);
      statuses.push(r.status);
      if (r.status === 429) limited ??= r;
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(200));
    assert.ok(
      statuses.slice(10).every((s) => s === 429),
      statuses.join(','),
    );
    assertEnvelope(limited!, '429');
    assert.equal(limited!.json.status_code, 2000);
    assert.match(limited!.json.status_message, /rate limit/i);
    assert.ok(Number(limited!.headers['retry-after']) >= 1);
    // Another partner's token is not affected, nor /health, nor the ingest token.
    assert.equal(
      (await get('/ocpi/cpo/2.2.1/sessions?limit=1', `Token ${b64(p.tokens['FR-MSP']!)}`)).status,
      200,
    );
    for (let i = 0; i < 30; i++) assert.equal((await get('/health')).status, 200);
    const ingest = await raw(p.server.url, {
      method: 'PATCH',
      path: '/ingest/2.2.1/sessions/NL/OCS/nope',
      headers: { authorization: `Token ${b64(p.ingest)}`, 'content-type': 'application/json' },
      body: '{"kwh":1,"last_updated":"2030-01-01T00:00:00Z"}',
    });
    assert.equal(ingest.status, 404);
    // After Retry-After seconds the token works again.
    await new Promise((r) => setTimeout(r, Number(limited!.headers['retry-after']) * 1000 + 50));
    assert.equal((await get('/ocpi/cpo/2.2.1/sessions?limit=1', encodings[0])).status, 200);
  });

  it('throttles an address that keeps failing authentication (token guessing)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++)
      statuses.push((await get('/ocpi/cpo/2.2.1/sessions', `Token guess-${i}`)).status);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.ok(
      statuses.slice(10).every((s) => s === 429),
      statuses.join(','),
    );
  });

  it('refills at the configured rate (unit, with a fake clock)', () => {
    let now = 0;
    const b = new TokenBuckets({ perSecond: 2, burst: 3 }, () => now);
    assert.deepEqual([b.take('k'), b.take('k'), b.take('k')], [0, 0, 0]);
    assert.equal(b.take('k'), 1); // empty: one token takes 0.5 s, rounded up to 1 s
    now = 499;
    assert.equal(b.take('k'), 1);
    now = 500;
    assert.equal(b.take('k'), 0);
    now = 100_000;
    assert.deepEqual([b.take('k'), b.take('k'), b.take('k'), b.take('k') > 0], [0, 0, 0, true]); // capped at burst
    assert.equal(b.take('other'), 0);
    assert.throws(() => new TokenBuckets({ perSecond: 0 }));
  });
});

describe('serve options', () => {
  it('--rate-limit, --request-timeout-ms and --body-limit reach the server; a bad value is a usage error', async () => {
    const db = tempDb('opts.db');
    assert.equal(runCli(['migrate', '--db', db]).status, 0);
    addPartnerWithToken(db, 'DE-EMP', 'opts-token');
    const bad = runCli(['serve', '--db', db, '--port', '0', '--rate-limit', 'lots']);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /--rate-limit/);
    const s = startCli(
      [
        'serve',
        '--db',
        db,
        '--port',
        '0',
        '--rate-limit',
        '1/3',
        '--request-timeout-ms',
        '1000',
        '--body-limit',
        '500',
      ],
      /listening on (\S+)/,
    );
    try {
      const url = /listening on (\S+)/.exec(await s.started)![1]!;
      const big = await raw(url, {
        method: 'PUT',
        path: '/ocpi/cpo/2.2.1/sessions/x/charging_preferences',
        headers: { authorization: `Token ${b64('opts-token')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ profile_type: 'x'.repeat(600) }),
      });
      assert.equal(big.status, 413);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push(
          (
            await raw(url, {
              method: 'GET',
              path: '/ocpi/versions',
              headers: { authorization: 'Token opts-token' },
            })
          ).status,
        );
      // The 413 above used one of the 3.
      assert.deepEqual(statuses, [200, 200, 429, 429]);
      const slow = await trickle(Number(new URL(url).port), 'GET /health HTTP/1.1\r\n', 200);
      assert.ok(slow.closedAfterMs < 3000, `closed after ${slow.closedAfterMs} ms`);
    } finally {
      await s.stop();
    }
  });
});
