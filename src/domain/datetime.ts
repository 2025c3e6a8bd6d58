// OCPI DateTime (2.1.1 types §1.2, 2.2.1 §16.2): UTC, `Z` optional, fractional seconds allowed.
// Parsing is permissive (missing `Z`, any fraction length, an explicit ±HH:MM offset is converted);
// emission is strict: UTC with `Z`, whole seconds unless the instant has milliseconds.
import type { Millis } from './location.js';

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$/;

/** Parses an OCPI DateTime; returns undefined when the text is not one. */
export function parseDateTime(text: unknown): Millis | undefined {
  if (typeof text !== 'string' || text.length > 40) return undefined;
  return canonicalDateTime(text) ?? parseAnyDateTime(text);
}

/** Days of each month in a common year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The digit at `at`, else -1. */
function digit(text: string, at: number): number {
  const d = text.charCodeAt(at) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

/** The number of the `n` digits at `at`, else -1. */
function readDigits(text: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = digit(text, i);
    if (d < 0) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * The instant of a valid DateTime in the form every OCPI party sends and we write, `2015-06-29T20:39:09Z` or
 * `2015-06-29T20:39:09.123Z`, read digit by digit: the same instant parseAnyDateTime gives, at a fraction of its
 * cost (no regex, no Date object; a session carries a dozen DateTimes, parsed on every write received). Undefined for
 * anything else, valid or not (years before 100 included: Date.UTC reads them as 19xx), left to parseAnyDateTime.
 */
function canonicalDateTime(text: string): Millis | undefined {
  const n = text.length;
  if ((n !== 20 && n !== 24) || text.charCodeAt(n - 1) !== 0x5a /* Z */) return undefined;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':') {
    return undefined;
  }
  const year = readDigits(text, 0, 4);
  const month = readDigits(text, 5, 2);
  const day = readDigits(text, 8, 2);
  const hour = readDigits(text, 11, 2);
  const minute = readDigits(text, 14, 2);
  const second = readDigits(text, 17, 2);
  if (year < 100 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return undefined;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : MONTH_DAYS[month - 1]!)) return undefined;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (n === 24) {
    if (text[19] !== '.' || readDigits(text, 20, 3) < 0) return undefined;
    ms += Math.floor(Number(`0.${text.slice(20, 23)}`) * 1000); // as parseAnyDateTime, to the same bit
  }
  return ms;
}

/** parseDateTime of any form the DATETIME pattern allows. */
function parseAnyDateTime(text: string): Millis | undefined {
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
