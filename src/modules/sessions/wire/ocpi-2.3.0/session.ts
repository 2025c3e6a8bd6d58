// Format `ocpi-2.3.0`: OCPI 2.3.0 Sessions, snake_case, string enums, open enums kept. The Session is 2.2.1's but
// for `total_cost` (2.3.0 types §Price: before_taxes + taxes).
import { wireStyle } from '../../../../wire/kit/style.js';
import { makeCodec } from '../../../../wire/kit/codec.js';
import { price230 } from '../../../../wire/shared/price.js';
import { sessionSince22 } from '../ocpi-2.2.1/session-shape.js';

export const ocpi230SessionCodec = makeCodec(
  sessionSince22(price230, 'OCPI 2.3.0 mod_sessions §Session.'),
  wireStyle('ocpi-2.3.0'),
);

/** JSON Schema of an OCPI 2.3.0 Session. */
export const Session230Schema = ocpi230SessionCodec.schema;
/** JSON Schema of an OCPI 2.3.0 Session PATCH body (last_updated required, as in 2.2.1). */
export const SessionPatch230Schema = ocpi230SessionCodec.patchSchema;
