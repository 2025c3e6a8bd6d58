// The wire formats a session is rendered in at write time (one stored body per format).
export const WIRE_FORMATS = ['ocpi-2.1.1', 'ocpi-2.2.1', 'camel-2.1.1', 'camel-2.2.1'] as const;
export type WireFormat = (typeof WIRE_FORMATS)[number];
/** The OCPI versions spoken here, oldest first (the order of the versions list and of the documents). */
export const OCPI_VERSIONS = ['2.1.1', '2.2.1'] as const;
export type OcpiVersion = (typeof OCPI_VERSIONS)[number];
/** The same, most preferred first: both sides use the highest version they share (OCPI 2.2.1 §7.4.1). */
export const VERSION_PREFERENCE: readonly OcpiVersion[] = [...OCPI_VERSIONS].reverse();

export function wireFormatFor(style: 'ocpi' | 'camel', version: OcpiVersion): WireFormat {
  return `${style}-${version}`;
}
