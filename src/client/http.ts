// Outbound OCPI GET: one request with a timeout, the response envelope read tolerantly, retries with capped
// exponential backoff and full jitter, and the credentials-token encoding fallback after a 401.
import { randomUUID } from 'node:crypto';
import type { TokenEncoding } from '../domain/party.js';
import { encodeToken } from '../service/tokens.js';

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

/** Why a pull stopped: `auth` (401 with both token encodings), `gave-up` (retry budget spent), `http`
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

/** The OCPI response envelope (2.1.1 transport_and_format, Response format / 2.2.1 §4.1.6), either key style. */
export interface Envelope {
  data: unknown;
  statusCode?: number;
  statusMessage?: string;
  /** `camel` when the envelope used `statusCode` (the documented camelCase format). */
  style: 'ocpi' | 'camel';
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

/** Reads the envelope of either key style; undefined when the body is not an object. */
export function readEnvelope(json: unknown): Envelope | undefined {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const o = json as Record<string, unknown>;
  const camel = !('status_code' in o) && 'statusCode' in o;
  const code = camel ? o.statusCode : o.status_code;
  const message = camel ? o.statusMessage : o.status_message;
  return {
    data: o.data,
    statusCode:
      typeof code === 'number' ? code : typeof code === 'string' && /^\d+$/.test(code) ? +code : undefined,
    statusMessage: typeof message === 'string' ? message : undefined,
    style: camel ? 'camel' : 'ocpi',
  };
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
  /** Requests repeated with the other token encoding after a 401. */
  authFallbacks = 0;
  private confirmed: TokenEncoding | undefined;
  private triedOtherEncoding = false;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly options: HttpClientOptions) {
    this.encoding = options.encoding;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.fetchFn = options.fetch ?? fetch;
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
    let res: Response;
    let text: string;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = outer ? AbortSignal.any([timeout, outer]) : timeout;
    try {
      res = await this.fetchFn(url, {
        method: 'GET',
        headers: {
          // OCPI 2.2.1 §4.1.2: `Authorization: Token <Base64(token)>`; 2.1.1 peers take the token raw.
          authorization: `Token ${encodeToken(this.options.token, this.encoding)}`,
          accept: 'application/json',
          'x-request-id': randomUUID(),
          'x-correlation-id': correlationId,
          ...this.options.headers?.(),
        },
        signal,
      });
      // The timeout covers the body too: a peer that stalls mid-body is a timeout, not a hang.
      text = await res.text();
    } catch (e) {
      if (outer?.aborted) throw new OcpiHttpError('aborted', url, `GET ${url} aborted`);
      return { retryReason: describeFailure(e, timeout, this.timeoutMs) };
    }
    const status = res.status;
    if (status === 401) {
      // OCPI 2.2.1-d2 §4.1.2 note: 2.1.1/2.2 peers often expect the token raw; others Base64 even on 2.1.1.
      // One switch to the other encoding per pull; a second 401 is final.
      if (!this.triedOtherEncoding) {
        this.triedOtherEncoding = true;
        this.encoding = this.encoding === 'raw' ? 'base64' : 'raw';
        this.authFallbacks += 1;
        return {};
      }
      throw new OcpiHttpError(
        'auth',
        url,
        `HTTP 401 Unauthorized from ${url} with the token sent both Base64-encoded and raw: check --token`,
        401,
      );
    }
    if (status === 429 || status >= 500) {
      return {
        retryReason: `HTTP ${status}`,
        retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.now()),
      };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // A 2xx with a body that is not JSON: a proxy page or a truncated write. Worth another try.
      if (status >= 200 && status < 300)
        return { retryReason: `HTTP ${status} with a body that is not JSON` };
      throw new OcpiHttpError('http', url, `HTTP ${status} from ${url}: ${snippet(text)}`, status);
    }
    const envelope = readEnvelope(json);
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
    return { response: { url: res.url || url, status, headers: res.headers, envelope } };
  }
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
