// API documentation: GET /openapi.json (OpenAPI 3.1, generated from the registered routes) and GET /docs
// (Swagger UI, served from the @fastify/swagger-ui package: no CDN). Both are public (no token: auth.ts; the UI's
// routes by their prefix, see server.ts); both are hidden from the document itself.
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { openApiOptions, type OpenApiParts } from '../openapi/document.js';
import { packageVersion } from '../../service/version.js';
import type { PagingConfig } from '../pagination.js';

export const DOCS_PREFIX = '/docs';
export const OPENAPI_PATH = '/openapi.json';

/**
 * Swagger UI sends an apiKey value as the whole header. A pasted bare token (Base64 or raw) gets the `Token `
 * prefix of OCPI 2.2.1 §4.1.2. Runs in the browser: serialized with Function.prototype.toString, so it must not
 * refer to anything outside itself.
 */
function addTokenPrefix(request: { headers?: Record<string, string> }) {
  const headers = request.headers;
  const value = headers ? headers.Authorization : undefined;
  if (headers && typeof value === 'string' && value.trim() !== '' && !/^Token\s/i.test(value.trim())) {
    headers.Authorization = 'Token ' + value.trim();
  }
  return request;
}

/** The address the server listens on, as a URL; a wildcard address (0.0.0.0, ::) names no host: `/`. */
function listenUrl(app: FastifyInstance): string | undefined {
  const address = app.server.address();
  if (address === null || typeof address === 'string') return undefined;
  if (address.address === '0.0.0.0' || address.address === '::') return '/';
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** Registers the document generator, then the pages. Call before any route: the generator sees later routes. */
export async function registerDocs(
  app: FastifyInstance,
  paging: PagingConfig,
  parts: OpenApiParts,
): Promise<void> {
  await app.register(
    fastifySwagger,
    openApiOptions(paging, parts, packageVersion(), () => listenUrl(app)),
  );
  await app.register(fastifySwaggerUi, {
    routePrefix: DOCS_PREFIX,
    theme: { title: 'ocpi-sessions API' },
    uiConfig: {
      docExpansion: 'list',
      deepLinking: true,
      persistAuthorization: true,
      displayRequestDuration: true,
      defaultModelsExpandDepth: 0,
      requestInterceptor: addTokenPrefix,
    },
  });
  app.get(OPENAPI_PATH, { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.send(app.swagger()),
  );
}
