// What distinguishes the wire formats once the object shape (2.1.1, 2.2.1 or 2.3.0) is fixed: key naming,
// enum encoding, which enum values a render may carry, whether open enums take any value, how empty lists are written.
import type { WireFormat } from '../../domain/wire-format.js';
import { camelEnumTables, type CamelCandidate, type EnumTables } from '../camel/enum-tables.js';

/** The enum values a format may carry when rendering: one OCPI version's lists, or the canonical union. */
export type EnumDomain = 'ocpi-2.1.1' | 'ocpi-2.2.1' | 'ocpi-2.3.0' | 'canonical';

export interface WireStyle {
  readonly format: WireFormat;
  readonly naming: 'snake' | 'camel';
  readonly enums: 'names' | 'integers';
  readonly domain: EnumDomain;
  /** OCPI 2.3.0 types §OpenEnum: the open enums (domain/enums.ts OPEN_ENUMS) accept and carry any string. */
  readonly openEnums: boolean;
  /** Integer tables (used when `enums` is 'integers'). */
  readonly tables: EnumTables;
  /**
   * Empty `*` lists: OCPI says they may be omitted (we omit, so spec examples round-trip); the camel
   * contract documents every list, so clients built from it get `[]`.
   */
  readonly emptyLists: 'omit' | 'emit';
}

export function wireStyle(format: WireFormat, candidate: CamelCandidate = 'A'): WireStyle {
  const camel = format.startsWith('camel-');
  return {
    format,
    naming: camel ? 'camel' : 'snake',
    enums: camel ? 'integers' : 'names',
    // The camel formats use one set of integer enums (the canonical union) for both versions (ocpi-notes §1.1).
    domain: camel ? 'canonical' : (format as Exclude<EnumDomain, 'canonical'>),
    openEnums: format === 'ocpi-2.3.0',
    tables: camelEnumTables(candidate),
    emptyLists: camel ? 'emit' : 'omit',
  };
}

/** The wire key of a field named `snake` in the OCPI spec; `raw` keys keep the spec name in every style. */
export function wireKey(w: WireStyle, snake: string, raw = false): string {
  if (raw || w.naming === 'snake') return snake;
  // Remembered: every render asks again for the same few dozen field names (measured: a regex per key per render
  // was a fifth of a camel render).
  let camel = CAMEL_KEYS.get(snake);
  if (camel === undefined) {
    camel = snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    CAMEL_KEYS.set(snake, camel);
  }
  return camel;
}

/** camelCase of the spec's field names (a fixed, small set: the field lists'). */
const CAMEL_KEYS = new Map<string, string>();

/** `$.a.b` path of a field chain given by spec names, in the style's naming. */
export function fieldPath(w: WireStyle, ...snake: string[]): string {
  return ['$', ...snake.map((k) => wireKey(w, k))].join('.');
}
