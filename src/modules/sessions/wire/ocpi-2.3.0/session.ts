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
