// One outbound OCPI HTTP exchange, shared by every client (registration, push, pull): the token in a given
// encoding, the OCPI 2.2.1 §4.1.4 request ids, a timeout over the whole exchange (body included), the response
// body read through one size cap, the envelope read tolerantly. Also the one rule for "the peer refused our
// token" that decides the Base64/raw fallback of both clients.
import { randomUUID } from 'node:crypto';
import { fetch as undiciFetch, request as undiciRequest, type Dispatcher } from 'undici';
import type { TokenEncoding } from '../domain/party.js';
import { encodeToken } from '../domain/token-encoding.js';
import { readEnvelope, type Envelope } from './envelope.js';
import { outboundDispatcher, proxyConfigured } from './outbound-agent.js';
import { assertPublicHost } from './peer-address.js';

/** Default response size cap for registration and push answers (an envelope with credentials or a version list). */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface ExchangeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  token: string;
  encoding: TokenEncoding;
  /** OCPI 2.2.1 §4.1.4: the same for every request of one operation; X-Request-ID is new per request. */
  correlationId: string;
  body?: unknown;
  /** The body as JSON text already (the push sends the stored rendered bytes): sent as it is, instead of `body`. */
  bodyJson?: string;
  /**
   * undici's `request` on the shared dispatcher instead of `fetch` (the push: a delivery per request, so the
   * WHATWG layer's Request, streams and signals per call cost more than the exchange). A redirect is not
   * followed: the 3xx is the answer. The answer's URL is the one asked.
   */
  direct?: boolean;
  headers?: Record<string, string>;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Refuse loopback, private and link-local peer addresses: at connect time, or before the request when a proxy
   * is configured (see peer-address.ts, outbound-agent.ts). */
  denyPrivatePeers?: boolean;
  signal?: AbortSignal;
  /** Test seam (the pull client's). */
  fetch?: typeof fetch;
}

export interface Exchanged {
  http: number;
  /** The URL that answered (after redirects). */
  url: string;
  headers: Headers;
  text: string;
  /** undefined when the body is not JSON. */
  json?: unknown;
  envelope?: Envelope;
}

/** The answer was larger than the cap: the request was aborted after reading at most the cap. */
export class ResponseTooLarge extends Error {
  constructor(
    readonly url: string,
    readonly limit: number,
  ) {
    super(`the answer of ${url} exceeds ${limit} bytes: aborted`);
  }
}

/** Performs one exchange; throws on a connection failure, a timeout (`signal` aborted) or ResponseTooLarge. */
export async function exchange(x: ExchangeRequest): Promise<Exchanged> {
  const headers: Record<string, string> = {
    // OCPI 2.2.1 §4.1.2: `Authorization: Token <Base64(token)>`; 2.1.1 peers take the token as it is.
    authorization: `Token ${encodeToken(x.token, x.encoding)}`,
    accept: 'application/json',
    'x-request-id': randomUUID(),
    'x-correlation-id': x.correlationId,
    ...x.headers,
  };
  const body = x.bodyJson ?? (x.body === undefined ? undefined : JSON.stringify(x.body));
  if (body !== undefined) headers['content-type'] = 'application/json';
  const stop = new AbortController();
  const signals = [AbortSignal.timeout(x.timeoutMs), stop.signal];
  if (x.signal) signals.push(x.signal);
  // Through a proxy the peer's address is not ours to connect to: it is checked before the request, and a redirect
  // (whose target would go unchecked) is refused instead of followed.
  const checkFirst = x.denyPrivatePeers === true && proxyConfigured();
  if (checkFirst && !x.fetch) {
    // Failing like a refused connection does (a fetch error whose cause is PeerAddressDenied).
    await assertPublicHost(new URL(x.url).hostname).catch((e: unknown) => {
      throw new TypeError('fetch failed', { cause: e });
    });
  }
  if (x.direct && !x.fetch) return direct(x, headers, body);
  const init = {
    method: x.method,
    headers,
    body,
    signal: AbortSignal.any(signals),
    redirect: checkFirst ? ('error' as const) : ('follow' as const),
  };
  const res = x.fetch
    ? await x.fetch(x.url, init)
    : ((await undiciFetch(x.url, {
        ...init,
        dispatcher: outboundDispatcher(x.denyPrivatePeers === true),
      })) as unknown as Response);
  // The timeout covers the body too: a peer that stalls mid-body is a timeout, not a hang.
  const text = await readCapped(res, x.maxResponseBytes, x.url, () => stop.abort());
  return withJson({ http: res.status, url: res.url || x.url, headers: res.headers, text });
}

/** The body read as JSON and as an envelope, when it is JSON. */
function withJson(answer: Exchanged): Exchanged {
  try {
    answer.json = JSON.parse(answer.text);
  } catch {
    return answer; // not JSON: the HTTP status speaks alone
  }
  answer.envelope = readEnvelope(answer.json);
  return answer;
}

/** `exchange` through undici's `request` (ExchangeRequest.direct): the same headers, timeout, cap and answer. */
async function direct(
  x: ExchangeRequest,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<Exchanged> {
  // The caller's signal is its timeout (transport.ts: one per attempt); else one here. It covers the body too.
  const signal = x.signal ?? AbortSignal.timeout(x.timeoutMs);
  let res: Dispatcher.ResponseData;
  try {
    res = await undiciRequest(x.url, {
      method: x.method,
      headers,
      body,
      signal,
      dispatcher: outboundDispatcher(x.denyPrivatePeers === true),
    });
  } catch (e) {
    throw new TypeError('fetch failed', { cause: e }); // as a failed fetch: callers read the cause
  }
  const tooLarge = () => {
    res.body.destroy();
    return new ResponseTooLarge(x.url, x.maxResponseBytes);
  };
  if (Number(res.headers['content-length'] ?? NaN) > x.maxResponseBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > x.maxResponseBytes) throw tooLarge();
    chunks.push(chunk);
  }
  const answerHeaders = new Headers();
  for (const [name, value] of Object.entries(res.headers))
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value])
      answerHeaders.append(name, v);
  return withJson({
    http: res.statusCode,
    url: x.url,
    headers: answerHeaders,
    text: Buffer.concat(chunks).toString('utf8'),
  });
}

/** Reads a body as UTF-8 text, at most `limit` bytes: past it (or a larger Content-Length) the request is aborted. */
export async function readCapped(
  res: Response,
  limit: number,
  url: string,
  abort: () => void,
): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  const tooLarge = () => {
    abort();
    return new ResponseTooLarge(url, limit);
  };
  if (declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      const error = tooLarge();
      await reader.cancel().catch(() => undefined);
      throw error;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * True when the answer refused our token, so that the other encoding is worth one try (OCPI 2.2.1 §4.1.2 note:
 * 2.1.1/2.2 peers expect the token raw, others Base64 even on 2.1.1). HTTP 401 is the rule (2.2.1 §4.1.2);
 * peers also answer 403, or HTTP 200 with an OCPI 2xxx client error (2.1.1 §4.1: "2000 generic client error")
 * that says so: 2000 without a message, or any 2xxx whose message speaks of the token or authorization.
 */
export function authRefused(
  http: number,
  envelope: Pick<Envelope, 'statusCode' | 'statusMessage'> | undefined,
): boolean {
  if (http === 401 || http === 403) return true;
  const code = envelope?.statusCode;
  if (http < 200 || http >= 300 || code === undefined || code < 2000 || code >= 3000) return false;
  const message = envelope?.statusMessage?.trim();
  if (!message) return code === 2000;
  return /auth|token|forbidden|denied|permission/i.test(message);
}
