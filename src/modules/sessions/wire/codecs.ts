// One SessionCodec per wire format, and the render of a session in all of them (stored at write time).
import type { Session } from '../../../domain/session.js';
import { WIRE_FORMATS, type WireFormat } from '../../../domain/wire-format.js';
import type { CamelCandidate } from '../../../wire/camel/enum-tables.js';
import { camel211SessionCodec, camel211Session } from './camel-2.1.1/session.js';
import { camel221SessionCodec, camel221Session } from './camel-2.2.1/session.js';
import { ocpi211SessionCodec } from './ocpi-2.1.1/session.js';
import { ocpi221SessionCodec } from './ocpi-2.2.1/session.js';
import { ocpi230SessionCodec } from './ocpi-2.3.0/session.js';
import type { SessionCodec } from './rules.js';

export interface CodecOptions {
  /** Integer tables of the camel formats (ocpi-notes §1.3); default A. No effect on the OCPI formats. */
  camelEnums?: CamelCandidate;
}

const camelB: Partial<Record<WireFormat, SessionCodec>> = {};

export function codecFor(format: WireFormat, options: CodecOptions = {}): SessionCodec {
  const b = options.camelEnums === 'B';
  switch (format) {
    case 'ocpi-2.1.1':
      return ocpi211SessionCodec;
    case 'ocpi-2.2.1':
      return ocpi221SessionCodec;
    case 'ocpi-2.3.0':
      return ocpi230SessionCodec;
    case 'camel-2.1.1':
      return b ? (camelB[format] ??= camel211SessionCodec('B')) : camel211Session;
    case 'camel-2.2.1':
      return b ? (camelB[format] ??= camel221SessionCodec('B')) : camel221Session;
  }
}

/** The session rendered in every wire format. */
export function renderAll(session: Session, options: CodecOptions = {}): Record<WireFormat, string> {
  const out = {} as Record<WireFormat, string>;
  for (const format of WIRE_FORMATS) out[format] = codecFor(format, options).render(session);
  return out;
}
