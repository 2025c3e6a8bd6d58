// The OCPI response envelope (2.1.1 transport_and_format, Response format / 2.2.1 §4.1.6), read in either key style.

export interface Envelope {
  data: unknown;
  statusCode?: number;
  statusMessage?: string;
  /** `camel` when the envelope used `statusCode` (the documented camelCase format). */
  style: 'ocpi' | 'camel';
}

/** Reads the envelope of either key style; undefined when the body is not an object. */
export function readEnvelope(json: unknown): Envelope | undefined {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const o = json as Record<string, unknown>;
  const camel = !('status_code' in o) && 'statusCode' in o;
  const code = camel ? o.statusCode : o.status_code;
  const message = camel ? o.statusMessage : o.status_message;
  return {
    data: o.data,
    statusCode:
      typeof code === 'number' ? code : typeof code === 'string' && /^\d+$/.test(code) ? +code : undefined,
    statusMessage: typeof message === 'string' ? message : undefined,
    style: camel ? 'camel' : 'ocpi',
  };
}
