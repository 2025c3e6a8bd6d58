// parseDateTime reads the usual forms (`…:09Z`, `…:09.123Z`) digit by digit and everything else by its pattern:
// both must give the same instant, or both none. The same text with a lower-case `z` (or `+00:00`) is read by the
// pattern, so it is the reference for every text of the usual forms, valid or not.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDateTime } from '../../src/domain/datetime.js';

/** Reads `text` by the pattern: the same instant written with a lower-case z. */
const byPattern = (text: string) => parseDateTime(`${text.slice(0, -1)}z`);

/** A seeded generator (mulberry32): the runs compare. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('parseDateTime', () => {
  it('reads instants of years 100 to 9999 as written (with and without milliseconds)', () => {
    const next = random(16);
    const lo = Date.UTC(100, 0, 1);
    const hi = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    for (let i = 0; i < 20_000; i++) {
      const ms = Math.floor(lo + next() * (hi - lo));
      const iso = new Date(ms).toISOString();
      assert.equal(parseDateTime(iso), ms, iso);
      assert.equal(parseDateTime(`${iso.slice(0, 19)}Z`), ms - (((ms % 1000) + 1000) % 1000), iso);
      assert.equal(parseDateTime(iso.replace('Z', '+00:00')), ms, iso);
    }
  });

  it('agrees with the pattern on every text of the usual forms, valid or not', () => {
    const next = random(3);
    const pick = (n: number) => String(Math.floor(next() * n)).padStart(2, '0');
    const texts = [
      '2024-02-29T12:00:00Z', // leap year
      '2023-02-29T12:00:00Z', // not one
      '1900-02-29T00:00:00Z', // not one (century)
      '2000-02-29T00:00:00Z', // one (400)
      '2024-04-31T00:00:00Z',
      '2024-12-31T23:59:59.999Z',
      '2024-00-10T00:00:00Z',
      '2024-13-10T00:00:00Z',
      '2024-01-00T00:00:00Z',
      '2024-01-10T24:00:00Z',
      '2024-01-10T23:60:00Z',
      '2024-01-10T23:59:60Z',
      '0000-01-01T00:00:00Z', // Date.UTC reads years 0-99 as 1900-1999
      '0000-02-29T00:00:00Z', // so no such day (1900), though year 0 would have one
      '0099-12-31T23:59:59Z',
      '0100-01-01T00:00:00Z',
      '2024-01-1xT00:00:00Z',
      '2024-01-10 00:00:00Z',
      '2024-01-10T00:00:00,123Z',
      '2024-01-10T00:00:00.12xZ',
      '+024-01-10T00:00:00Z',
      '2024/01/10T00:00:00Z',
      '2024-01-10T00:00:00.000Z',
      '2024-01-10T00:00:00.001Z',
      '2024-01-10T00:00:00.009Z',
      '2024-01-10T00:00:00.999Z',
    ];
    for (let i = 0; i < 20_000; i++) {
      const year = String(Math.floor(next() * 10_000)).padStart(4, '0');
      const fraction = next() < 0.5 ? '' : `.${String(Math.floor(next() * 1000)).padStart(3, '0')}`;
      texts.push(`${year}-${pick(14)}-${pick(33)}T${pick(26)}:${pick(62)}:${pick(62)}${fraction}Z`);
    }
    for (const text of texts) assert.equal(parseDateTime(text), byPattern(text), text);
  });
});
