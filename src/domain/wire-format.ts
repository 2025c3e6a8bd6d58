// The wire formats a session is rendered in at write time (one stored body per format).
export const WIRE_FORMATS = ['ocpi-2.1.1', 'ocpi-2.2.1', 'camel-2.1.1', 'camel-2.2.1'] as const;
export type WireFormat = (typeof WIRE_FORMATS)[number];
export type OcpiVersion = '2.1.1' | '2.2.1';

export function wireFormatFor(style: 'ocpi' | 'camel', version: OcpiVersion): WireFormat {
  return `${style}-${version}`;
}
