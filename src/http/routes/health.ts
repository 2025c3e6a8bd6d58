import type { FastifyInstance } from 'fastify';
import type { SessionStore } from '../../store/contract.js';
import { sendEnvelope, STATUS } from '../envelope.js';
import { HealthDownSchema, HealthUpSchema } from '../openapi/schemas.js';

/** GET /health: 200 when the store answers, 503 otherwise. */
export function registerHealth(app: FastifyInstance, store: SessionStore): void {
  app.get(
    '/health',
    {
      config: { access: 'public', unlimited: true },
      schema: {
        summary: 'Liveness and store reachability',
        description: 'No token needed. 200 when the store answers, 503 when it does not.',
        tags: ['operations'],
        response: { 200: HealthUpSchema, 503: HealthDownSchema },
      },
    },
    async (_req, reply) => {
      let outbox: number;
      try {
        await store.ping();
        outbox = await store.outboxDepth();
      } catch {
        return sendEnvelope(
          reply,
          503,
          STATUS.SERVER_ERROR,
          'Store unreachable',
          JSON.stringify({ store: 'down' }),
        );
      }
      return sendEnvelope(
        reply,
        200,
        STATUS.SUCCESS,
        'OK',
        JSON.stringify({ store: store.kind, status: 'up', outbox }),
      );
    },
  );
}
