// The OCPI response envelope (2.1.1 transport_and_format §4.1.7 / 2.2.1 §4.1.7): data, status_code,
// status_message, timestamp. Camel partners get statusCode/statusMessage (the documented format).
import type { FastifyReply } from 'fastify';
import { formatDateTime } from '../domain/datetime.js';
import type { PartnerFormat } from '../domain/party.js';

export const STATUS = {
  SUCCESS: 1000,
  CLIENT_ERROR: 2000,
  INVALID_PARAMETERS: 2001,
  SERVER_ERROR: 3000,
  UNABLE_TO_USE_CLIENT_API: 3001,
  UNSUPPORTED_VERSION: 3002,
  NO_MATCHING_ENDPOINTS: 3003,
} as const;

/** The envelope as JSON text around an already-serialized `data` value (or none). */
export function envelopeText(
  style: PartnerFormat,
  statusCode: number,
  statusMessage: string,
  dataJson?: string,
): string {
  const ts = JSON.stringify(formatDateTime(Date.now()));
  const msg = JSON.stringify(statusMessage);
  const data = dataJson === undefined ? '' : `"data":${dataJson},`;
  return style === 'camel'
    ? `{${data}"statusCode":${statusCode},"statusMessage":${msg},"timestamp":${ts}}`
    : `{${data}"status_code":${statusCode},"status_message":${msg},"timestamp":${ts}}`;
}

export function sendEnvelope(
  reply: FastifyReply,
  http: number,
  statusCode: number,
  statusMessage: string,
  dataJson?: string,
): FastifyReply {
  const style = reply.request.partner?.format ?? 'ocpi';
  return reply
    .code(http)
    .header('content-type', 'application/json; charset=utf-8')
    .send(envelopeText(style, statusCode, statusMessage, dataJson));
}

export function sendError(
  reply: FastifyReply,
  http: number,
  statusCode: number,
  message: string,
): FastifyReply {
  return sendEnvelope(reply, http, statusCode, message);
}

const OPEN_LIST = Buffer.from('{"data":[');

/**
 * A success envelope whose `data` is a list of pre-rendered objects, given as their comma-joined JSON bytes
 * (RenderedPage.json): assembled as bytes, never decoded, parsed or re-encoded on the read path.
 */
export function sendListEnvelope(reply: FastifyReply, joinedJson: Buffer): FastifyReply {
  const style = reply.request.partner?.format ?? 'ocpi';
  // envelopeText without data starts with '{': continue the object after the closing ']'.
  const tail = Buffer.from(`],${envelopeText(style, STATUS.SUCCESS, 'Success').slice(1)}`);
  return reply
    .code(200)
    .header('content-type', 'application/json; charset=utf-8')
    .send(Buffer.concat([OPEN_LIST, joinedJson, tail], OPEN_LIST.length + joinedJson.length + tail.length));
}
