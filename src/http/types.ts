import type {} from '@fastify/swagger';
import type { Partner } from '../domain/party.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated partner (set by the auth hook on /ocpi routes). */
    partner: Partner | null;
    /** The token the caller authenticated with (decoded). */
    ocpiToken: string | null;
  }
}
export {};
