// OCPI 2.2.1 transport headers.
// §4.1.4: X-Request-ID and X-Correlation-ID are echoed on every response (generated when absent).
// §4.2: routing headers OCPI-from/to-* on functional modules: set on responses (FROM = us, TO = the caller);
// a request whose FROM contradicts the caller's credentials (neither its party nor one its credentials list, e.g.
// a party behind a 2.3.0 hub) is refused with HTTP 400 + 2001. A client that swapped FROM and TO (its own party in
// TO) is tolerated.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyContextConfig, FastifyInstance } from 'fastify';
import { routingHeaders, speaksFor } from '../domain/party.js';
import type { PartyKey } from '../domain/session.js';
import type { Identity } from '../service/identity.js';
import { since22 } from '../domain/wire-format.js';
import { sendError, STATUS } from './envelope.js';

const SAFE_ID = /^[\x21-\x7e]{1,128}$/;
/** The functional modules of OCPI 2.2.1 and 2.3.0, where routing headers apply (§4.2): declared by the route. */
export function carriesRoutingHeaders(config: FastifyContextConfig | undefined): boolean {
  return config?.access === 'partner' && config.ocpiVersion !== undefined && since22(config.ocpiVersion);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The caller's X-Request-ID when it is a safe token, else a new one: Fastify's `genReqId`, so `request.id` (and
 * the `requestId` of every log line of the request) is the id we echo. */
export function requestIdOf(req: IncomingMessage): string {
  return echoable(header(req.headers['x-request-id']));
}

function echoable(id: string | undefined): string {
  return id && SAFE_ID.test(id) ? id : randomUUID();
}

/** The party a request's OCPI-from-* headers name (`CC-PID`, upper-cased), if any. */
export function fromParty(request: { headers: IncomingMessage['headers'] }): PartyKey | undefined {
  const cc = header(request.headers['ocpi-from-country-code']);
  const pid = header(request.headers['ocpi-from-party-id']);
  return cc === undefined && pid === undefined ? undefined : `${cc ?? ''}-${pid ?? ''}`.toUpperCase();
}

export function registerTransportHeaders(
  app: FastifyInstance,
  identity: () => Promise<Identity | undefined>,
): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    reply.header('x-correlation-id', echoable(header(request.headers['x-correlation-id'])));
    done();
  });

  app.addHook('preHandler', async (request, reply) => {
    const partner = request.partner;
    if (!partner || !carriesRoutingHeaders(request.routeOptions.config)) return;
    const us = await identity();
    reply.headers(routingHeaders(us, partner)); // FROM = us, TO = the caller
    const claims = fromParty(request);
    if (claims === undefined) return;
    const swapped = us && claims === `${us.countryCode}-${us.partyId}`.toUpperCase();
    if (!speaksFor(partner, claims) && !swapped) {
      return sendError(
        reply,
        400,
        STATUS.INVALID_PARAMETERS,
        `OCPI-from-* headers (${claims}) do not match the credentials of ${partner.key}`,
      );
    }
  });
}
