// Every failure leaves as an OCPI envelope with the right HTTP status; never a stack trace.
import { isUtf8 } from 'node:buffer';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { targetPath } from './base-url.js';
import { envelopeText, sendError, STATUS } from './envelope.js';
import { sendOutcome } from './outcomes.js';

/**
 * Fastify's `frameworkErrors`: a URL that is not valid percent-encoding (`%zz`, `%C0%AF`) or a path parameter
 * longer than maxParamLength is refused before routing; without this Fastify answers a non-OCPI JSON body.
 */
export function frameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const message =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'Invalid path: a path segment is too long'
      : 'Invalid path: not a valid URL (bad percent-encoding)';
  void sendError(reply, 400, STATUS.INVALID_PARAMETERS, message);
}

/**
 * Fastify's `clientErrorHandler`: a request that is not even HTTP (bad request line, header overflow) or that
 * was not sent completely within the request timeout. Answered with an OCPI envelope, then the socket closes.
 */
export function clientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [http, text, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'Request not received completely within the request timeout']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'Request headers too large']
        : [400, 'Bad Request', 'Malformed HTTP request'];
  const body = envelopeText('ocpi', STATUS.CLIENT_ERROR, message);
  // As Node's own handler: never write into a response already under way on this socket.
  const busy = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (socket.writable && !busy) {
    socket.write(
      `HTTP/1.1 ${http} ${text}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

interface RoutePattern {
  regex: RegExp;
  methods: Set<string>;
}

/** A store that cannot write (disk full, read-only file or database): said plainly, without internals. */
function storageProblem(error: { code?: unknown }): string | undefined {
  const code = typeof error.code === 'string' ? error.code : '';
  // SQLite (better-sqlite3 SqliteError codes); PostgreSQL SQLSTATE 53100 disk_full, 25006 read_only_sql_transaction.
  if (/^SQLITE_FULL/.test(code) || code === '53100') {
    return 'The store is full (no space left on its disk): nothing was written; retry later';
  }
  // CORRUPT / NOTADB: what SQLite reports when the file system under it returns I/O errors on reads.
  if (/^SQLITE_(READONLY|CANTOPEN|IOERR|CORRUPT|NOTADB)/.test(code) || code === '25006') {
    return 'The store cannot be used (read-only or failing storage): the request was not applied; retry later';
  }
  return undefined;
}

/** `storeFault`: told of each request answered 503 because of an unexpected failure (the store's: metrics.ts). */
export function registerErrorHandling(
  app: FastifyInstance,
  storeFault: (request: FastifyRequest) => void = () => undefined,
): void {
  const patterns = new Map<string, RoutePattern>();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const source =
      '^' + route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+') + '/?$';
    const entry = patterns.get(source) ?? { regex: new RegExp(source), methods: new Set<string>() };
    for (const m of methods) entry.methods.add(m);
    patterns.set(source, entry);
  });

  // RFC 9110 §15.5.6: a 405 carries Allow. Routes that answer 405 themselves (credentials: POST when already
  // registered, PUT/DELETE when not) get the methods of their path here.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode === 405 && !reply.hasHeader('allow')) {
      const path = targetPath(request);
      for (const { regex, methods } of patterns.values()) {
        if (regex.test(path)) reply.header('allow', [...methods].filter((m) => m !== 'HEAD').join(', '));
      }
    }
    done(null, payload);
  });

  // JSON bodies must be UTF-8 (RFC 8259 §8.1). Fastify's own parser decodes invalid bytes to U+FFFD, which would
  // silently alter a stored session: refuse them (400 + 2001). The rest (__proto__ / constructor.prototype keys
  // refused, empty body refused) stays Fastify's default JSON parser.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    if (!isUtf8(body as Buffer)) {
      return done(Object.assign(new Error('Body is not valid UTF-8'), { statusCode: 400 }), undefined);
    }
    // Fastify's default parser is callback-style: it answers (and fails) through `done`, and returns nothing.
    void json(request, (body as Buffer).toString('utf8'), done);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = targetPath(request);
    for (const { regex, methods } of patterns.values()) {
      if (regex.test(path) && !methods.has(request.method)) {
        reply.header('allow', [...methods].filter((m) => m !== 'HEAD').join(', '));
        return sendError(reply, 405, STATUS.CLIENT_ERROR, `Method ${request.method} not allowed on ${path}`);
      }
    }
    return sendError(reply, 404, STATUS.CLIENT_ERROR, `Unknown endpoint: ${request.method} ${path}`);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (sendOutcome(reply, error)) return reply; // a use case refused: outcomes.ts says how that is answered
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
    storeFault(request);
    return sendError(
      reply,
      503,
      STATUS.SERVER_ERROR,
      storageProblem(error) ?? 'Temporarily unable to process the request; please retry',
    );
  });
}
