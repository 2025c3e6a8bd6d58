// Token authentication for every /ocpi route (OCPI 2.2.1 §4.1.2; 2.1.1-d2: HTTP 401 when missing or unknown).
import type { FastifyInstance } from 'fastify';
import { authenticate } from '../service/partners.js';
import type { SessionStore } from '../store/contract.js';
import { sendError, STATUS } from './envelope.js';

export function registerAuth(app: FastifyInstance, store: SessionStore): void {
  app.decorateRequest('partner', null);
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/ocpi/')) return;
    const header = request.headers.authorization;
    const partner = await authenticate(store, header);
    if (!partner) {
      const why = header ? 'Unknown or malformed token' : 'Missing Authorization header (Token <token>)';
      reply.header('www-authenticate', 'Token');
      return sendError(reply, 401, STATUS.CLIENT_ERROR, why);
    }
    request.partner = partner;
  });
}
