// The one table from a use case's refusal (src/service/refused.ts) to HTTP status and OCPI status_code, applied
// by the error handler (errors.ts) to whatever a route lets through: routes do not catch refusals themselves.
import type { FastifyReply } from 'fastify';
import { Refused, RegistrationError, type RefusalReason } from '../service/refused.js';
import { sendError, STATUS } from './envelope.js';

const REFUSALS: Record<RefusalReason, { http: number; status: number }> = {
  // OCPI 2.2.1 §4.1 / §5: invalid or missing parameters → 2001.
  invalid: { http: 400, status: STATUS.INVALID_PARAMETERS },
  // Another party's object is indistinguishable from a missing one (OCPI 2.2.1 §3.1.2 client owned objects).
  'not-visible': { http: 404, status: STATUS.CLIENT_ERROR },
  // OCPI 2.2.1 §9.2.2.3: PATCH of an unknown session → 404 so that the sender PUTs it.
  'unknown-object': { http: 404, status: STATUS.INVALID_PARAMETERS },
  // OCPI 2.2.1 §9.2.1.2: an EVSE without CHARGING_PREFERENCES_CAPABLE → HTTP 404 with OCPI 2001.
  'not-supported': { http: 404, status: STATUS.INVALID_PARAMETERS },
  // OCPI 2.2.1 §7.2.2–7.2.4: POST when registered, PUT/DELETE when not → HTTP 405 (errors.ts adds Allow).
  'not-now': { http: 405, status: STATUS.CLIENT_ERROR },
};

/** Answers a refusal or a registration failure; false for any other error (not an outcome of a use case). */
export function sendOutcome(reply: FastifyReply, e: unknown): boolean {
  if (e instanceof Refused) {
    const { http, status } = REFUSALS[e.reason];
    void sendError(reply, http, status, e.message);
    return true;
  }
  if (e instanceof RegistrationError) {
    // 2001: the body itself is wrong → HTTP 400. 3xxx: their side failed; the request reached the OCPI layer
    // (OCPI 2.2.1 §5), so the HTTP status stays 200 and the envelope carries the code. The caller gets the
    // generic message; the details (URL, errno, HTTP status) go to our log.
    reply.log.warn({ statusCode: e.statusCode, detail: e.detail }, `registration failed: ${e.message}`);
    void sendError(reply, e.statusCode === 2001 ? 400 : 200, e.statusCode, e.message);
    return true;
  }
  return false;
}
