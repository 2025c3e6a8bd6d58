// Format `ocpi-2.1.1`: OCPI 2.1.1 Sessions, snake_case, string enums (down-mapped on render).
import { wireStyle } from '../../../../wire/kit/style.js';
import { makeCodec } from '../../../../wire/kit/codec.js';
import { session211Shape } from './session-shape.js';

export const ocpi211SessionCodec = makeCodec(session211Shape, wireStyle('ocpi-2.1.1'));

/** JSON Schema of an OCPI 2.1.1 Session (mod_sessions §3.1), Location embedded. */
export const Session211Schema = ocpi211SessionCodec.schema;
/** JSON Schema of an OCPI 2.1.1 Session PATCH body (mod_sessions §2.2.3). */
export const SessionPatch211Schema = ocpi211SessionCodec.patchSchema;
