// Health checks, public and never rate limited (config.unlimited: load balancers and monitors poll them):
// - GET /health/live: liveness; never touches the store (200 while the process serves requests);
// - GET /health/ready: readiness; 200 when the store answers a ping, else 503 + OCPI 3000;
// - GET /health: store ping, the outbox depth (a bounded count) and the push lanes' summary (paused and failing
//   partners, last success, last error: the small push_lanes table); 503 when the store fails; the version.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { packageVersion } from '../../service/version.js';
import type { LaneState, SessionStore } from '../../store/contract.js';
import { sendEnvelope, STATUS } from '../envelope.js';
import {
  HEALTH_OUTBOX_LIMIT,
  HealthDownSchema,
  HealthLiveSchema,
  HealthReadySchema,
  HealthUpSchema,
} from '../openapi/schemas.js';

const PUBLIC = { access: 'public', unlimited: true } as const;

/** `storeFault`: told of each check that found the store failing (metrics.ts counts them). */
export function registerHealth(
  app: FastifyInstance,
  store: SessionStore,
  storeFault: (request: FastifyRequest) => void = () => undefined,
): void {
  const down = (request: FastifyRequest, reply: FastifyReply) => {
    storeFault(request);
    return sendEnvelope(
      reply,
      503,
      STATUS.SERVER_ERROR,
      'Store unreachable',
      JSON.stringify({ store: 'down' }),
    );
  };

  app.get(
    '/health',
    {
      config: PUBLIC,
      schema: {
        summary: 'Store reachability, outbox depth, push lanes and version',
        description:
          `No token needed. 200 when the store answers (with the outbox depth, counted up to ${HEALTH_OUTBOX_LIMIT}, ` +
          'and the push lanes: paused and failing partners, last success, last error), 503 when it does not. ' +
          'For traffic decisions prefer /health/live and /health/ready.',
        tags: ['operations'],
        response: { 200: HealthUpSchema, 503: HealthDownSchema },
      },
    },
    async (request, reply) => {
      let outbox: number;
      let lanes: LaneState[];
      try {
        await store.ping();
        outbox = await store.outboxDepth(HEALTH_OUTBOX_LIMIT);
        lanes = await store.laneStates();
      } catch {
        return down(request, reply);
      }
      const data = {
        store: store.kind,
        status: 'up',
        outbox,
        outboxTruncated: outbox >= HEALTH_OUTBOX_LIMIT,
        push: pushSummary(lanes, Date.now()),
        version: packageVersion(),
      };
      return sendEnvelope(reply, 200, STATUS.SUCCESS, 'OK', JSON.stringify(data));
    },
  );

  app.get(
    '/health/live',
    {
      config: PUBLIC,
      schema: {
        summary: 'Liveness: the process runs',
        description:
          'No token needed. Always 200 while the process serves requests; the store is not asked, so a store ' +
          'outage does not make an orchestrator restart a healthy process (use /health/ready for traffic).',
        tags: ['operations'],
        response: { 200: HealthLiveSchema },
      },
    },
    async (_request, reply) =>
      sendEnvelope(
        reply,
        200,
        STATUS.SUCCESS,
        'OK',
        JSON.stringify({ status: 'up', version: packageVersion() }),
      ),
  );

  app.get(
    '/health/ready',
    {
      config: PUBLIC,
      schema: {
        summary: 'Readiness: the store answers',
        description:
          'No token needed. 200 when the store answers a ping; 503 with status_code 3000 when it does not ' +
          '(take the instance out of the load balancer until it answers again).',
        tags: ['operations'],
        response: { 200: HealthReadySchema, 503: HealthDownSchema },
      },
    },
    async (request, reply) => {
      try {
        await store.ping();
      } catch {
        return down(request, reply);
      }
      return sendEnvelope(
        reply,
        200,
        STATUS.SUCCESS,
        'OK',
        JSON.stringify({ store: store.kind, status: 'up' }),
      );
    },
  );
}

/** The push lanes in a few fields: paused partners, failing ones, the last success and the last error. */
export function pushSummary(lanes: readonly LaneState[], now: number) {
  const lastSuccess = Math.max(-Infinity, ...lanes.map((l) => l.lastSuccessAt ?? -Infinity));
  const failing = lanes.filter((l) => l.failures > 0);
  const last = failing.reduce<LaneState | undefined>(
    (a, l) => ((l.lastErrorAt ?? 0) > (a?.lastErrorAt ?? -1) ? l : a),
    undefined,
  );
  return {
    paused: lanes.filter((l) => l.pausedUntil > now).map((l) => l.partnerKey),
    failing: failing.length,
    lastSuccessAt: Number.isFinite(lastSuccess) ? new Date(lastSuccess).toISOString() : null,
    lastError: last?.lastError !== undefined ? `${last.partnerKey}: ${last.lastError}` : null,
  };
}
