import type { FastifyRequest } from 'fastify';

/** The public base URL: the configured one (right behind a proxy), else the request's own scheme and host. */
export function baseUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  return publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.headers.host ?? 'localhost'}`;
}

/**
 * The canonical path of the route that matched, its parameters filled in from the decoded values: never the
 * request target as sent, which may be percent-encoded differently or absolute-form (`GET http://host/path`,
 * RFC 9112 §3.2.2) and must not leak into URLs we hand out (Link headers).
 */
export function routePath(request: FastifyRequest): string {
  const params = (request.params ?? {}) as Record<string, unknown>;
  return request.routeOptions.url!.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) =>
    encodeURIComponent(String(params[name] ?? '')),
  );
}

/** The query string of the request (without `?`), whatever the form of the request target. */
export function rawQuery(request: FastifyRequest): string {
  const at = request.url.indexOf('?');
  return at < 0 ? '' : request.url.slice(at + 1);
}

/**
 * The path of the request target for messages and 404/405 answers (requests that matched no route): the origin
 * of an absolute-form target dropped, percent-encoding decoded where valid (as the router decodes it).
 */
export function targetPath(request: FastifyRequest): string {
  const path = request.url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').split('?')[0] || '/';
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
