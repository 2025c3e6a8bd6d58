// Token authentication (OCPI 2.2.1 §4.1.2; 2.1.1-d2: HTTP 401 when missing or unknown).
// - /ocpi/*: a partner token. Token A (an invited partner) and a partner we are registering with may only use
//   versions and credentials (OCPI 2.2.1 §7.2.1: token A on any other module gets 401).
// - /ingest/*: the CPO back end's ingest token (`ocpi-sessions ingest-token`).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { authenticate, mayUseFunctionalModules } from '../service/partners.js';
import { checkIngestToken } from '../service/ingest-token.js';
import type { TokenCache } from '../service/token-cache.js';
import type { SessionStore } from '../store/contract.js';
import { sendError, STATUS } from './envelope.js';

const CONFIGURATION = /^\/ocpi\/(versions|2\.1\.1|2\.2\.1)(\/credentials)?\/?(\?|$)/;

export const TOKEN_A_ONLY =
  'This token may only be used on the versions and credentials modules until registration completes';

export function unauthorized(reply: FastifyReply, why: string) {
  reply.header('www-authenticate', 'Token');
  return sendError(reply, 401, STATUS.CLIENT_ERROR, why);
}

export function registerAuth(app: FastifyInstance, store: SessionStore, tokens: TokenCache): void {
  app.decorateRequest('partner', null);
  app.decorateRequest('ocpiToken', null);
  app.decorateRequest('cachedAuth', null);
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization;
    if (request.url.startsWith('/ingest/')) {
      if (!(await checkIngestToken(store, header)))
        return unauthorized(reply, 'Missing or unknown ingest token');
      return;
    }
    if (!request.url.startsWith('/ocpi/')) return;
    const cached = request.routeOptions.config?.tokenCache === true;
    const found = cached ? await tokens.authenticate(header) : await authenticate(store, header);
    if (!found)
      return unauthorized(
        reply,
        header ? 'Unknown or malformed token' : 'Missing Authorization header (Token <token>)',
      );
    const { partner, token } = found;
    if (!mayUseFunctionalModules(partner) && !CONFIGURATION.test(request.url)) {
      return unauthorized(reply, TOKEN_A_ONLY);
    }
    request.partner = partner;
    request.ocpiToken = token;
    if (cached) request.cachedAuth = found;
  });
}
