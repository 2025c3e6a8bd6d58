// Format `ocpi-2.2.1`: OCPI 2.2.1 Sessions, snake_case, string enums (FLAT dimensions dropped on render).
import { wireStyle } from '../../../../wire/kit/style.js';
import { makeCodec } from '../../../../wire/kit/codec.js';
import { session221Shape } from './session-shape.js';

export const ocpi221SessionCodec = makeCodec(session221Shape, wireStyle('ocpi-2.2.1'));

/** JSON Schema of an OCPI 2.2.1 Session (§9.3.1). */
export const Session221Schema = ocpi221SessionCodec.schema;
/** JSON Schema of an OCPI 2.2.1 Session PATCH body (§9.2.2: last_updated required). */
export const SessionPatch221Schema = ocpi221SessionCodec.patchSchema;
