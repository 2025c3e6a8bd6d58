// Outbound OCPI GET: one request with a timeout and a response size cap (exchange.ts), the response envelope read
// tolerantly, retries with capped exponential backoff and full jitter, and the credentials-token encoding
// fallback when the peer refuses the token (the rule of exchange.ts authRefused).
import { randomUUID } from 'node:crypto';
import type { TokenEncoding } from '../domain/party.js';
import { otherEncoding } from '../domain/token-encoding.js';
import { type Envelope } from './envelope.js';
import { authRefused, exchange, ResponseTooLarge, type Exchanged } from './exchange.js';

export interface RetryPolicy {
  /** Retries of one request before giving up (so at most retries + 1 attempts). */
  retries: number;
  /** First backoff ceiling; doubles per retry ... */
  baseMs: number;
  /** ... up to this cap. */
  maxMs: number;
  /** Total time one request may take, retries and waits included, before giving up. */
  budgetMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 8, baseMs: 500, maxMs: 30_000, budgetMs: 300_000 };
export const DEFAULT_TIMEOUT_MS = 30_000;
/** A page of up to 1000 sessions with full 2.1.1 locations stays well below this. */
export const DEFAULT_PULL_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** Why a pull stopped: `auth` (the token refused in both encodings), `gave-up` (retry budget spent), `http`
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

export interface OcpiResponse {
  /** The URL that answered (after redirects): relative links resolve against it. */
  url: string;
  status: number;
  headers: Headers;
  envelope: Envelope;
}

export interface RetryInfo {
  url: string;
  /** 1 for the first retry of this request. */
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface HttpClientOptions {
  token: string;
  /** Encoding to start with (remembered, or the version's default). */
  encoding: TokenEncoding;
  timeoutMs?: number;
  /** Response size cap (default DEFAULT_PULL_MAX_RESPONSE_BYTES): a larger answer stops the pull. */
  maxResponseBytes?: number;
  retry?: RetryPolicy;
  /** Extra request headers (e.g. OCPI 2.2.1 routing headers), computed per request. */
  headers?: () => Record<string, string>;
  /** Called with the encoding the peer accepted, on the first success and whenever it changes. */
  onEncodingConfirmed?: (encoding: TokenEncoding) => void | Promise<void>;
  onRetry?: (info: RetryInfo) => void;
  /** Test seams. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
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

interface Attempt {
  response?: OcpiResponse;
  retryReason?: string;
  retryAfterMs?: number;
}

export class OcpiHttpClient {
  encoding: TokenEncoding;
  /** Retries done so far (all requests). */
  retries = 0;
  /** Requests repeated with the other token encoding after the peer refused the token. */
  authFallbacks = 0;
  private confirmed: TokenEncoding | undefined;
  private triedOtherEncoding = false;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly retry: RetryPolicy;
  private readonly fetchFn: typeof fetch | undefined;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly options: HttpClientOptions) {
    this.encoding = options.encoding;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_PULL_MAX_RESPONSE_BYTES;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.fetchFn = options.fetch; // undefined: exchange.ts's own
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** GET `url`; resolves with a success envelope (OCPI 1xxx, or no status code), else throws OcpiHttpError. */
  async get(url: string, signal?: AbortSignal): Promise<OcpiResponse> {
    const started = this.now();
    // OCPI 2.2.1 §4.2 (Unique message IDs): X-Correlation-ID is kept for every attempt of one logical request,
    // X-Request-ID is new for each.
    const correlationId = randomUUID();
    let retry = 0;
    let lastReason = '';
    for (;;) {
      if (signal?.aborted) throw new OcpiHttpError('aborted', url, `GET ${url} aborted`);
      const a = await this.attempt(url, correlationId, signal);
      if (a.response) {
        if (this.confirmed !== this.encoding) {
          this.confirmed = this.encoding;
          await this.options.onEncodingConfirmed?.(this.encoding);
        }
        return a.response;
      }
      if (a.retryReason === undefined) continue; // token encoding switched: repeat at once
      lastReason = a.retryReason;
      if (retry >= this.retry.retries) {
        throw new OcpiHttpError(
          'gave-up',
          url,
          `giving up on GET ${url} after ${retry + 1} attempts (last: ${lastReason})`,
        );
      }
      const delay = a.retryAfterMs ?? backoffDelay(retry, this.retry, this.random);
      if (this.now() - started + delay > this.retry.budgetMs) {
        throw new OcpiHttpError(
          'gave-up',
          url,
          `giving up on GET ${url} after ${retry + 1} attempts: the retry budget of ${this.retry.budgetMs} ms ` +
            `would be exceeded (last: ${lastReason}${a.retryAfterMs !== undefined ? `, Retry-After ${a.retryAfterMs} ms` : ''})`,
        );
      }
      retry += 1;
      this.retries += 1;
      this.options.onRetry?.({ url, attempt: retry, delayMs: delay, reason: lastReason });
      await abortable(this.sleep(delay), signal);
    }
  }

  private async attempt(url: string, correlationId: string, outer?: AbortSignal): Promise<Attempt> {
    let x: Exchanged;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    try {
      x = await exchange({
        method: 'GET',
        url,
        token: this.options.token,
        encoding: this.encoding,
        correlationId,
        headers: this.options.headers?.(),
        timeoutMs: this.timeoutMs,
        maxResponseBytes: this.maxResponseBytes,
        signal: outer ? AbortSignal.any([timeout, outer]) : timeout,
        fetch: this.fetchFn,
      });
    } catch (e) {
      if (outer?.aborted) throw new OcpiHttpError('aborted', url, `GET ${url} aborted`);
      // Not retried: the same page would be as large again.
      if (e instanceof ResponseTooLarge) throw new OcpiHttpError('protocol', url, e.message);
      return { retryReason: describeFailure(e, timeout, this.timeoutMs) };
    }
    const { http: status, envelope, text } = x;
    if (authRefused(status, envelope)) {
      // One switch to the other encoding per pull; a second refusal is final.
      if (!this.triedOtherEncoding) {
        this.triedOtherEncoding = true;
        this.encoding = otherEncoding(this.encoding);
        this.authFallbacks += 1;
        return {};
      }
      const why = status === 401 ? 'HTTP 401 Unauthorized' : `HTTP ${status}${statusText(envelope)}`;
      throw new OcpiHttpError(
        'auth',
        url,
        `${why} from ${url} with the token sent both Base64-encoded and raw: check --token`,
        status,
      );
    }
    if (status === 429 || status >= 500) {
      return {
        retryReason: `HTTP ${status}`,
        retryAfterMs: parseRetryAfter(x.headers.get('retry-after'), this.now()),
      };
    }
    if (x.json === undefined) {
      // A 2xx with a body that is not JSON: a proxy page or a truncated write. Worth another try.
      if (status >= 200 && status < 300)
        return { retryReason: `HTTP ${status} with a body that is not JSON` };
      throw new OcpiHttpError('http', url, `HTTP ${status} from ${url}: ${snippet(text)}`, status);
    }
    if (status < 200 || status >= 300) {
      const msg = envelope?.statusMessage ? `: ${envelope.statusCode ?? ''} ${envelope.statusMessage}` : '';
      throw new OcpiHttpError('http', url, `HTTP ${status} from ${url}${msg}`, status);
    }
    if (!envelope) {
      throw new OcpiHttpError(
        'protocol',
        url,
        `response from ${url} is not an OCPI envelope: ${snippet(text)}`,
      );
    }
    const code = envelope.statusCode;
    if (code !== undefined && (code < 1000 || code >= 2000)) {
      const message = `OCPI status ${code}${envelope.statusMessage ? ` (${envelope.statusMessage})` : ''} from ${url}`;
      // OCPI 2.2.1 §5 (Status codes): 3xxx server errors (and hub 4002 timeout / 4003 connection problem) may pass; 2xxx will not.
      if ((code >= 3000 && code < 4000) || code === 4002 || code === 4003) return { retryReason: message };
      throw new OcpiHttpError('ocpi', url, message, status);
    }
    return { response: { url: x.url, status, headers: x.headers, envelope } };
  }
}

function statusText(envelope: Envelope | undefined): string {
  if (envelope?.statusCode === undefined) return '';
  return ` (OCPI ${envelope.statusCode}${envelope.statusMessage ? ` ${envelope.statusMessage}` : ''})`;
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
