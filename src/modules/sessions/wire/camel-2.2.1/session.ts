// Format `camel-2.2.1`: the 2.2.1 sibling of the documented API: the OCPI 2.2.1 Session shape in camelCase
// with integer enums (the same tables as camel-2.1.1, so FLAT = 13 is kept).
import type { CamelCandidate } from '../../../../wire/camel/enum-tables.js';
import { wireStyle } from '../../../../wire/kit/style.js';
import { session221Shape } from '../ocpi-2.2.1/session-shape.js';
import { makeCodec } from '../../../../wire/kit/codec.js';
import type { SessionCodec } from '../rules.js';

export function camel221SessionCodec(candidate: CamelCandidate = 'A'): SessionCodec {
  return makeCodec(session221Shape, wireStyle('camel-2.2.1', candidate));
}

export const camel221Session = camel221SessionCodec();

/** JSON Schema of a camel 2.2.1 Session (enum candidate A; B has the same integer ranges). */
export const SessionCamel221Schema = camel221Session.schema;
export const SessionPatchCamel221Schema = camel221Session.patchSchema;
