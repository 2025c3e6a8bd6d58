// The one outbound OCPI transport: registration, push and pull make every call through `send`. Each attempt is one
// exchange (exchange.ts: the token in an encoding, the OCPI 2.2.1 §4.1.4 request ids, a timeout, a response size
// cap, the envelope read tolerantly). On top of it:
// - the token-encoding fallback: when the peer refused the token (the one rule, exchange.ts authRefused), the call
//   is repeated at once in the other encoding (OCPI 2.2.1 §4.1.2 compatibility note), once;
// - with a retry policy (the pull), retries of what may pass (connection failures, timeouts, HTTP 429/5xx, OCPI
//   3xxx) with capped exponential backoff and full jitter, within a total budget. Without one (registration,
//   push), one attempt per encoding, and the answer or the failure goes back to the caller as it is.
// `OcpiClient` is a conversation of GETs with one peer (the pull): one fallback per conversation, success answers
// only (else OcpiHttpError), and a callback when the accepted encoding is confirmed or changes.
import { randomUUID } from 'node:crypto';
import type { TokenEncoding } from '../domain/party.js';
import { otherEncoding } from '../domain/token-encoding.js';
import type { Envelope } from './envelope.js';
import { PeerAddressDenied } from './peer-address.js';
import {
  authRefused,
  DEFAULT_MAX_RESPONSE_BYTES,
  exchange,
  ResponseTooLarge,
  type ExchangeRequest,
  type Exchanged,
} from './exchange.js';

export interface RetryPolicy {
  /** Retries of one call before giving up (so at most retries + 1 attempts). */
  retries: number;
  /** First backoff ceiling; doubles per retry ... */
  baseMs: number;
  /** ... up to this cap. */
  maxMs: number;
  /** Total time one call may take, retries and waits included, before giving up. */
  budgetMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 8, baseMs: 500, maxMs: 30_000, budgetMs: 300_000 };
/** Per attempt, for a call that gives no timeout (registration, push). */
export const DEFAULT_CALL_TIMEOUT_MS = 15_000;
/** Per attempt of a pull's GET. */
export const DEFAULT_PULL_TIMEOUT_MS = 30_000;
/** A page of up to 1000 sessions with full 2.1.1 locations stays well below this. */
export const DEFAULT_PULL_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** Why a call stopped: `auth` (the token refused in both encodings), `gave-up` (retry budget spent), `http`
 * (a non-retryable HTTP status), `ocpi` (an OCPI client-error status code), `protocol` (a response we cannot use),
 * `aborted` (the caller no longer wants the answer). */
export type HttpErrorKind = 'auth' | 'gave-up' | 'http' | 'ocpi' | 'protocol' | 'aborted';

export class OcpiHttpError extends Error {
  constructor(
    readonly kind: HttpErrorKind,
    readonly url: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface RetryInfo {
  url: string;
  /** 1 for the first retry of this call. */
  attempt: number;
  delayMs: number;
  reason: string;
  /** The HTTP status of the answer retried (none: no answer, a connection failure or timeout). */
  status?: number;
}

/** Test seams: the network, waiting, randomness and the clock. */
export interface TransportSeams {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface OcpiCall extends TransportSeams {
  method: ExchangeRequest['method'];
  url: string;
  token: string;
  /** The encoding to send the token in first. */
  encoding: TokenEncoding;
  body?: unknown;
  /** ExchangeRequest.bodyJson: the body as JSON text already. */
  bodyJson?: string;
  /** ExchangeRequest.direct: undici's request instead of fetch (no redirects followed). */
  direct?: boolean;
  /** Extra headers, e.g. OCPI 2.2.1 §4.2 routing headers. */
  headers?: Record<string, string>;
  /** X-Correlation-ID of the operation this call belongs to (OCPI 2.2.1 §4.1.4), kept for every attempt; a new
   * one when absent. */
  correlationId?: string;
  /** Per attempt (default DEFAULT_CALL_TIMEOUT_MS); it covers the body too. */
  timeoutMs?: number;
  /** Response size cap (default DEFAULT_MAX_RESPONSE_BYTES): a larger answer is aborted, never retried. */
  maxResponseBytes?: number;
  /** The URL came from a peer: refuse private, loopback and link-local addresses (`--deny-private-peers`). */
  denyPrivatePeers?: boolean;
  signal?: AbortSignal;
  /** Absent: no retries; a connection failure or timeout is thrown as it is. */
  retry?: RetryPolicy;
  /** Repeat once in the other encoding when the token is refused (default true). */
  fallback?: boolean;
  /** Told the encoding the fallback switched to, before the repeat. */
  onFallback?: (encoding: TokenEncoding) => void;
  onRetry?: (info: RetryInfo) => void;
}

/** An answer: what the exchange read (exchange.ts), the envelope's fields, and the encoding used. */
export interface OcpiAnswer extends Exchanged {
  /** The envelope's status_code (or statusCode), status message and data, when the body was an envelope. */
  statusCode?: number;
  statusMessage?: string;
  data?: unknown;
  /** The encoding that was used for this answer. */
  encoding: TokenEncoding;
}

/** A success answer of a GET: HTTP 2xx with an envelope whose status code (if any) is 1xxx. */
export interface OcpiResponse {
  /** The URL that answered (after redirects): relative links resolve against it. */
  url: string;
  status: number;
  headers: Headers;
  envelope: Envelope;
}

/** Full jitter (a uniform wait in [0, min(cap, base · 2^attempt)]): spreads clients that failed together. */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date; milliseconds to wait, or undefined. */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** The peer refused the token of this answer (the one rule, see exchange.ts authRefused). */
export function refused(a: Pick<OcpiAnswer, 'http' | 'statusCode' | 'statusMessage'>): boolean {
  return authRefused(a.http, a);
}

/** Success per OCPI: a 2xx answer whose envelope (if any) carries a 1xxx status. */
export function succeeded(a: OcpiAnswer): boolean {
  return (
    a.http >= 200 &&
    a.http < 300 &&
    (a.statusCode === undefined || (a.statusCode >= 1000 && a.statusCode < 2000))
  );
}

interface Retry {
  reason: string;
  afterMs?: number;
}

/** One attempt: the answer, and with a retry policy why it is worth another (no answer: a connection failure). */
interface Attempt {
  answer?: OcpiAnswer;
  retry?: Retry;
}

/** Performs one call: the token-encoding fallback and, with `retry`, retries (see top of file). */
export async function send(call: OcpiCall): Promise<OcpiAnswer> {
  // OCPI 2.2.1 §4.2 (Unique message IDs): X-Correlation-ID is kept for every attempt of one call, X-Request-ID
  // is new for each (exchange.ts).
  const correlationId = call.correlationId ?? randomUUID();
  const now = call.now ?? Date.now;
  const started = now();
  let encoding = call.encoding;
  let fallback = call.fallback ?? true;
  let retries = 0;
  for (;;) {
    if (call.signal?.aborted) throw aborted(call);
    const a = await attempt(call, encoding, correlationId, now);
    if (a.answer && fallback && refused(a.answer)) {
      // Not a retry: at once, and not counted.
      fallback = false;
      encoding = otherEncoding(encoding);
      call.onFallback?.(encoding);
      continue;
    }
    if (!a.retry || !call.retry) return a.answer!;
    const policy = call.retry;
    const reason = a.retry.reason;
    const what = `${call.method} ${call.url}`;
    if (retries >= policy.retries)
      throw new OcpiHttpError(
        'gave-up',
        call.url,
        `giving up on ${what} after ${retries + 1} attempts (last: ${reason})`,
      );
    const delay = a.retry.afterMs ?? backoffDelay(retries, policy, call.random);
    if (now() - started + delay > policy.budgetMs)
      throw new OcpiHttpError(
        'gave-up',
        call.url,
        `giving up on ${what} after ${retries + 1} attempts: the retry budget of ${policy.budgetMs} ms ` +
          `would be exceeded (last: ${reason}${a.retry.afterMs !== undefined ? `, Retry-After ${a.retry.afterMs} ms` : ''})`,
      );
    retries += 1;
    call.onRetry?.({ url: call.url, attempt: retries, delayMs: delay, reason, status: a.answer?.http });
    await abortable((call.sleep ?? wait)(delay), call.signal);
  }
}

async function attempt(
  call: OcpiCall,
  encoding: TokenEncoding,
  correlationId: string,
  now: () => number,
): Promise<Attempt> {
  const timeoutMs = call.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  let x: Exchanged;
  try {
    x = await exchange({
      method: call.method,
      url: call.url,
      token: call.token,
      encoding,
      correlationId,
      body: call.body,
      bodyJson: call.bodyJson,
      direct: call.direct,
      headers: call.headers,
      timeoutMs,
      maxResponseBytes: call.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      denyPrivatePeers: call.denyPrivatePeers,
      signal: call.signal ? AbortSignal.any([timeout, call.signal]) : timeout,
      fetch: call.fetch,
    });
  } catch (e) {
    if (call.signal?.aborted) throw aborted(call);
    // Not retried: the same answer would be as large again.
    if (e instanceof ResponseTooLarge) throw new OcpiHttpError('protocol', call.url, e.message);
    // Not retried either: the address would be refused again (the error as without retries: cause EPEERDENIED).
    if (!call.retry || (e as { cause?: unknown }).cause instanceof PeerAddressDenied) throw e;
    return { retry: { reason: describeFailure(e, timeout, timeoutMs) } };
  }
  const answer: OcpiAnswer = {
    http: x.http,
    url: x.url,
    headers: x.headers,
    text: x.text,
    json: x.json,
    encoding,
  };
  if (x.envelope)
    Object.assign(answer, {
      envelope: x.envelope,
      statusCode: x.envelope.statusCode,
      statusMessage: x.envelope.statusMessage,
      data: x.envelope.data,
    });
  return call.retry ? { answer, retry: retryable(call.url, answer, now()) } : { answer };
}

/** Why an answer is worth another try, or undefined. */
function retryable(url: string, a: OcpiAnswer, now: number): Retry | undefined {
  if (refused(a)) return undefined;
  if (a.http === 429 || a.http >= 500)
    return { reason: `HTTP ${a.http}`, afterMs: parseRetryAfter(a.headers.get('retry-after'), now) };
  if (a.http < 200 || a.http >= 300) return undefined;
  // A 2xx with a body that is not JSON: a proxy page or a truncated write.
  if (a.json === undefined) return { reason: `HTTP ${a.http} with a body that is not JSON` };
  const code = a.statusCode;
  // OCPI 2.2.1 §5 (Status codes): 3xxx server errors (and hub 4002 timeout / 4003 connection problem) may pass;
  // 2xxx will not.
  if (a.envelope && code !== undefined && ((code >= 3000 && code < 4000) || code === 4002 || code === 4003))
    return { reason: ocpiStatus(url, a) };
  return undefined;
}

/**
 * The success answer of a GET of `url`, or the OcpiHttpError that says why it is not one. A refused answer
 * reaching here was refused in both encodings (the fallback is spent).
 */
export function expectSuccess(url: string, a: OcpiAnswer): OcpiResponse {
  const { http: status, envelope } = a;
  if (refused(a)) {
    const why = status === 401 ? 'HTTP 401 Unauthorized' : `HTTP ${status}${statusText(envelope)}`;
    throw new OcpiHttpError(
      'auth',
      url,
      `${why} from ${url} with the token sent both Base64-encoded and raw: check --token`,
      status,
    );
  }
  if (a.json === undefined)
    throw new OcpiHttpError('http', url, `HTTP ${status} from ${url}: ${snippet(a.text)}`, status);
  if (status < 200 || status >= 300) {
    const msg = envelope?.statusMessage ? `: ${envelope.statusCode ?? ''} ${envelope.statusMessage}` : '';
    throw new OcpiHttpError('http', url, `HTTP ${status} from ${url}${msg}`, status);
  }
  if (!envelope)
    throw new OcpiHttpError(
      'protocol',
      url,
      `response from ${url} is not an OCPI envelope: ${snippet(a.text)}`,
    );
  const code = envelope.statusCode;
  if (code !== undefined && (code < 1000 || code >= 2000))
    throw new OcpiHttpError('ocpi', url, ocpiStatus(url, a), status);
  return { url: a.url, status, headers: a.headers, envelope };
}

export interface OcpiClientOptions extends TransportSeams {
  token: string;
  /** Encoding to start with (remembered, or the version's default). */
  encoding: TokenEncoding;
  /** Per attempt (default DEFAULT_PULL_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Response size cap (default DEFAULT_PULL_MAX_RESPONSE_BYTES): a larger answer stops the pull. */
  maxResponseBytes?: number;
  /** Default DEFAULT_RETRY. */
  retry?: RetryPolicy;
  /** Extra request headers (e.g. OCPI 2.2.1 routing headers), computed per request. */
  headers?: () => Record<string, string>;
  /** The URLs came from a peer: refuse private, loopback and link-local addresses (`--deny-private-peers`). */
  denyPrivatePeers?: boolean;
  /** Called with the encoding the peer accepted, on the first success and whenever it changes. */
  onEncodingConfirmed?: (encoding: TokenEncoding) => void | Promise<void>;
  onRetry?: (info: RetryInfo) => void;
}

/** GETs from one peer with one token (the pull): retries, one encoding fallback per client, success only. */
export class OcpiClient {
  encoding: TokenEncoding;
  /** Retries done so far (all requests). */
  retries = 0;
  /** Requests repeated with the other token encoding after the peer refused the token. */
  authFallbacks = 0;
  private confirmed: TokenEncoding | undefined;
  private switched = false;

  constructor(private readonly o: OcpiClientOptions) {
    this.encoding = o.encoding;
  }

  /** GET `url`; resolves with a success answer (OCPI 1xxx, or no status code), else throws OcpiHttpError. */
  async get(url: string, signal?: AbortSignal): Promise<OcpiResponse> {
    const { o } = this;
    const answer = await send({
      method: 'GET',
      url,
      token: o.token,
      encoding: this.encoding,
      headers: o.headers?.(),
      timeoutMs: o.timeoutMs ?? DEFAULT_PULL_TIMEOUT_MS,
      maxResponseBytes: o.maxResponseBytes ?? DEFAULT_PULL_MAX_RESPONSE_BYTES,
      retry: o.retry ?? DEFAULT_RETRY,
      denyPrivatePeers: o.denyPrivatePeers,
      signal,
      // One switch to the other encoding per client; a second refusal is final.
      fallback: !this.switched,
      onFallback: (encoding) => {
        this.switched = true;
        this.encoding = encoding;
        this.authFallbacks += 1;
      },
      onRetry: (info) => {
        this.retries += 1;
        o.onRetry?.(info);
      },
      fetch: o.fetch,
      sleep: o.sleep,
      random: o.random,
      now: o.now,
    });
    const response = expectSuccess(url, answer);
    if (this.confirmed !== this.encoding) {
      this.confirmed = this.encoding;
      await o.onEncodingConfirmed?.(this.encoding);
    }
    return response;
  }
}

function aborted(call: OcpiCall): OcpiHttpError {
  return new OcpiHttpError('aborted', call.url, `${call.method} ${call.url} aborted`);
}

function ocpiStatus(url: string, a: OcpiAnswer): string {
  return `OCPI status ${a.statusCode}${a.statusMessage ? ` (${a.statusMessage})` : ''} from ${url}`;
}

function statusText(envelope: Envelope | undefined): string {
  if (envelope?.statusCode === undefined) return '';
  return ` (OCPI ${envelope.statusCode}${envelope.statusMessage ? ` ${envelope.statusMessage}` : ''})`;
}

function wait(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves with `p`, or as soon as `signal` aborts (the wait is then cut short). */
function abortable(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done);
    p.then(done, done);
  });
}

function describeFailure(e: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted) return `timeout after ${timeoutMs} ms`;
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return `connection error: ${err.message ?? String(e)}${cause ? ` (${cause})` : ''}`;
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 120 ? `${t.slice(0, 120)}…` : t || '(empty body)';
}
