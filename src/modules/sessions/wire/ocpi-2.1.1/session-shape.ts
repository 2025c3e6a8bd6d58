// The OCPI 2.1.1 Session (mod_sessions §3.1) and its mapping to the canonical Session. Shared by the
// `ocpi-2.1.1` and `camel-2.1.1` formats (the latter is this shape in camelCase with integer enums).
import type { CdrToken, Session } from '../../../../domain/session.js';
import type { SessionPatch } from '../../../../domain/session.js';
import type { ParseContext } from '../../../../wire/codec.js';
import { enumOf } from '../../../../wire/kit/enum.js';
import { objectCodec } from '../../../../wire/kit/object.js';
import { fieldPath } from '../../../../wire/kit/style.js';
import { dateTime, list, mapped, num, str, type DecodeCx } from '../../../../wire/kit/value.js';
import { checkEndNotBeforeStart, type SessionShape } from '../rules.js';
import { chargingPeriod } from '../../../../wire/shared/charging-period.js';
import { location211 } from '../../../../wire/ocpi-2.1.1/location.js';
import { narrowToSession, stubLocation } from '../../../../wire/ocpi-2.1.1/stub-location.js';

/** What a 2.1.1 Session holds, in model terms: no parties, no token, the place only as the embedded location. */
export type Session211Record = Omit<
  Session,
  'countryCode' | 'partyId' | 'cdrToken' | 'authorizationReference' | 'locationId' | 'evseUid' | 'connectorId'
> & { authId: string };

const session211 = objectCodec<Session211Record>(
  { title: 'Session', description: 'OCPI 2.1.1 mod_sessions §3.1 Session, with its Location embedded.' },
  (f) => [
    f.req('id', 'id', str(36)),
    f.req('start_datetime', 'startDateTime', dateTime),
    f.opt('end_datetime', 'endDateTime', dateTime),
    f.req('kwh', 'kwh', num()),
    f.req('auth_id', 'authId', str(36), { description: 'Token.auth_id (the contract id)' }),
    f.req('auth_method', 'authMethod', enumOf('AuthMethod')),
    f.req('location', 'location', location211, {
      description: 'The Location, holding only the EVSE and Connector of the session',
    }),
    f.opt('meter_id', 'meterId', str(255)),
    f.req('currency', 'currency', str(3, { description: 'ISO 4217' })),
    f.opt('charging_periods', 'chargingPeriods', list(chargingPeriod)),
    // OCPI 2.1.1 mod_sessions §3.1: total_cost is a number excluding VAT, i.e. Price.excl_vat (2.2.1 §16.5).
    f.opt(
      'total_cost',
      'totalCost',
      mapped(
        num(),
        (exclVat) => ({ exclVat }),
        (price) => price.exclVat,
      ),
      { description: 'Excluding VAT' },
    ),
    f.req('status', 'status', enumOf('SessionStatus')),
    f.req('last_updated', 'lastUpdated', dateTime),
  ],
);

// OCPI 2.1.1 mod_sessions §3.1: auth_id references Token.auth_id; the session names no eMSP, so the token's
// owner comes from the context. uid = contract_id = auth_id, type OTHER (2.1.1 has no token type here).
function tokenOf(authId: string | undefined, ctx: ParseContext, cx: DecodeCx): CdrToken | undefined {
  if (!ctx.emsp) {
    cx.issues.add('$', 'token owner unknown: a 2.1.1 session does not name the eMSP of its token');
    return undefined;
  }
  if (authId === undefined) return undefined;
  const { countryCode, partyId } = ctx.emsp;
  return { countryCode, partyId, uid: authId, type: 'OTHER', contractId: authId };
}

// OCPI 2.1.1 mod_sessions §3.1: the location holds "only the relevant EVSE and connector". More than one is
// accepted (first EVSE, its first connector; the location is kept as sent); none is an issue.
function placeOf(location: Session211Record['location'], cx: DecodeCx) {
  if (!location) return undefined;
  const evse = location.evses?.[0];
  const connector = evse?.connectors?.[0];
  if (!evse || !connector) {
    cx.issues.add(
      fieldPath(cx.w, 'location', 'evses'),
      'must hold the EVSE (with its connector) of the session (OCPI 2.1.1 mod_sessions §3.1)',
    );
    return undefined;
  }
  return { locationId: location.id, evseUid: evse.uid, connectorId: connector.id };
}

export const session211Shape: SessionShape<Session211Record> = {
  object: session211,
  // OCPI 2.1.1 mod_sessions §2.2.3: a PATCH carries any subset of fields; last_updated is not required.
  name: 'Session',
  patchRequired: [],
  toModel(rec, ctx, cx) {
    const { authId, ...rest } = rec;
    const cdrToken = tokenOf(authId, ctx, cx);
    const place = placeOf(rec.location, cx);
    checkEndNotBeforeStart(rec.startDateTime, rec.endDateTime, cx, 'end_datetime');
    if (!cdrToken || !place) return undefined;
    // The CPO owning the session is the party we talk to (2.1.1 sessions carry no country_code/party_id).
    const { countryCode, partyId } = ctx.cpo;
    return { ...(rest as Omit<Session211Record, 'authId'>), countryCode, partyId, cdrToken, ...place };
  },
  toPatch(rec, ctx, cx) {
    const { authId, ...rest } = rec;
    const patch: SessionPatch = { ...rest };
    if (authId !== undefined) {
      const cdrToken = tokenOf(authId, ctx, cx);
      if (cdrToken) patch.cdrToken = cdrToken;
    }
    if (rec.location !== undefined) Object.assign(patch, placeOf(rec.location, cx));
    checkEndNotBeforeStart(rec.startDateTime, rec.endDateTime, cx, 'end_datetime');
    return patch;
  },
  fromModel(s) {
    return {
      id: s.id,
      startDateTime: s.startDateTime,
      endDateTime: s.endDateTime,
      kwh: s.kwh,
      // OCPI 2.1.1 mod_sessions §3.1 auth_id = the contract id of the 2.2.1 CdrToken (§10.4.5).
      authId: s.cdrToken.contractId,
      authMethod: s.authMethod,
      location: s.location ? narrowToSession(s.location, s) : stubLocation(s),
      meterId: s.meterId,
      currency: s.currency,
      chargingPeriods: s.chargingPeriods,
      totalCost: s.totalCost,
      status: s.status,
      lastUpdated: s.lastUpdated,
    };
  },
};
