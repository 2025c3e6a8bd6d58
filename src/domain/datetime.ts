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

/** Renders an instant as an OCPI DateTime: `2015-06-29T20:39:09Z` (or `.123Z` with milliseconds). */
export function formatDateTime(ms: Millis): string {
  let text = RECENT.get(ms);
  if (text === undefined) {
    const iso = new Date(ms).toISOString();
    text = iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
    if (RECENT.size >= RECENT_MAX) RECENT.clear();
    RECENT.set(ms, text);
  }
  return text;
}
// The same instants are written once per stored wire format (and a session's periods share their neighbours'
// ends): the last few thousand are kept. Bounded: cleared when full.
const RECENT = new Map<number, string>();
const RECENT_MAX = 4096;
