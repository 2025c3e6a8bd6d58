// The crawl's table of sightings (src/client/sighting-table.ts) answers exactly as a Map of the same keys would:
// past every growth of its arrays and buffer, for keys whose hashes collide in the slots, for keys with
// characters above U+00FF, for keys that are prefixes of each other, and for places unknown.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SightingTable } from '../../src/client/sighting-table.js';

describe('SightingTable', () => {
  it('gives back what was last set for each of 50 000 keys, and nothing for keys never set', () => {
    const table = new SightingTable();
    const model = new Map<string, { lastUpdated: number; position: number | undefined }>();
    const keys: string[] = [];
    for (let i = 0; i < 50_000; i++) keys.push(`NL-OCS/${(i * 2654435761) % 2 ** 32}-${i}`);
    // Prefixes of each other, an empty id, and ids beyond one byte per character.
    keys.push('NL-OCS/', 'NL-OCS/A', 'NL-OCS/AB', 'NL-OCS/ÅÄÖ', 'NL-OCS/Ω-1', 'NL-OCS/Ω-12', 'NL-OCS/😀');
    keys.forEach((k, i) => {
      const seen = { lastUpdated: 1.7e12 + i, position: i % 3 === 0 ? undefined : i };
      table.set(k, seen.lastUpdated, seen.position);
      model.set(k, seen);
    });
    // Overwrites: a later sighting of every seventh key, at another place (or none).
    keys.forEach((k, i) => {
      if (i % 7 !== 0) return;
      const seen = { lastUpdated: 1.8e12 + i, position: i % 2 === 0 ? undefined : i + 1 };
      table.set(k, seen.lastUpdated, seen.position);
      model.set(k, seen);
    });
    assert.equal(table.size, model.size);
    for (const [k, seen] of model) assert.deepEqual(table.get(k), seen, k);
    for (const k of ['NL-OCS/0-', 'NL-OCS/ABC', 'NL-OCS/Ω', 'NL-OCT/A', 'nl-ocs/a', ''])
      assert.equal(table.get(k), undefined, k);
  });

  it('tells apart keys of the same length and the same 32-bit hash', () => {
    // FNV-1a collisions found by search: the table must compare the keys themselves.
    const table = new SightingTable();
    table.set('NL-OCS/S0062789', 1, 10);
    table.set('NL-OCS/S0279192', 2, undefined);
    table.set('NL-OCS/S0062788', 3, 30);
    assert.deepEqual(table.get('NL-OCS/S0062789'), { lastUpdated: 1, position: 10 });
    assert.deepEqual(table.get('NL-OCS/S0279192'), { lastUpdated: 2, position: undefined });
    assert.deepEqual(table.get('NL-OCS/S0062788'), { lastUpdated: 3, position: 30 });
    assert.equal(table.get('NL-OCS/S0279193'), undefined);
    assert.equal(table.size, 3);
  });
});
