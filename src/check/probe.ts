// The check's requests: every one through the one outbound transport (client/transport.ts `send`: timeout,
// response size cap, request ids), no retries and no encoding fallback (the check wants to see what the peer
// answers), at most `maxRequests` of them, spaced at least `paceMs` apart. Each answer is kept as Evidence. GETs
// only, except the receiver checks' PUT/PATCH of their test session (`--write`).
import type { TokenEncoding } from '../domain/party.js';
import { send, type OcpiAnswer } from '../client/transport.js';
import type { Evidence } from './model.js';

export interface ProbeOptions {
  token: string;
  maxRequests: number;
  /** Minimum time between two requests (politeness). */
  paceMs: number;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Told after each request (progress on a terminal). */
  onRequest?: (made: number, max: number, url: string) => void;
}

/** The request budget is spent: the checks that still needed a request are not determined. */
export class BudgetSpent extends Error {
  constructor(readonly max: number) {
    super(`the request budget (--max-requests ${max}) is spent`);
  }
}

/** One GET and its answer (undefined when none came: `evidence.error` says why). */
export interface Probe {
  url: string;
  answer?: OcpiAnswer;
  ms: number;
  evidence: Evidence;
}

const SHOWN_HEADERS = ['x-total-count', 'x-limit', 'link'];
const EXCERPT_CHARS = 400;

export class Prober {
  made = 0;
  private last = 0;

  constructor(private readonly o: ProbeOptions) {}

  get remaining(): number {
    return this.o.maxRequests - this.made;
  }

  get max(): number {
    return this.o.maxRequests;
  }

  /** GET `url` with our token in `encoding` (or `token` instead, for the wrong-token probe). */
  get(url: string, encoding: TokenEncoding, token = this.o.token): Promise<Probe> {
    return this.request('GET', url, encoding, { token });
  }

  async request(
    method: 'GET' | 'PUT' | 'PATCH',
    url: string,
    encoding: TokenEncoding,
    { token = this.o.token, body }: { token?: string; body?: unknown } = {},
  ): Promise<Probe> {
    if (this.made >= this.o.maxRequests) throw new BudgetSpent(this.o.maxRequests);
    const wait = this.last + this.o.paceMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.made += 1;
    this.o.onRequest?.(this.made, this.o.maxRequests, url);
    const started = performance.now();
    const evidence: Evidence = { request: `${method} ${url}` };
    let answer: OcpiAnswer | undefined;
    try {
      answer = await send({
        method,
        url,
        token,
        body,
        encoding,
        fallback: false,
        timeoutMs: this.o.timeoutMs,
        maxResponseBytes: this.o.maxResponseBytes,
      });
    } catch (e) {
      evidence.error = describe(e);
    }
    const ms = Math.round(performance.now() - started);
    this.last = Date.now();
    evidence.ms = ms;
    if (answer) {
      evidence.status = answer.http;
      const headers: Record<string, string> = {};
      for (const h of SHOWN_HEADERS) {
        const v = answer.headers.get(h);
        if (v !== null) headers[h] = v;
      }
      if (Object.keys(headers).length > 0) evidence.headers = headers;
      evidence.excerpt = excerpt(answer.text);
    }
    return { url, answer, ms, evidence };
  }
}

export function excerpt(text: string, max = EXCERPT_CHARS): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

function describe(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return `${err.message ?? String(e)}${cause ? ` (${cause})` : ''}`;
}
