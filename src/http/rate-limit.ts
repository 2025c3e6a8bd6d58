// Rate limiting per token (token bucket), in memory, per process; and the body deadline for slow clients.
//
// - An authenticated request (partner token on an OCPI route, the ingest token on an ingest route) draws from the bucket of
//   its token, keyed by the token's SHA-256 hash (the same hash the store keeps), so one partner cannot starve
//   another, and every encoding of one token (raw, Base64, Base64 + newline) shares one bucket.
// - A request without a valid token is keyed by the client IP: requests to other paths (404s, /docs,
//   /openapi.json) draw from the IP's bucket, and every 401 answered by a protected route draws from it
//   afterwards, so token guessing from one address is throttled before it costs a store lookup.
// - The health checks and /metrics are never limited (load balancers and monitors poll them): `config.unlimited`.
// - Which requests are authenticated is decided by the route that matched (auth.ts `routeAccess`).
// - A refused request gets HTTP 429, `Retry-After: <seconds>` and an OCPI envelope with status_code 2000.
//
// Limits are per process: N processes behind a load balancer allow up to N times the configured rate.
// Behind a reverse proxy every client has the proxy's IP, so the per-IP buckets then throttle the proxy as a
// whole (authenticated traffic is still limited per token), unless `--trust-proxy` (Fastify's trustProxy) makes
// request.ip the X-Forwarded-For client. The operator token (/metrics) has one bucket, like the ingest token.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hashToken } from '../service/tokens.js';
import { routeAccess } from './auth.js';
import { envelopeText, sendError, STATUS } from './envelope.js';

export interface RateLimitConfig {
  /** Sustained requests per second per token (or per IP for unauthenticated requests). */
  perSecond: number;
  /** Requests allowed in a burst (the bucket size); default 4 × perSecond, at least 1. */
  burst?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets kept at most; beyond that the least recently created idle ones are dropped (memory stays bounded). */
const MAX_BUCKETS = 100_000;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  readonly perSecond: number;
  readonly burst: number;

  constructor(
    config: RateLimitConfig,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(config.perSecond > 0) || !Number.isFinite(config.perSecond)) {
      throw new RangeError(
        `rate limit must be a positive number of requests per second, got ${config.perSecond}`,
      );
    }
    this.perSecond = config.perSecond;
    this.burst = Math.max(1, Math.floor(config.burst ?? config.perSecond * 4));
  }

  private refill(key: string): Bucket {
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= MAX_BUCKETS) this.sweep(t);
      b = { tokens: this.burst, at: t };
      this.buckets.set(key, b);
      return b;
    }
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.perSecond);
    b.at = t;
    return b;
  }

  /** Takes one token; returns 0 when allowed, else the seconds to wait before one is available. */
  take(key: string): number {
    const b = this.refill(key);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return this.wait(b);
  }

  /** Like take, but never goes below zero and never refuses: records a cost that later requests pay for. */
  charge(key: string): void {
    const b = this.refill(key);
    b.tokens = Math.max(0, b.tokens - 1);
  }

  /** Seconds until `key` may make a request (0: now), without taking anything. */
  peek(key: string): number {
    if (!this.buckets.has(key)) return 0;
    const b = this.refill(key);
    return b.tokens >= 1 ? 0 : this.wait(b);
  }

  get size(): number {
    return this.buckets.size;
  }

  private wait(b: Bucket): number {
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
  }

  /** Drops buckets that are full again (idle long enough); if none, the oldest tenth. */
  private sweep(t: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((t - b.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(k);
    }
    if (this.buckets.size < MAX_BUCKETS) return;
    let drop = Math.ceil(MAX_BUCKETS / 10);
    for (const k of this.buckets.keys()) {
      if (drop-- <= 0) break;
      this.buckets.delete(k);
    }
  }
}

function tooMany(reply: FastifyReply, seconds: number, who: string) {
  reply.header('retry-after', String(seconds));
  return sendError(
    reply,
    429,
    STATUS.CLIENT_ERROR,
    `Too many requests for this ${who}: rate limit exceeded, retry after ${seconds} s`,
  );
}

/** A route that asks for a token (decided by the route that matched, as auth.ts does). */
function isProtected(request: FastifyRequest): boolean {
  return routeAccess(request) !== 'public';
}

/**
 * Registers the limiter. Call it BEFORE the auth hook is registered: its onRequest hook (per IP) runs before
 * authentication, its preParsing hook (per token) after it and before the body is read.
 */
export function registerRateLimit(app: FastifyInstance, config: RateLimitConfig): TokenBuckets {
  const buckets = new TokenBuckets(config);
  const ipKey = (r: FastifyRequest) => `ip:${r.ip}`;

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.unlimited === true) return;
    if (isProtected(request)) {
      // Authenticated traffic is limited per token below; only an address that keeps failing is refused here.
      const wait = buckets.peek(ipKey(request));
      if (wait > 0) return tooMany(reply, wait, 'client address (too many failed authentications)');
      return;
    }
    const wait = buckets.take(ipKey(request));
    if (wait > 0) return tooMany(reply, wait, 'client address');
  });

  // Callback style: a refused request is answered without calling `done`, so its body is never read.
  app.addHook('preParsing', (request, reply, payload, done) => {
    if (isProtected(request)) {
      // Authentication passed (else the auth hook answered 401 and this hook does not run).
      const access = routeAccess(request);
      const key =
        access === 'ingest' || access === 'operator'
          ? access
          : request.ocpiToken === null
            ? undefined
            : `token:${hashToken(request.ocpiToken)}`;
      const wait = key === undefined ? 0 : buckets.take(key);
      if (wait > 0) {
        tooMany(reply, wait, 'token');
        return;
      }
    }
    done(null, payload);
  });

  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode === 401 && isProtected(request)) buckets.charge(ipKey(request));
  });
  return buckets;
}

/**
 * Node's requestTimeout cuts off a client that trickles its request line and headers, but once the headers are
 * in and the request is dispatched, a body trickled byte by byte is waited for indefinitely. This gives the body
 * the same deadline, counted from the end of the headers: an incomplete body then gets 408 + an OCPI envelope
 * and the connection is closed; the half-received request is never handled.
 */
export function registerBodyDeadline(app: FastifyInstance, ms: number): void {
  app.addHook('onRequest', (request, reply, done) => {
    const req = request.raw;
    const res = reply.raw;
    // A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 §6.3): nothing to wait for,
    // no timer (the sessions sender's GETs: one timer and two listeners less per request).
    const framed =
      req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    if (framed && !req.complete) {
      const timer = setTimeout(() => {
        if (req.complete || res.headersSent) return;
        const body = envelopeText(
          'ocpi',
          STATUS.CLIENT_ERROR,
          'Request body not received within the request timeout',
        );
        res.writeHead(408, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          connection: 'close',
        });
        res.end(body, () => req.socket.destroy());
      }, ms);
      timer.unref();
      const clear = () => clearTimeout(timer);
      req.once('end', clear);
      res.once('close', clear);
    }
    done();
  });
}
