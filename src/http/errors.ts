// Every failure leaves as an OCPI envelope with the right HTTP status; never a stack trace.
import type { FastifyError, FastifyInstance } from 'fastify';
import { sendError, STATUS } from './envelope.js';

interface RoutePattern {
  regex: RegExp;
  methods: Set<string>;
}

export function registerErrorHandling(app: FastifyInstance): void {
  const patterns = new Map<string, RoutePattern>();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const source =
      '^' + route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+') + '/?$';
    const entry = patterns.get(source) ?? { regex: new RegExp(source), methods: new Set<string>() };
    for (const m of methods) entry.methods.add(m);
    patterns.set(source, entry);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    for (const { regex, methods } of patterns.values()) {
      if (regex.test(path) && !methods.has(request.method)) {
        reply.header('allow', [...methods].filter((m) => m !== 'HEAD').join(', '));
        return sendError(reply, 405, STATUS.CLIENT_ERROR, `Method ${request.method} not allowed on ${path}`);
      }
    }
    return sendError(reply, 404, STATUS.CLIENT_ERROR, `Unknown endpoint: ${request.method} ${path}`);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      const first = error.validation[0];
      const where = error.validationContext ?? 'request';
      const param =
        (first?.params as { missingProperty?: string } | undefined)?.missingProperty ??
        first?.instancePath.replace(/^\//, '').replace(/\//g, '.') ??
        '';
      const message = param
        ? `Invalid ${where} parameter '${param}': ${first?.message ?? 'invalid'}`
        : `Invalid ${where}: ${first?.message ?? 'invalid'}`;
      return sendError(reply, 400, STATUS.INVALID_PARAMETERS, message);
    }
    const status = error.statusCode ?? 500;
    if (status === 413) return sendError(reply, 413, STATUS.CLIENT_ERROR, 'Request body too large');
    if (status === 415)
      return sendError(reply, 415, STATUS.INVALID_PARAMETERS, 'Content-Type must be application/json');
    if (status >= 400 && status < 500) {
      return sendError(
        reply,
        status,
        STATUS.INVALID_PARAMETERS,
        error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
          ? 'Body is not valid JSON'
          : error.message,
      );
    }
    request.log.error({ err: error }, 'request failed');
    return sendError(
      reply,
      503,
      STATUS.SERVER_ERROR,
      'Temporarily unable to process the request; please retry',
    );
  });
}
