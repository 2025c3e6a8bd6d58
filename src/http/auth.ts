// Token authentication (OCPI 2.2.1 §4.1.2; 2.1.1-d2: HTTP 401 when missing or unknown).
// - /ocpi/*: a partner token. Token A (an invited partner) and a partner we are registering with may only use
//   versions and credentials (OCPI 2.2.1 §7.2.1: token A on any other module gets 401).
// - /ingest/*: the CPO back end's ingest token (`ocpi-sessions ingest-token`).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { authenticate } from '../service/partners.js';
import { checkIngestToken } from '../service/ingest-token.js';
import type { SessionStore } from '../store/contract.js';
import { sendError, STATUS } from './envelope.js';

const CONFIGURATION = /^\/ocpi\/(versions|2\.1\.1|2\.2\.1)(\/credentials)?\/?(\?|$)/;

function unauthorized(reply: FastifyReply, why: string) {
  reply.header('www-authenticate', 'Token');
  return sendError(reply, 401, STATUS.CLIENT_ERROR, why);
}

export function registerAuth(app: FastifyInstance, store: SessionStore): void {
  app.decorateRequest('partner', null);
  app.decorateRequest('ocpiToken', null);
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization;
    if (request.url.startsWith('/ingest/')) {
      if (!(await checkIngestToken(store, header)))
        return unauthorized(reply, 'Missing or unknown ingest token');
      return;
    }
    if (!request.url.startsWith('/ocpi/')) return;
    const found = await authenticate(store, header);
    if (!found)
      return unauthorized(
        reply,
        header ? 'Unknown or malformed token' : 'Missing Authorization header (Token <token>)',
      );
    const { partner, token } = found;
    if (
      (partner.state === 'invited' || partner.state === 'registering') &&
      !CONFIGURATION.test(request.url)
    ) {
      return unauthorized(
        reply,
        'This token may only be used on the versions and credentials modules until registration completes',
      );
    }
    request.partner = partner;
    request.ocpiToken = token;
  });
}
