// One outbound OCPI call (registration, push): token in the partner's encoding with one retry in the other when
// the peer refused it (OCPI 2.2.1 §4.1.2 compatibility note; see authRefused), 2.2.1 transport headers, the
// shared timeout and response size cap (exchange.ts), tolerant envelope reading.
import { randomUUID } from 'node:crypto';
import type { TokenEncoding } from '../domain/party.js';
import { otherEncoding } from '../domain/token-encoding.js';
import { authRefused, DEFAULT_MAX_RESPONSE_BYTES, exchange } from './exchange.js';

export interface OcpiCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  token: string;
  encoding: TokenEncoding;
  body?: unknown;
  /** Extra headers, e.g. OCPI 2.2.1 §4.2 routing headers. */
  headers?: Record<string, string>;
  /** X-Correlation-ID of the operation this call belongs to (OCPI 2.2.1 §4.1.4); a new one when absent. */
  correlationId?: string;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** The URL came from a peer: refuse private, loopback and link-local addresses (`--deny-private-peers`). */
  denyPrivatePeers?: boolean;
}

export interface OcpiAnswer {
  http: number;
  /** Envelope status_code (or statusCode), when the body was an envelope. */
  statusCode?: number;
  statusMessage?: string;
  data?: unknown;
  /** The encoding that was used for the answer we return. */
  encoding: TokenEncoding;
  headers: Headers;
}

async function once(call: OcpiCall, encoding: TokenEncoding, correlationId: string): Promise<OcpiAnswer> {
  const x = await exchange({
    method: call.method,
    url: call.url,
    token: call.token,
    encoding,
    correlationId,
    body: call.body,
    headers: call.headers,
    timeoutMs: call.timeoutMs ?? 15_000,
    maxResponseBytes: call.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    denyPrivatePeers: call.denyPrivatePeers,
  });
  const answer: OcpiAnswer = { http: x.http, encoding, headers: x.headers };
  if (x.envelope)
    Object.assign(answer, {
      statusCode: x.envelope.statusCode,
      statusMessage: x.envelope.statusMessage,
      data: x.envelope.data,
    });
  return answer;
}

/** Performs the call; when the peer refused the token, retries once with the other token encoding. */
export async function ocpiRequest(call: OcpiCall): Promise<OcpiAnswer> {
  const correlationId = call.correlationId ?? randomUUID();
  const first = await once(call, call.encoding, correlationId);
  if (!refused(first)) return first;
  return once(call, otherEncoding(call.encoding), correlationId);
}

/** The peer refused the token of this answer (the one rule, see authRefused). */
export function refused(a: OcpiAnswer): boolean {
  return authRefused(a.http, a);
}

/** Success per OCPI: a 2xx answer whose envelope (if any) carries a 1xxx status. */
export function succeeded(a: OcpiAnswer): boolean {
  return (
    a.http >= 200 &&
    a.http < 300 &&
    (a.statusCode === undefined || (a.statusCode >= 1000 && a.statusCode < 2000))
  );
}
