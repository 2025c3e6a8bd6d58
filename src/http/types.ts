import type {} from '@fastify/swagger';
import type { Partner } from '../domain/party.js';
import type { OcpiVersion } from '../domain/wire-format.js';
import type { Authenticated } from '../service/partners.js';
import type { ConsoleVia } from '../service/console/operator-tokens.js';

/**
 * Who may call a route, declared by the route itself (auth.ts decides from the route that matched, never from
 * the request URL, so no spelling of a path reaches a handler with less than its route asks for):
 * - `public`: no token (health, API documents);
 * - `configuration`: any partner token, token A included (versions and credentials, OCPI 2.2.1 §7.2.1);
 * - `partner`: the token of a partner allowed on functional modules (registered or configured);
 * - `ingest`: the CPO back end's ingest token;
 * - `operator`: the operator's token (`--metrics-token`), for GET /metrics; no partner or ingest token opens it.
 * - `console`: the operator console's API (`--console`): an operator token (`ocpi-sessions operator-token`) or the
 *   `--console-password`, as `Bearer <secret>`; no partner, ingest or metrics token opens it.
 */
export type RouteAccess = 'public' | 'configuration' | 'partner' | 'ingest' | 'operator' | 'console';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated partner (set by the auth hook on `configuration` and `partner` routes). */
    partner: Partner | null;
    /** The token the caller authenticated with (decoded). */
    ocpiToken: string | null;
    /** Set instead of a store lookup on routes with `config.tokenCache`: to be confirmed by the route. */
    cachedAuth: Authenticated | null;
    /** How the caller opened a `console` route (set by the auth hook on those routes). */
    consoleVia: ConsoleVia | null;
  }
  interface FastifyContextConfig {
    /** Required on every route (registration fails without it): see RouteAccess. */
    access?: RouteAccess;
    /** The OCPI version of a functional-module route: 2.2.1 routes carry routing headers (transport-headers.ts). */
    ocpiVersion?: OcpiVersion;
    /** Never rate limited (health checks of load balancers and monitors). */
    unlimited?: boolean;
    /** Authenticate from the process's token cache; the route confirms against its data (service/token-cache.ts). */
    tokenCache?: boolean;
  }
}
export {};
