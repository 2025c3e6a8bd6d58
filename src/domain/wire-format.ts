// The wire formats a session is rendered in at write time (one stored body per format). Append only: a format's
// index is part of the stored bodies' keys (store/sqlite/schema.ts page_bodies ids, PostgreSQL page_bodies.fmt).
export const WIRE_FORMATS = ['ocpi-2.1.1', 'ocpi-2.2.1', 'camel-2.1.1', 'camel-2.2.1', 'ocpi-2.3.0'] as const;
export type WireFormat = (typeof WIRE_FORMATS)[number];
/** The OCPI versions spoken here, oldest first (the order of the versions list and of the documents). */
export const OCPI_VERSIONS = ['2.1.1', '2.2.1', '2.3.0'] as const;
export type OcpiVersion = (typeof OCPI_VERSIONS)[number];
/** The same, most preferred first: both sides use the highest version they share (OCPI 2.2.1 §7.4.1). */
export const VERSION_PREFERENCE: readonly OcpiVersion[] = [...OCPI_VERSIONS].reverse();
/**
 * The versions the camelCase/integer format is defined for. Its integer tables cannot carry OCPI 2.3.0's open
 * enums (an unknown value has no integer), so there is no camel 2.3.0 (README "Versions"): a camel partner speaks
 * 2.2.1 at most.
 */
export const CAMEL_VERSIONS: readonly OcpiVersion[] = ['2.1.1', '2.2.1'];
const CAMEL_LATEST = CAMEL_VERSIONS.at(-1)!;
/**
 * The one answer to a camel partner on a version without the camel format: the sender and receiver (HTTP 404 +
 * 2001), a push to a camel partner registered over 2.3.0 (parked with it), `schema --format camel --version 2.3.0`.
 */
export const NO_CAMEL_MESSAGE =
  `The camelCase format is defined for OCPI ${CAMEL_VERSIONS.join(' and ')} only: use the ${CAMEL_LATEST} URLs, ` +
  `and register camel partners with --version ${CAMEL_LATEST} (there is no camel 2.3.0, README "Versions")`;

/** Is the style defined on this version? (camel: 2.1.1 and 2.2.1 only.) */
export function styleSpeaks(style: 'ocpi' | 'camel', version: OcpiVersion): boolean {
  return style === 'ocpi' || CAMEL_VERSIONS.includes(version);
}

/** The format a partner of this style gets on this version; throws for camel on 2.3.0 (check styleSpeaks). */
export function wireFormatFor(style: 'ocpi' | 'camel', version: OcpiVersion): WireFormat {
  if (!styleSpeaks(style, version)) throw new Error(NO_CAMEL_MESSAGE);
  return `${style}-${version}` as WireFormat;
}

/**
 * OCPI 2.2 rules that 2.3.0 keeps (2.1.1 lacks them): roles in credentials and endpoints, routing headers,
 * Base64 tokens, a Session PATCH appending its charging periods, the CdrToken in a Session.
 */
/** The OCPI version of a wire format (`ocpi-2.3.0` → `2.3.0`). */
export function versionOf(format: WireFormat): OcpiVersion {
  return format.slice(format.indexOf('-') + 1) as OcpiVersion;
}

export function since22(version: OcpiVersion): boolean {
  return version !== '2.1.1';
}
