// The Sessions module in the OpenAPI document: the Sender GET's page schemas and the examples of its component
// schemas, real renders of demo sessions by the wire codecs (never hand-written objects).
import type { TSchema } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { PartnerFormat } from '../../../domain/party.js';
import type { Session } from '../../../domain/session.js';
import {
  OCPI_VERSIONS,
  NO_CAMEL_MESSAGE,
  styleSpeaks,
  WIRE_FORMATS,
  wireFormatFor,
  type OcpiVersion,
  type WireFormat,
} from '../../../domain/wire-format.js';
import { generateDemoSessions } from '../../../demo/demo-data.js';
import { STATUS } from '../../../http/envelope.js';
import { EXAMPLE_DEMO, exampleEnvelope } from '../../../http/openapi/examples.js';
import { listPageSchema } from '../../../http/openapi/schemas.js';
import { wireKey } from '../../../wire/kit/style.js';
import { codecFor } from '../wire/codecs.js';

const SESSION = { name: 'Session', plural: 'sessions', item: (f: WireFormat) => codecFor(f).schema };

/** One page of the Sessions sender GET in one style and version: `data` is the list of Session objects. */
export function sessionsPageSchema(style: PartnerFormat, version: OcpiVersion): TSchema {
  return listPageSchema(style, version, SESSION);
}

/** The 200 body of `GET /ocpi/cpo/{version}/sessions`: one of the two styles, never a mix. */
export function sessionsResponseSchema(version: OcpiVersion): TSchema {
  const paging = 'Pagination headers: X-Total-Count, X-Limit, Link (next page only).';
  if (!styleSpeaks('camel', version))
    return Type.Unsafe({
      description:
        `A page of sessions: the standard OCPI ${version} envelope and Session objects. A "camel" partner is ` +
        `answered HTTP 404 with status_code 2001: "${NO_CAMEL_MESSAGE}". ${paging}`,
      oneOf: [sessionsPageSchema('ocpi', version)],
    });
  return Type.Unsafe({
    description:
      'A page of sessions. The format configured for the calling partner decides the shape: "ocpi" partners ' +
      `get the standard OCPI ${version} envelope and Session objects, "camel" partners the documented ` +
      `camelCase / integer-enum format. ${paging}`,
    oneOf: [sessionsPageSchema('ocpi', version), sessionsPageSchema('camel', version)],
  });
}

/** The fields a Session PATCH example carries (spec names), when the render has them. */
const PATCH_FIELDS = ['kwh', 'status', 'total_cost', 'end_datetime', 'end_date_time', 'last_updated'];

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

/** Examples of the Session, Session PATCH and Sessions page schemas, by `$id`. */
export function sessionExamples(): Map<string, unknown> {
  const sessions = pickSessions();
  const byId = new Map<string, unknown>();
  for (const format of WIRE_FORMATS) {
    const style: PartnerFormat = format.startsWith('camel-') ? 'camel' : 'ocpi';
    const codec = codecFor(format);
    const rendered = JSON.parse(codec.render(sessions[style])) as Record<string, unknown>;
    byId.set(String(codec.schema.$id), rendered);
    byId.set(String(codec.patchSchema.$id), patchOf(format, rendered));
  }
  for (const style of ['ocpi', 'camel'] as const) {
    for (const version of OCPI_VERSIONS.filter((v) => styleSpeaks(style, v))) {
      const text = codecFor(wireFormatFor(style, version)).render(sessions[style]);
      const id = String(sessionsPageSchema(style, version).$id);
      byId.set(id, exampleEnvelope(style, STATUS.SUCCESS, 'Success', `[${text}]`));
    }
  }
  return byId;
}
