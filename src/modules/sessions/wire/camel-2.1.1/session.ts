// Format `camel-2.1.1`: the documented API (api-contract/fetch-sessions.txt): the OCPI 2.1.1 Session shape in
// camelCase with integer enums (canonical value sets, ocpi-notes §1.3), plus chargingPeriods[].tariffId.
import type { CamelCandidate } from '../../../../wire/camel/enum-tables.js';
import { wireStyle } from '../../../../wire/kit/style.js';
import { session211Shape } from '../ocpi-2.1.1/session-shape.js';
import { makeCodec } from '../../../../wire/kit/codec.js';
import type { SessionCodec } from '../rules.js';

export function camel211SessionCodec(candidate: CamelCandidate = 'A'): SessionCodec {
  return makeCodec(session211Shape, wireStyle('camel-2.1.1', candidate));
}

export const camel211Session = camel211SessionCodec();

/** JSON Schema of a camel 2.1.1 Session (enum candidate A; B has the same integer ranges). */
export const SessionCamel211Schema = camel211Session.schema;
export const SessionPatchCamel211Schema = camel211Session.patchSchema;
