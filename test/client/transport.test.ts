// The one outbound transport (src/client/transport.ts) against a scripted peer over loopback: the token-encoding
// fallback with and without a retry policy, how the two interplay (a switch is not a retry), the request ids, and
// what comes back to the caller (the answer, the failure as it is, or an OcpiHttpError).
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TokenEncoding } from '../../src/domain/party.js';
import {
  expectSuccess,
  OcpiClient,
  OcpiHttpError,
  refused,
  send,
  succeeded,
  type RetryInfo,
} from '../../src/client/transport.js';
import { freePort } from '../support/ports.js';
import {
  envelope,
  startScriptedPeer,
  type ScriptedAnswer,
  type ScriptedPeer,
  type ScriptedRequest,
} from '../support/scripted-peer.js';

const open: ScriptedPeer[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

async function peer(script: (r: ScriptedRequest) => ScriptedAnswer): Promise<ScriptedPeer> {
  const p = await startScriptedPeer(script);
  open.push(p);
  return p;
}

const encodingOf = (r: ScriptedRequest): TokenEncoding =>
  r.headers.authorization === 'Token tok' ? 'raw' : 'base64';
const OK: ScriptedAnswer = { status: 200, json: envelope([]) };
const UNAUTHORIZED: ScriptedAnswer = { status: 401, json: envelope(undefined, 2000, 'Unauthorized') };
const BUSY: ScriptedAnswer = { status: 503, json: envelope(undefined, 3000, 'Busy') };
const FAST = { retries: 1, baseMs: 1, maxMs: 1, budgetMs: 10_000 };
const noWait = async () => {};

describe('send without a retry policy (registration, push)', () => {
  it('returns a 503 as it is after one request', async () => {
    const p = await peer(() => BUSY);
    const a = await send({ method: 'GET', url: `${p.url}/busy`, token: 'tok', encoding: 'base64' });
    assert.deepEqual([a.http, a.statusCode, a.encoding, succeeded(a)], [503, 3000, 'base64', false]);
    assert.equal(p.requests.length, 1);
  });

  it('repeats a refused call once in the other encoding, same body and correlation id, and returns that answer', async () => {
    const p = await peer(() => UNAUTHORIZED);
    const a = await send({
      method: 'PUT',
      url: `${p.url}/refuse`,
      token: 'tok',
      encoding: 'raw',
      body: { a: 1 },
    });
    assert.deepEqual([a.http, a.encoding, refused(a)], [401, 'base64', true]);
    assert.deepEqual(p.requests.map(encodingOf), ['raw', 'base64']);
    assert.deepEqual(
      p.requests.map((r) => r.body),
      ['{"a":1}', '{"a":1}'],
    );
    assert.equal(new Set(p.requests.map((r) => r.headers['x-correlation-id'])).size, 1);
    assert.equal(new Set(p.requests.map((r) => r.headers['x-request-id'])).size, 2);
  });

  it('throws a connection failure as it is (the caller reports it)', async () => {
    const port = await freePort();
    await assert.rejects(
      send({ method: 'GET', url: `http://127.0.0.1:${port}/x`, token: 'tok', encoding: 'base64' }),
      (e: Error & { cause?: { code?: string } }) =>
        !(e instanceof OcpiHttpError) && e.cause?.code === 'ECONNREFUSED',
    );
  });
});

describe('send with a retry policy (the pull)', () => {
  it('switches the encoding at once on a refusal without using a retry; one correlation id for all attempts', async () => {
    // base64: 503, then refused; raw: accepted.
    const p = await peer((r) => (encodingOf(r) === 'raw' ? OK : r.n === 1 ? BUSY : UNAUTHORIZED));
    const switched: TokenEncoding[] = [];
    const retries: RetryInfo[] = [];
    const a = await send({
      method: 'GET',
      url: `${p.url}/s`,
      token: 'tok',
      encoding: 'base64',
      retry: FAST,
      onFallback: (e) => switched.push(e),
      onRetry: (r) => retries.push(r),
      sleep: noWait,
    });
    assert.deepEqual([a.http, a.encoding, a.statusCode], [200, 'raw', 1000]);
    assert.deepEqual(p.requests.map(encodingOf), ['base64', 'base64', 'raw']);
    assert.deepEqual(switched, ['raw']);
    assert.deepEqual(
      retries.map((r) => [r.attempt, r.reason]),
      [[1, 'HTTP 503']],
    );
    assert.equal(new Set(p.requests.map((r) => r.headers['x-correlation-id'])).size, 1);
    assert.equal(new Set(p.requests.map((r) => r.headers['x-request-id'])).size, 3);
  });

  it('gives up when the retries are spent; the repeat in the other encoding is not one of them', async () => {
    const p = await peer((r) => (encodingOf(r) === 'raw' ? BUSY : UNAUTHORIZED));
    await assert.rejects(
      send({
        method: 'GET',
        url: `${p.url}/s`,
        token: 'tok',
        encoding: 'base64',
        retry: { ...FAST, retries: 2 },
        sleep: noWait,
      }),
      (e: unknown) =>
        e instanceof OcpiHttpError &&
        e.kind === 'gave-up' &&
        /after 3 attempts \(last: HTTP 503\)/.test(e.message),
    );
    assert.deepEqual(p.requests.map(encodingOf), ['base64', 'raw', 'raw', 'raw']);
  });

  it('with the fallback spent, a refusal is final: no retry, no other encoding', async () => {
    const p = await peer(() => UNAUTHORIZED);
    const url = `${p.url}/s`;
    const a = await send({ method: 'GET', url, token: 'tok', encoding: 'raw', retry: FAST, fallback: false });
    assert.equal(p.requests.length, 1);
    assert.throws(
      () => expectSuccess(url, a),
      (e: unknown) =>
        e instanceof OcpiHttpError && e.kind === 'auth' && /both Base64-encoded and raw/.test(e.message),
    );
  });

  it('a Retry-After beyond the budget gives up at once', async () => {
    const p = await peer(() => ({ status: 429, json: envelope(undefined), headers: { 'retry-after': '1' } }));
    await assert.rejects(
      send({
        method: 'GET',
        url: `${p.url}/s`,
        token: 'tok',
        encoding: 'base64',
        retry: { ...FAST, budgetMs: 500 },
        sleep: noWait,
      }),
      /retry budget of 500 ms would be exceeded \(last: HTTP 429, Retry-After 1000 ms\)/,
    );
    assert.equal(p.requests.length, 1);
  });
});

describe('OcpiClient (the pull conversation)', () => {
  it('falls back once per client: the accepted encoding is confirmed once, a later refusal is final', async () => {
    let refuseAll = false;
    const p = await peer((r) => (refuseAll || encodingOf(r) === 'base64' ? UNAUTHORIZED : OK));
    const confirmed: TokenEncoding[] = [];
    const http = new OcpiClient({
      token: 'tok',
      encoding: 'base64',
      retry: FAST,
      onEncodingConfirmed: (e) => void confirmed.push(e),
    });
    await http.get(`${p.url}/a`);
    await http.get(`${p.url}/b`);
    assert.deepEqual([http.encoding, http.authFallbacks, confirmed], ['raw', 1, ['raw']]);
    refuseAll = true;
    await assert.rejects(
      http.get(`${p.url}/c`),
      (e: unknown) => e instanceof OcpiHttpError && e.kind === 'auth' && e.status === 401,
    );
    assert.deepEqual(
      p.requests.map((r) => [r.path, encodingOf(r)]),
      [
        ['/a', 'base64'],
        ['/a', 'raw'],
        ['/b', 'raw'],
        ['/c', 'raw'],
      ],
    );
    assert.deepEqual([http.authFallbacks, http.retries, confirmed], [1, 0, ['raw']]);
  });
});
