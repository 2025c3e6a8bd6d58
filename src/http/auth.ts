// Token authentication (OCPI 2.2.1 §4.1.2; 2.1.1-d2: HTTP 401 when missing or unknown).
// - /ocpi/*: a partner token. Token A (an invited partner) and a partner we are registering with may only use
//   versions and credentials (OCPI 2.2.1 §7.2.1: token A on any other module gets 401).
// - /ingest/*: the CPO back end's ingest token (`ocpi-sessions ingest-token`).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
  // Synchronous for a token the cache knows (the sessions sender's hot path): no promise, no extra tick.
  app.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.config?.tokenCache === true) {
      const known = tokens.known(request.headers.authorization);
      if (known && mayUseFunctionalModules(known.partner)) {
        request.partner = known.partner;
        request.ocpiToken = known.token;
        request.cachedAuth = known;
        return done();
      }
    }
    // A refused request has been answered: the chain stops there (done() is not called).
    check(request, reply).then((refused) => (refused ? undefined : done()), done);
  });

  /** True when the request was refused (and answered). */
  async function check(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const header = request.headers.authorization;
    if (request.url.startsWith('/ingest/')) {
      if (await checkIngestToken(store, header)) return false;
      unauthorized(reply, 'Missing or unknown ingest token');
      return true;
    }
    if (!request.url.startsWith('/ocpi/')) return false;
    const cached = request.routeOptions.config?.tokenCache === true;
    const found = cached ? await tokens.authenticate(header) : await authenticate(store, header);
    if (!found) {
      unauthorized(
        reply,
        header ? 'Unknown or malformed token' : 'Missing Authorization header (Token <token>)',
      );
      return true;
    }
    const { partner, token } = found;
    if (!mayUseFunctionalModules(partner) && !CONFIGURATION.test(request.url)) {
      unauthorized(reply, TOKEN_A_ONLY);
      return true;
    }
    request.partner = partner;
    request.ocpiToken = token;
    if (cached) request.cachedAuth = found;
    return false;
  }
}
