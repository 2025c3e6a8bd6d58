// The operator console's pages (issue 18): the files `npm run build` puts in dist/console/ (Vite, console/),
// served at /console by @fastify/static's sendFile (content type, ETag, ranges, 304s). Only the files the build
// made are served (listed once at start-up, so no path from a request ever names a file outside them); the paths
// of the single-page app's pages get index.html; nothing else is answered here. The pages are public: they
// hold no data, every figure comes from the authenticated API under /console/api/ (access 'console').
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { sendError, STATUS } from '../../envelope.js';

export const CONSOLE_PREFIX = '/console';
/** dist/console, next to dist/src (this file is dist/src/http/routes/console/ui.js once compiled). */
export const CONSOLE_ASSETS = fileURLToPath(new URL('../../../../console/', import.meta.url));

/**
 * The pages may load only from this server (no CDN, no inline script), and may not be framed. uPlot and Preact
 * set styles through the CSSOM, which `style-src 'self'` allows.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The single-page app's own paths (console/src/router.ts `parseRoute`: a new page is added in both), each answered
 * with index.html; the app then shows the page. Routes of their own rather than one wildcard under /console/, so
 * the console API's paths keep the router's answers (404, 405) and no other spelling reaches the app.
 */
const CLIENT_ROUTES = ['', 'sessions', 'sessions/:countryCode/:partyId/:id', 'partners'];

/** The files under dir, as paths relative to it with forward slashes. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}

export async function registerConsoleUi(app: FastifyInstance, root: string = CONSOLE_ASSETS): Promise<void> {
  const built = existsSync(path.join(root, 'index.html'));
  const files = new Set(built ? filesUnder(root).filter((f) => !f.endsWith('.map')) : []);
  if (built) await app.register(fastifyStatic, { root, serve: false });

  function page(reply: FastifyReply, file: string): FastifyReply {
    if (!built) {
      return sendError(reply, 503, STATUS.SERVER_ERROR, 'The console is not built: run `npm run build`');
    }
    // Vite names the assets by their content hash: cached for good. index.html is checked every time.
    const cache = file.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    return reply
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', cache)
      .sendFile(file, { cacheControl: false });
  }

  const config = { access: 'public' as const };
  const schema = { hide: true };
  app.get(CONSOLE_PREFIX, { config, schema }, async (_request, reply) =>
    reply.redirect(`${CONSOLE_PREFIX}/`),
  );
  for (const route of CLIENT_ROUTES) {
    app.get(`${CONSOLE_PREFIX}/${route}`, { config, schema }, async (_request, reply) =>
      page(reply, 'index.html'),
    );
  }
  app.get(`${CONSOLE_PREFIX}/assets/*`, { config, schema }, async (request, reply) => {
    const file = `assets/${(request.params as { '*': string })['*']}`;
    if (files.has(file)) return page(reply, file);
    return sendError(reply, 404, STATUS.CLIENT_ERROR, 'Not found');
  });
}
