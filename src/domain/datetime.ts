// OCPI DateTime (2.1.1 types §1.2, 2.2.1 §16.2): UTC, `Z` optional, fractional seconds allowed.
// Parsing is permissive (missing `Z`, any fraction length, an explicit ±HH:MM offset is converted);
// emission is strict: UTC with `Z`, whole seconds unless the instant has milliseconds.
import type { Millis } from './location.js';

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$/;

/** Parses an OCPI DateTime; returns undefined when the text is not one. */
export function parseDateTime(text: unknown): Millis | undefined {
  if (typeof text !== 'string' || text.length > 40) return undefined;
  const m = DATETIME.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y),
    month = Number(mo),
    day = Number(d);
  const hour = Number(h),
    minute = Number(mi),
    second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  if (check.getUTCDate() !== day) return undefined; // e.g. 2023-02-30
  if (frac) ms += Math.floor(Number(`0.${frac}`) * 1000);
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms;
}

/**
 * A DateTime of a URL's query string: as parseDateTime, and a '+' of an offset that arrived decoded as a space
 * (the client did not URL-encode it) is read as the '+' it was.
 */
export function parseQueryDateTime(raw: string): Millis | undefined {
  return parseDateTime(raw.replace(/ (\d{2}:?\d{2})$/, '+$1'));
}

/** An optional instant (undefined, or 0 for "never") as an OCPI DateTime, else null. */
export function formatOptionalDateTime(ms: Millis | undefined): string | null {
  return ms === undefined || ms <= 0 ? null : formatDateTime(ms);
}

/** Renders an instant as an OCPI DateTime: `2015-06-29T20:39:09Z` (or `.123Z` with milliseconds). */
export function formatDateTime(ms: Millis): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}
