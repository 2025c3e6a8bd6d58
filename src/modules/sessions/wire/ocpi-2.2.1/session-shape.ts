// The OCPI 2.2.1 Session (§9.3.1) and its mapping to the canonical Session, which is a superset of it.
// Shared by the `ocpi-2.2.1` and `camel-2.2.1` formats; `ocpi-2.3.0` changes only the Price (sessionSince22).
import type { CdrToken, Price, Session } from '../../../../domain/session.js';
import { enumOf } from '../../../../wire/kit/enum.js';
import { objectCodec } from '../../../../wire/kit/object.js';
import { dateTime, list, num, str, type ValueCodec } from '../../../../wire/kit/value.js';
import { price221 } from '../../../../wire/shared/price.js';
import { checkEndNotBeforeStart, type SessionShape } from '../rules.js';
import { chargingPeriod } from '../../../../wire/shared/charging-period.js';

/** A 2.2.1 Session names its location by ids only (no embedded Location). */
export type Session221Record = Omit<Session, 'location'>;

export const cdrToken221 = objectCodec<CdrToken>(
  {
    title: 'CdrToken',
    description: 'OCPI 2.2.1 §10.4.5 / 2.3.0 mod_cdrs §CdrToken: the token that started the session.',
  },
  (f) => [
    f.req('country_code', 'countryCode', str(2)),
    f.req('party_id', 'partyId', str(3)),
    f.req('uid', 'uid', str(36)),
    f.req('type', 'type', enumOf('TokenType')),
    f.req('contract_id', 'contractId', str(36)),
  ],
);

/**
 * The Session of 2.2.1 (§9.3.1) and 2.3.0 (mod_sessions §Session): the same fields, but for the Price of
 * `total_cost` (2.3.0 types §Price); `description` cites the version.
 */
export function sessionSince22(
  price: ValueCodec<Price>,
  description: string,
): SessionShape<Session221Record> {
  return { ...session221Shape, object: sessionObject(price, description) };
}

const sessionObject = (price: ValueCodec<Price>, description: string) =>
  objectCodec<Session221Record>({ title: 'Session', description }, (f) => [
    f.req('country_code', 'countryCode', str(2, { description: 'ISO 3166 alpha-2 of the CPO' })),
    f.req('party_id', 'partyId', str(3)),
    f.req('id', 'id', str(36)),
    f.req('start_date_time', 'startDateTime', dateTime),
    f.opt('end_date_time', 'endDateTime', dateTime),
    f.req('kwh', 'kwh', num()),
    f.req('cdr_token', 'cdrToken', cdrToken221),
    f.req('auth_method', 'authMethod', enumOf('AuthMethod')),
    f.opt('authorization_reference', 'authorizationReference', str(36)),
    f.req('location_id', 'locationId', str(36)),
    // OCPI 2.2.1 §9.3.1: `#NA` is allowed here for a reservation not bound to an EVSE yet.
    f.req('evse_uid', 'evseUid', str(36)),
    f.req('connector_id', 'connectorId', str(36)),
    f.opt('meter_id', 'meterId', str(255)),
    f.req('currency', 'currency', str(3, { description: 'ISO 4217' })),
    f.opt('charging_periods', 'chargingPeriods', list(chargingPeriod)),
    f.opt('total_cost', 'totalCost', price),
    f.req('status', 'status', enumOf('SessionStatus')),
    f.req('last_updated', 'lastUpdated', dateTime),
  ]);

export const session221Shape: SessionShape<Session221Record> = {
  object: sessionObject(price221, 'OCPI 2.2.1 §9.3.1 Session.'),
  // OCPI 2.2.1 §9.2.2: "Any request to the PATCH method SHALL contain the last_updated field."
  name: 'Session',
  patchRequired: ['last_updated'],
  toModel(rec, _ctx, cx) {
    checkEndNotBeforeStart(rec.startDateTime, rec.endDateTime, cx, 'end_date_time');
    // No location is embedded: `location` stays undefined.
    return rec as Session221Record;
  },
  toPatch(rec, _ctx, cx) {
    checkEndNotBeforeStart(rec.startDateTime, rec.endDateTime, cx, 'end_date_time');
    // Charging periods are returned as carried; OCPI 2.2.1 §9.2.2 (append) is the service's business.
    return rec;
  },
  fromModel: (s) => s,
};
