// Examples of the OpenAPI document, made when the server starts from the deterministic demo data: real
// renders of demo sessions by the wire codecs, in real envelopes (envelope.ts), never hand-written objects.
import { formatDateTime } from '../../domain/datetime.js';
import type { PartnerFormat } from '../../domain/party.js';
import type { Session } from '../../domain/session.js';
import { WIRE_FORMATS, wireFormatFor, type WireFormat } from '../../domain/wire-format.js';
import { generateDemoSessions, type DemoParty } from '../../demo/demo-data.js';
import { wireKey } from '../../wire/kit/style.js';
import { codecFor } from '../../wire/registry.js';
import { envelopeText, STATUS } from '../envelope.js';
import { OCPI_VERSIONS } from './schemas.js';

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

/** The fields a Session PATCH example carries (spec names), when the render has them. */
const PATCH_FIELDS = ['kwh', 'status', 'total_cost', 'end_datetime', 'end_date_time', 'last_updated'];

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
function envelope(style: PartnerFormat, code: number, message: string, dataJson?: string): unknown {
  const body = JSON.parse(envelopeText(style, code, message, dataJson)) as Record<string, unknown>;
  body.timestamp = TIMESTAMP;
  return body;
}

function pickSessions(): Record<PartnerFormat, Session> {
  const found: Partial<Record<PartnerFormat, Session>> = {};
  const { seed, now, cpo, emsps, owners } = EXAMPLE_DEMO;
  // The first completed session with charging periods and a cost of each owner: the most telling example.
  for (const s of generateDemoSessions({ count: 400, seed, now, cpo, emsps })) {
    const owner = `${s.cdrToken.countryCode}-${s.cdrToken.partyId}`;
    for (const style of ['ocpi', 'camel'] as const) {
      if (found[style] || owners[style] !== owner) continue;
      if (s.status === 'COMPLETED' && s.chargingPeriods.length > 1 && s.totalCost) found[style] = s;
    }
    if (found.ocpi && found.camel) return found as Record<PartnerFormat, Session>;
  }
  throw new Error('demo data holds no completed session for the OpenAPI examples');
}

function patchOf(format: WireFormat, rendered: Record<string, unknown>): Record<string, unknown> {
  const style = codecFor(format).style;
  const out: Record<string, unknown> = {};
  for (const field of PATCH_FIELDS) {
    const key = wireKey(style, field);
    if (rendered[key] !== undefined) out[key] = rendered[key];
  }
  return out;
}

export function buildExamples(): DocExamples {
  const sessions = pickSessions();
  const byId = new Map<string, unknown>();
  for (const format of WIRE_FORMATS) {
    const style: PartnerFormat = format.startsWith('camel-') ? 'camel' : 'ocpi';
    const codec = codecFor(format);
    const text = codec.renderSession(sessions[style]);
    const rendered = JSON.parse(text) as Record<string, unknown>;
    byId.set(String(codec.schema.$id), rendered);
    byId.set(String(codec.patchSchema.$id), patchOf(format, rendered));
  }
  for (const style of ['ocpi', 'camel'] as const) {
    for (const version of OCPI_VERSIONS) {
      const text = codecFor(wireFormatFor(style, version)).renderSession(sessions[style]);
      const id = `${style === 'camel' ? 'Camel' : 'Ocpi'}SessionsPage${version.replace(/\./g, '')}`;
      byId.set(id, envelope(style, STATUS.SUCCESS, 'Success', `[${text}]`));
    }
  }
  // The health body is run-time state, not demo data: the answer of a fresh SQLite server.
  byId.set(
    'HealthUp',
    envelope('ocpi', STATUS.SUCCESS, 'OK', JSON.stringify({ store: 'sqlite', status: 'up', outbox: 0 })),
  );
  byId.set(
    'HealthDown',
    envelope('ocpi', STATUS.SERVER_ERROR, 'Store unreachable', JSON.stringify({ store: 'down' })),
  );
  return {
    byId,
    error: (style, code, message) => envelope(style, code, message),
  };
}
