// GET /metrics: the Prometheus text exposition (metrics.ts). Operator access (auth.ts): the token given to the
// server with --metrics-token / METRICS_TOKEN; partner and ingest tokens never open it. `--metrics-port` serves
// the same handler on a port of its own without a token (src/app/metrics-server.ts).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RouteAccess } from '../types.js';
import type { Metrics } from '../metrics.js';

export const METRICS_PATH = '/metrics';

export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics, access: RouteAccess): void {
  app.get(
    METRICS_PATH,
    {
      config: { access, unlimited: true },
      schema: {
        summary: 'Prometheus metrics',
        description:
          'The Prometheus text format (prom-client): requests and latency per route and status, pages served ' +
          'per partner, the outbox per partner (pending, oldest age, failures), pull runs and pulled objects ' +
          'per partner, store errors, process metrics. Needs the operator token (`--metrics-token`, sent as ' +
          '`Authorization: Bearer <token>` or `Token <token>`); partner tokens are refused. With ' +
          '`--metrics-port` the same is served without a token on a port of its own (127.0.0.1 by default).',
        tags: ['operations'],
        response: {
          200: {
            description: 'Prometheus text exposition format 0.0.4',
            content: { 'text/plain; version=0.0.4; charset=utf-8': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (_request, reply) => sendMetrics(reply, metrics),
  );
}

export async function sendMetrics(reply: FastifyReply, metrics: Metrics): Promise<FastifyReply> {
  const text = await metrics.text();
  return reply.code(200).header('content-type', metrics.contentType).send(text);
}
