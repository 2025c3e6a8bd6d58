// Examples of the OpenAPI document, made on its first request: the modules' examples (real renders of the
// deterministic demo data by their codecs, src/modules/<module>/http/openapi.ts) in real envelopes (envelope.ts),
// the health bodies and the error envelopes; never hand-written objects.
import { formatDateTime } from '../../domain/datetime.js';
import type { PartnerFormat } from '../../domain/party.js';
import type { DemoParty } from '../../demo/demo-data.js';
import { packageVersion } from '../../service/version.js';
import { envelopeText, STATUS } from '../envelope.js';

/** The demo data the examples come from: the defaults of `ocpi-sessions demo` / `npm start`, at a fixed time. */
export const EXAMPLE_DEMO = {
  seed: 1,
  now: Date.UTC(2025, 5, 1, 12, 0, 0),
  cpo: { countryCode: 'NL', partyId: 'OCS' } as DemoParty,
  emsps: [
    { countryCode: 'NL', partyId: 'EMS' },
    { countryCode: 'DE', partyId: 'EMP' },
    { countryCode: 'FR', partyId: 'MSP' },
  ] as DemoParty[],
  /** Whose sessions each style's examples show: the two demo partners of `npm start`. */
  owners: { ocpi: 'NL-EMS', camel: 'DE-EMP' } as Record<PartnerFormat, string>,
};

export interface ErrorExample {
  style: PartnerFormat;
  value: unknown;
}

export interface DocExamples {
  /** Example values of the component schemas, by `$id`. */
  byId: Map<string, unknown>;
  /** An error envelope as it is sent, in one style, with a fixed timestamp. */
  error(style: PartnerFormat, code: number, message: string): unknown;
}

const TIMESTAMP = formatDateTime(EXAMPLE_DEMO.now);

/** The envelope exactly as envelope.ts writes it, with the timestamp of the demo time. */
export function exampleEnvelope(
  style: PartnerFormat,
  code: number,
  message: string,
  dataJson?: string,
): unknown {
  const body = JSON.parse(envelopeText(style, code, message, dataJson)) as Record<string, unknown>;
  body.timestamp = TIMESTAMP;
  return body;
}

/** The examples of the document: the modules' (by schema `$id`), the health bodies and error envelopes. */
export function buildExamples(moduleExamples: readonly (() => Map<string, unknown>)[]): DocExamples {
  const byId = new Map<string, unknown>();
  for (const examples of moduleExamples) for (const [id, value] of examples()) byId.set(id, value);
  // The health body is run-time state, not demo data: the answer of a fresh SQLite server.
  byId.set(
    'HealthUp',
    exampleEnvelope(
      'ocpi',
      STATUS.SUCCESS,
      'OK',
      JSON.stringify({
        store: 'sqlite',
        status: 'up',
        outbox: 0,
        outboxTruncated: false,
        push: { paused: [], failing: 0, lastSuccessAt: '2025-06-01T12:00:00.000Z', lastError: null },
        version: packageVersion(),
      }),
    ),
  );
  byId.set(
    'HealthLive',
    exampleEnvelope(
      'ocpi',
      STATUS.SUCCESS,
      'OK',
      JSON.stringify({ status: 'up', version: packageVersion() }),
    ),
  );
  byId.set(
    'HealthReady',
    exampleEnvelope('ocpi', STATUS.SUCCESS, 'OK', JSON.stringify({ store: 'sqlite', status: 'up' })),
  );
  byId.set(
    'HealthDown',
    exampleEnvelope('ocpi', STATUS.SERVER_ERROR, 'Store unreachable', JSON.stringify({ store: 'down' })),
  );
  return {
    byId,
    error: (style, code, message) => exampleEnvelope(style, code, message),
  };
}
