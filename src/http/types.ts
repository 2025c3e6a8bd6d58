import type {} from '@fastify/swagger';
import type { Partner } from '../domain/party.js';
import type { Authenticated } from '../service/partners.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated partner (set by the auth hook on /ocpi routes). */
    partner: Partner | null;
    /** The token the caller authenticated with (decoded). */
    ocpiToken: string | null;
    /** Set instead of a store lookup on routes with `config.tokenCache`: to be confirmed by the route. */
    cachedAuth: Authenticated | null;
  }
  interface FastifyContextConfig {
    /** Authenticate from the process's token cache; the route confirms against its data (service/token-cache.ts). */
    tokenCache?: boolean;
  }
}
export {};
