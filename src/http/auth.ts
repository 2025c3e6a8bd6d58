// Token authentication (OCPI 2.2.1 §4.1.2; 2.1.1-d2: HTTP 401 when missing or unknown), decided from the route
// that matched (its `config.access`, types.ts), never from the request URL: the router decodes and normalises a
// path (percent-encoding, absolute-form targets), so a check on the raw URL can be bypassed by another spelling
// of the same route. Every route must declare its access; registering one without fails at startup.
// - `configuration`: a partner token. Token A (an invited partner) and a partner we are registering with may
//   only use versions and credentials (OCPI 2.2.1 §7.2.1: token A on any other module gets 401).
// - `partner`: a partner token allowed on functional modules.
// - `ingest`: the CPO back end's ingest token (`ocpi-sessions ingest-token`).
// - `operator`: the operator's token given at start-up (`--metrics-token`), compared in constant time; without one,
//   operator routes refuse every request.
// - `console`: an operator token or the `--console-password` (service/console/operator-tokens.ts), as
//   `Bearer <secret>`; nothing else opens it (the console's routes exist only with `--console`).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, mayUseFunctionalModules, type Authenticated } from '../service/partners.js';
import { IngestTokenCheck } from '../service/ingest-token.js';
import { checkOperatorToken } from '../service/operator-token.js';
import { checkConsoleAccess } from '../service/console/operator-tokens.js';
import type { TokenCache } from '../service/token-cache.js';
import type { SessionStore } from '../store/contract.js';
import { sendError, STATUS } from './envelope.js';
import type { RouteAccess } from './types.js';

const TOKEN_A_ONLY =
  'This token may only be used on the versions and credentials modules until registration completes';

export function unauthorized(reply: FastifyReply, why: string) {
  reply.header('www-authenticate', 'Token');
  return sendError(reply, 401, STATUS.CLIENT_ERROR, why);
}

/** The access of the route that matched; a request that matched no route (404/405 answers) is public. */
export function routeAccess(request: FastifyRequest): RouteAccess {
  return request.routeOptions.config?.access ?? 'public';
}

/** Makes `config.access` mandatory: a route without it is a programming error, refused when it is added. */
function requireAccess(app: FastifyInstance, publicPrefixes: string[]): void {
  app.addHook('onRoute', (route) => {
    if (route.config?.access) return;
    // Routes added by the documentation plugins (Swagger UI's pages and assets) are public by their prefix.
    if (publicPrefixes.some((p) => route.url === p || route.url.startsWith(`${p}/`))) {
      route.config = { ...route.config, access: 'public' };
      return;
    }
    throw new Error(`Route ${String(route.method)} ${route.url} declares no config.access`);
  });
}

export function registerAuth(
  app: FastifyInstance,
  store: SessionStore,
  tokens: TokenCache,
  publicPrefixes: string[] = [],
  operatorToken?: string,
  consolePassword?: string,
): void {
  requireAccess(app, publicPrefixes);
  const ingest = new IngestTokenCheck(store);
  app.decorateRequest('partner', null);
  app.decorateRequest('ocpiToken', null);
  app.decorateRequest('cachedAuth', null);
  app.decorateRequest('consoleVia', null);
  app.addHook('onRequest', (request, reply, done) => {
    const access = routeAccess(request);
    if (access === 'public') return done();
    const cached = request.routeOptions.config.tokenCache === true;
    // Synchronous for a token the cache knows (the sessions sender's hot path): no promise, no extra tick.
    const known = cached ? tokens.known(request.headers.authorization) : undefined;
    if (known) return admit(request, reply, access, known, true) ? done() : undefined;
    // A refused request has been answered: the chain stops there (done() is not called).
    check(request, reply, access, cached).then((admitted) => (admitted ? done() : undefined), done);
  });

  /** True when the request may go on; else it was refused (and answered). */
  async function check(
    request: FastifyRequest,
    reply: FastifyReply,
    access: Exclude<RouteAccess, 'public'>,
    cached: boolean,
  ): Promise<boolean> {
    const header = request.headers.authorization;
    if (access === 'operator') {
      if (checkOperatorToken(operatorToken, header)) return true;
      unauthorized(reply, 'Missing or unknown operator token');
      return false;
    }
    if (access === 'console') {
      const via = await checkConsoleAccess(store, consolePassword, header);
      if (via) {
        request.consoleVia = via;
        return true;
      }
      unauthorized(reply, 'Missing or unknown operator token (Authorization: Bearer <operator token>)');
      return false;
    }
    if (access === 'ingest') {
      if (await ingest.check(header)) return true;
      unauthorized(reply, 'Missing or unknown ingest token');
      return false;
    }
    const found = cached ? await tokens.authenticate(header) : await authenticate(store, header);
    if (!found) {
      unauthorized(
        reply,
        header ? 'Unknown or malformed token' : 'Missing Authorization header (Token <token>)',
      );
      return false;
    }
    return admit(request, reply, access, found, cached);
  }

  /** Token A is good for versions and credentials only; otherwise the request goes on as this partner. */
  function admit(
    request: FastifyRequest,
    reply: FastifyReply,
    access: RouteAccess,
    found: Authenticated,
    cached: boolean,
  ): boolean {
    if (access !== 'configuration' && !mayUseFunctionalModules(found.partner)) {
      unauthorized(reply, TOKEN_A_ONLY);
      return false;
    }
    request.partner = found.partner;
    request.ocpiToken = found.token;
    if (cached) request.cachedAuth = found;
    return true;
  }
}
