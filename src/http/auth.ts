// Token authentication (OCPI 2.2.1 §4.1.2; 2.1.1-d2: HTTP 401 when missing or unknown).
// - /ocpi/*: a partner token. Token A (an invited partner) and a partner we are registering with may only use
//   versions and credentials (OCPI 2.2.1 §7.2.1: token A on any other module gets 401).
// - /ingest/*: the CPO back end's ingest token (`ocpi-sessions ingest-token`).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, mayUseFunctionalModules, type Authenticated } from '../service/partners.js';
import { checkIngestToken } from '../service/ingest-token.js';
import type { TokenCache } from '../service/token-cache.js';
import type { SessionStore } from '../store/contract.js';
import { sendError, STATUS } from './envelope.js';

const CONFIGURATION = /^\/ocpi\/(versions|2\.1\.1|2\.2\.1)(\/credentials)?\/?(\?|$)/;

const TOKEN_A_ONLY =
  'This token may only be used on the versions and credentials modules until registration completes';

export function unauthorized(reply: FastifyReply, why: string) {
  reply.header('www-authenticate', 'Token');
  return sendError(reply, 401, STATUS.CLIENT_ERROR, why);
}

export function registerAuth(app: FastifyInstance, store: SessionStore, tokens: TokenCache): void {
  app.decorateRequest('partner', null);
  app.decorateRequest('ocpiToken', null);
  app.decorateRequest('cachedAuth', null);
  app.addHook('onRequest', (request, reply, done) => {
    const cached = request.routeOptions.config?.tokenCache === true;
    // Synchronous for a token the cache knows (the sessions sender's hot path): no promise, no extra tick.
    const known = cached ? tokens.known(request.headers.authorization) : undefined;
    if (known) return admit(request, reply, known, true) ? done() : undefined;
    // A refused request has been answered: the chain stops there (done() is not called).
    check(request, reply, cached).then((admitted) => (admitted ? done() : undefined), done);
  });

  /** True when the request may go on; else it was refused (and answered). */
  async function check(request: FastifyRequest, reply: FastifyReply, cached: boolean): Promise<boolean> {
    const header = request.headers.authorization;
    if (request.url.startsWith('/ingest/')) {
      if (await checkIngestToken(store, header)) return true;
      unauthorized(reply, 'Missing or unknown ingest token');
      return false;
    }
    if (!request.url.startsWith('/ocpi/')) return true;
    const found = cached ? await tokens.authenticate(header) : await authenticate(store, header);
    if (!found) {
      unauthorized(
        reply,
        header ? 'Unknown or malformed token' : 'Missing Authorization header (Token <token>)',
      );
      return false;
    }
    return admit(request, reply, found, cached);
  }

  /** Token A is good for versions and credentials only; otherwise the request goes on as this partner. */
  function admit(
    request: FastifyRequest,
    reply: FastifyReply,
    found: Authenticated,
    cached: boolean,
  ): boolean {
    if (!mayUseFunctionalModules(found.partner) && !CONFIGURATION.test(request.url)) {
      unauthorized(reply, TOKEN_A_ONLY);
      return false;
    }
    request.partner = found.partner;
    request.ocpiToken = found.token;
    if (cached) request.cachedAuth = found;
    return true;
  }
}
