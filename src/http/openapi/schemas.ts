// JSON Schemas (TypeBox) of what the HTTP layer sends: the OCPI response envelope around a module's objects (a
// module declares its pages with listPageSchema), the error envelopes and the health body. Routes declare them as their `response` schemas, the OpenAPI document is
// generated from them, and `ocpi-sessions schema envelope|error` prints them.
//
// The envelope: OCPI 2.1.1 transport_and_format §4.1.7 / 2.2.1 §4.1.7 Response format (data, status_code,
// status_message, timestamp); camel partners get statusCode / statusMessage, as the documented page has it.
import { Type, type TSchema } from '@sinclair/typebox';
import type { PartnerFormat } from '../../domain/party.js';
import { wireFormatFor, type OcpiVersion, type WireFormat } from '../../domain/wire-format.js';
import { dateTime } from '../../wire/kit/value.js';
import { wireStyle } from '../../wire/kit/style.js';
import { STATUS } from '../envelope.js';

export { OCPI_VERSIONS } from '../../domain/wire-format.js';

/** OCPI status codes (2.1.1 status_codes §4 / 2.2.1 §5) as this server uses them. */
export const STATUS_TEXT: Record<number, string> = {
  [STATUS.SUCCESS]: 'Generic success',
  [STATUS.CLIENT_ERROR]: 'Generic client error',
  [STATUS.INVALID_PARAMETERS]: 'Invalid or missing parameters',
  [STATUS.SERVER_ERROR]: 'Generic server error',
  [STATUS.UNABLE_TO_USE_CLIENT_API]: "Unable to use the client's API",
  [STATUS.UNSUPPORTED_VERSION]: 'Unsupported version',
  [STATUS.NO_MATCHING_ENDPOINTS]: 'No matching endpoints or expected endpoints missing between parties',
};

const versionTag = (v: OcpiVersion) => v.replace(/\./g, '');
const stylePrefix = (style: PartnerFormat) => (style === 'camel' ? 'Camel' : 'Ocpi');

function timestamp(): TSchema {
  return Type.Unsafe<string>({
    ...dateTime.schema(wireStyle('ocpi-2.2.1')),
    description: 'When this response was generated (OCPI DateTime, UTC).',
  });
}

function statusCode(codes: readonly number[]): TSchema {
  return Type.Integer({
    enum: [...codes],
    description: `OCPI status code: ${codes.map((c) => `${c} = ${STATUS_TEXT[c] ?? 'see the OCPI spec'}`).join(', ')}.`,
  });
}

/** The envelope keys of a style: `status_code` (OCPI) or `statusCode` (camel). */
function envelopeKeys(style: PartnerFormat) {
  return style === 'camel'
    ? { code: 'statusCode', message: 'statusMessage' }
    : { code: 'status_code', message: 'status_message' };
}

function envelope(
  style: PartnerFormat,
  data: TSchema | undefined,
  codes: readonly number[],
  meta: { $id: string; title: string; description: string },
): TSchema {
  const k = envelopeKeys(style);
  return Type.Object(
    {
      ...(data ? { data } : {}),
      [k.code]: statusCode(codes),
      [k.message]: Type.String({ description: 'Free text for a human reader (debugging).' }),
      timestamp: timestamp(),
    },
    // What we send has exactly these keys (a receiver must still ignore unknown ones, OCPI 2.2.1 §4.1.7).
    { ...meta, additionalProperties: false },
  );
}

const pages = new Map<string, TSchema>();

/** One page of a module's Sender GET in one style and version (`data`: the list of objects), built once per id. */
export function listPageSchema(
  style: PartnerFormat,
  version: OcpiVersion,
  what: { name: string; plural: string; item: (format: WireFormat) => TSchema },
): TSchema {
  const id = `${stylePrefix(style)}${what.name}sPage${versionTag(version)}`;
  let schema = pages.get(id);
  if (!schema) {
    const format = wireFormatFor(style, version);
    schema = envelope(
      style,
      Type.Array(what.item(format), {
        description: `The ${what.plural} of this page, in the ${format} format, in creation order.`,
      }),
      [STATUS.SUCCESS],
      {
        $id: id,
        title: `${what.name}s page (${format})`,
        description:
          style === 'camel'
            ? `What a partner configured with format "camel" receives: the envelope with statusCode / statusMessage, ${what.plural} in camelCase with integer enums (OCPI ${version} content).`
            : `What a partner configured with format "ocpi" receives: the OCPI ${version} response envelope with standard OCPI ${version} ${what.name} objects.`,
      },
    );
    pages.set(id, schema);
  }
  return schema;
}

const errors = new Map<string, TSchema>();

/** An error envelope (no `data`) carrying one of `codes`: what auth, validation, 404/405 and failures send. */
export function errorEnvelopeSchema(style: PartnerFormat, codes: readonly number[]): TSchema {
  const id = `${stylePrefix(style)}Error${codes.join('_')}`;
  let schema = errors.get(id);
  if (!schema) {
    const what = codes.map((c) => `${STATUS_TEXT[c] ?? 'Error'} (${c})`).join(' or ');
    schema = envelope(style, undefined, codes, {
      $id: id,
      title: `${style === 'camel' ? 'Camel' : 'OCPI'} error envelope, status ${codes.join(' or ')}`,
      description: `${what}. No data; the message says what went wrong.`,
    });
    errors.set(id, schema);
  }
  return schema;
}

const generic = new Map<PartnerFormat, TSchema>();

/** Any envelope this server sends, `data` undescribed: the answer of a route that declares no response. */
export function anyEnvelopeSchema(style: PartnerFormat): TSchema {
  let schema = generic.get(style);
  if (!schema) {
    const k = envelopeKeys(style);
    schema = Type.Object(
      {
        data: Type.Optional(Type.Unknown({ description: 'The payload; this route does not describe it.' })),
        [k.code]: Type.Integer({
          minimum: 1000,
          maximum: 4999,
          description:
            'OCPI status code: 1xxx success, 2xxx client error, 3xxx server error (OCPI 2.2.1 §5).',
        }),
        [k.message]: Type.String({ description: 'Free text for a human reader (debugging).' }),
        timestamp: timestamp(),
      },
      {
        $id: `${stylePrefix(style)}Response`,
        title: `${style === 'camel' ? 'Camel' : 'OCPI'} response envelope`,
        description: 'An OCPI response envelope (OCPI 2.2.1 §4.1.7) whose data this route does not describe.',
        additionalProperties: false,
      },
    );
    generic.set(style, schema);
  }
  return schema;
}

/** /health counts the outbox up to this many entries (a bounded read, not a full count). */
export const HEALTH_OUTBOX_LIMIT = 10_000;

const VERSION_FIELD = Type.String({ description: 'The version of ocpi-sessions (package.json)' });

/** `GET /health` 200: the store answers. Sent without a partner, so always in the OCPI style. */
export const HealthUpSchema = envelope(
  'ocpi',
  Type.Object(
    {
      store: Type.Unsafe<string>({ type: 'string', enum: ['sqlite', 'postgres'], description: 'Store kind' }),
      status: Type.Unsafe<string>({ type: 'string', enum: ['up'] }),
      outbox: Type.Integer({
        minimum: 0,
        description: `Pushes waiting in the outbox, counted up to ${HEALTH_OUTBOX_LIMIT} (then outboxTruncated)`,
      }),
      outboxTruncated: Type.Boolean({
        description: `true: the outbox holds at least ${HEALTH_OUTBOX_LIMIT}`,
      }),
      push: Type.Object(
        {
          paused: Type.Array(Type.String(), {
            description: 'Partners whose push lane is paused after failing repeatedly (probed, then resumed)',
          }),
          failing: Type.Integer({ minimum: 0, description: 'Partners whose last push attempts failed' }),
          lastSuccessAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
            description: 'The last successful push to any partner (recorded at most every 5 s per process)',
          }),
          lastError: Type.Union([Type.String(), Type.Null()], {
            description: 'The last push error of a failing partner: "<partner>: <error>"',
          }),
        },
        { additionalProperties: false },
      ),
      version: VERSION_FIELD,
    },
    { additionalProperties: false },
  ),
  [STATUS.SUCCESS],
  { $id: 'HealthUp', title: 'Health: up', description: 'The server runs and its store answers.' },
);

/** `GET /health/live` 200: the process runs (the store is not asked). */
export const HealthLiveSchema = envelope(
  'ocpi',
  Type.Object(
    { status: Type.Unsafe<string>({ type: 'string', enum: ['up'] }), version: VERSION_FIELD },
    { additionalProperties: false },
  ),
  [STATUS.SUCCESS],
  { $id: 'HealthLive', title: 'Liveness', description: 'The process runs; the store was not asked.' },
);

/** `GET /health/ready` 200: the store answers a ping. */
export const HealthReadySchema = envelope(
  'ocpi',
  Type.Object(
    {
      store: Type.Unsafe<string>({ type: 'string', enum: ['sqlite', 'postgres'], description: 'Store kind' }),
      status: Type.Unsafe<string>({ type: 'string', enum: ['up'] }),
    },
    { additionalProperties: false },
  ),
  [STATUS.SUCCESS],
  { $id: 'HealthReady', title: 'Readiness: ready', description: 'The server runs and its store answers.' },
);

/** `GET /health` 503: the store does not answer. */
export const HealthDownSchema = envelope(
  'ocpi',
  Type.Object(
    { store: Type.Unsafe<string>({ type: 'string', enum: ['down'] }) },
    { additionalProperties: false },
  ),
  [STATUS.SERVER_ERROR],
  { $id: 'HealthDown', title: 'Health: down', description: 'The store does not answer.' },
);

/** Pagination response headers (OCPI 2.1.1 transport_and_format §4.1.3 / 2.2.1 §4.1.3), as JSON Schemas. */
export const PAGE_HEADERS = {
  'X-Total-Count': {
    type: 'integer',
    minimum: 0,
    description:
      'The total number of objects available in the server system that match the given parameters ' +
      '(date_from / date_to, without offset / limit) and that the caller may see.',
  },
  'X-Limit': {
    type: 'integer',
    minimum: 1,
    description:
      'The maximum number of objects that the server can return: the effective limit of this page (the ' +
      'requested limit, capped to the server maximum), also when fewer objects are returned.',
  },
  Link: {
    type: 'string',
    pattern: '^<[^>]+>; rel="next"$',
    description:
      'Link to the next page if exists: `<url>; rel="next"` with every query parameter of this request ' +
      'plus the next offset and the effective limit. Absent on the last page.',
  },
} as const;

/** OCPI 2.2.1 §4.1.4: on every response of this server, echoed from the request or generated. */
export const TRACE_HEADERS = {
  'X-Request-ID': {
    type: 'string',
    description:
      "Echoes the request's X-Request-ID (1–128 printable ASCII characters); a new UUID when it had none " +
      'or an unusable one.',
  },
  'X-Correlation-ID': {
    type: 'string',
    description: "Echoes the request's X-Correlation-ID, the same way.",
  },
} as const;

/** OCPI 2.2.1 §4.2: routing headers on the functional modules' responses: FROM = this platform, TO = the caller. */
export const ROUTING_RESPONSE_HEADERS = {
  'OCPI-from-country-code': { type: 'string', description: "This platform's country code (`party set`)." },
  'OCPI-from-party-id': { type: 'string', description: "This platform's party id (`party set`)." },
  'OCPI-to-country-code': { type: 'string', description: "The calling partner's country code." },
  'OCPI-to-party-id': { type: 'string', description: "The calling partner's party id." },
} as const;

/** Request headers of every route (2.2.1 §4.1.4), and the routing headers of the 2.2.1 functional modules (§4.2). */
export function transportRequestHeaders(functional: boolean) {
  const trace = {
    'X-Request-ID': { type: 'string', description: 'Optional; echoed on the response (OCPI 2.2.1 §4.1.4).' },
    'X-Correlation-ID': {
      type: 'string',
      description: 'Optional; echoed on the response (OCPI 2.2.1 §4.1.4).',
    },
  };
  const routing = {
    'OCPI-from-country-code': {
      type: 'string',
      description:
        "Optional: the caller's country code. Must match its credentials (else HTTP 400, status_code 2001); " +
        'FROM and TO swapped is tolerated.',
    },
    'OCPI-from-party-id': {
      type: 'string',
      description: "Optional: the caller's party id, checked the same way.",
    },
    'OCPI-to-country-code': { type: 'string', description: "Optional: this platform's country code." },
    'OCPI-to-party-id': { type: 'string', description: "Optional: this platform's party id." },
  };
  return { type: 'object', properties: functional ? { ...trace, ...routing } : trace };
}

/** A success envelope (OCPI style) around `data`, for operator routes (the console's API). */
export function operatorEnvelope(
  data: TSchema,
  meta: { $id: string; title: string; description: string },
): TSchema {
  return envelope('ocpi', data, [STATUS.SUCCESS], meta);
}
