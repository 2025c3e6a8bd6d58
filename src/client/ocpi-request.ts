// One outbound OCPI call: token in the partner's encoding with one retry in the other after HTTP 401
// (OCPI 2.2.1 §4.1.2 compatibility note), 2.2.1 transport headers, tolerant envelope reading.
import { randomUUID } from 'node:crypto';
import type { TokenEncoding } from '../domain/party.js';
import { encodeToken } from '../service/tokens.js';
import { readEnvelope } from './http.js';

export interface OcpiCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  token: string;
  encoding: TokenEncoding;
  body?: unknown;
  /** Extra headers, e.g. OCPI 2.2.1 §4.2 routing headers. */
  headers?: Record<string, string>;
  /** Sends X-Request-ID / X-Correlation-ID (OCPI 2.2.1 §4.1.4); always harmless, so default on. */
  requestIds?: boolean;
  timeoutMs?: number;
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

export function otherEncoding(e: TokenEncoding): TokenEncoding {
  return e === 'raw' ? 'base64' : 'raw';
}

async function once(call: OcpiCall, encoding: TokenEncoding): Promise<OcpiAnswer> {
  const headers: Record<string, string> = {
    authorization: `Token ${encodeToken(call.token, encoding)}`,
    accept: 'application/json',
    ...call.headers,
  };
  if (call.requestIds !== false) {
    headers['x-request-id'] ??= randomUUID();
    headers['x-correlation-id'] ??= randomUUID();
  }
  let body: string | undefined;
  if (call.body !== undefined) {
    body = JSON.stringify(call.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(call.url, {
    method: call.method,
    headers,
    body,
    signal: AbortSignal.timeout(call.timeoutMs ?? 15_000),
    redirect: 'follow',
  });
  const text = await res.text();
  const answer: OcpiAnswer = { http: res.status, encoding, headers: res.headers };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return answer; // not JSON: the HTTP status speaks alone
  }
  const envelope = readEnvelope(json);
  if (envelope)
    Object.assign(answer, {
      statusCode: envelope.statusCode,
      statusMessage: envelope.statusMessage,
      data: envelope.data,
    });
  return answer;
}

/** Performs the call; after a 401 retries once with the other token encoding. */
export async function ocpiRequest(call: OcpiCall): Promise<OcpiAnswer> {
  const first = await once(call, call.encoding);
  if (first.http !== 401) return first;
  return once(call, otherEncoding(call.encoding));
}

/** Success per OCPI: a 2xx answer whose envelope (if any) carries a 1xxx status. */
export function succeeded(a: OcpiAnswer): boolean {
  return (
    a.http >= 200 &&
    a.http < 300 &&
    (a.statusCode === undefined || (a.statusCode >= 1000 && a.statusCode < 2000))
  );
}
