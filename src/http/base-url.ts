import type { FastifyRequest } from 'fastify';

/** The public base URL: the configured one (right behind a proxy), else the request's own scheme and host. */
export function baseUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  return publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.headers.host ?? 'localhost'}`;
}
