// `--metrics-port`: GET /metrics on a port of its own, without a token (bound to 127.0.0.1 unless --metrics-host
// says otherwise: whoever reaches that port reads the metrics). Everything else answers 404 in an OCPI envelope.
import Fastify, { type FastifyInstance } from 'fastify';
import { registerErrorHandling } from '../http/errors.js';
import type { Metrics } from '../http/metrics.js';
import { registerMetricsRoute } from '../http/routes/metrics.js';

export async function buildMetricsServer(metrics: Metrics): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, return503OnClosing: true });
  registerErrorHandling(app);
  registerMetricsRoute(app, metrics, 'public');
  await app.ready();
  return app;
}
