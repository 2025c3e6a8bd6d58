// The access log: one line per answered request at level info, instead of Fastify's two ("incoming request",
// "request completed"). The line's `requestId` is the X-Request-ID we echo (transport-headers.ts `requestIdOf` is
// Fastify's genReqId), beside the X-Correlation-ID we echo, the route pattern that matched (never the raw URL,
// which may carry tokens in a query), the partner's party key and the client address (req.ip: the
// X-Forwarded-For client only with --trust-proxy).
import type { FastifyInstance } from 'fastify';
import { routeOf } from './metrics.js';

/** Levels at which the access log is written (info and more verbose). */
const ACCESS_LEVELS = new Set(['info', 'debug', 'trace']);

/** Adds the access log when the server's logger writes info lines (else no hook: nothing to pay per request). */
export function registerAccessLog(app: FastifyInstance): void {
  if (!ACCESS_LEVELS.has(app.log.level)) return;
  app.addHook('onResponse', async (request, reply) => {
    const length = Number(reply.getHeader('content-length'));
    request.log.info(
      {
        method: request.method,
        route: routeOf(request),
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        ...(Number.isFinite(length) ? { bytes: length } : {}),
        ...(request.partner?.key ? { partner: request.partner.key } : {}),
        correlationId: reply.getHeader('x-correlation-id'),
        ip: request.ip,
      },
      'request',
    );
  });
}
