// readJsonObjects: the objects of a JSON array, an envelope, a single object or NDJSON, the same whatever the
// chunks the text arrives in (split inside keys, strings, numbers and multi-byte characters); NDJSON lines that
// are not JSON reported in their place; a truncated JSON document fails after the objects before it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JsonTextError, readJsonObjects, type JsonObjectItem } from '../../src/wire/json-objects.js';

async function* chunked(text: string, size: number): AsyncGenerator<string> {
  // Split by code points, so a chunk boundary falls inside every kind of token (strings are decoded already:
  // the byte-level UTF-8 split is the CLI's StringDecoder's, covered by the import tests).
  const chars = [...text];
  for (let i = 0; i < chars.length; i += size) yield chars.slice(i, i + size).join('');
}

async function read(text: string, size: number): Promise<{ items: JsonObjectItem[]; error?: string }> {
  const items: JsonObjectItem[] = [];
  try {
    for await (const item of readJsonObjects(chunked(text, size))) items.push(item);
    return { items };
  } catch (e) {
    assert.ok(e instanceof JsonTextError, String(e));
    return { items, error: e.message };
  }
}

const SIZES = [1, 2, 3, 7, 64, 1_000_000];
const objects = [
  { id: 'a-1', kwh: 12.5, nested: { list: [1, 2, { deep: true }], text: 'é€😀 "quoted" \\ \n' } },
  { id: 'b-2', kwh: -0.001e3, nothing: null, flag: false },
  { id: 'c-3', empty: {}, none: [] },
];
const values = (r: { items: JsonObjectItem[] }) => r.items.map((i) => ('value' in i ? i.value : i));

describe('readJsonObjects', () => {
  for (const size of SIZES) {
    it(`chunks of ${size}: array, pretty array, envelope, single object, NDJSON`, async () => {
      assert.deepEqual(values(await read(JSON.stringify(objects), size)), objects);
      assert.deepEqual(values(await read(`\n  ${JSON.stringify(objects, null, 2)}\n`, size)), objects);
      const envelope = { status_code: 1000, data: objects, timestamp: '2025-01-01T00:00:00Z' };
      assert.deepEqual(values(await read(JSON.stringify(envelope, null, 1), size)), objects);
      assert.deepEqual(values(await read(JSON.stringify({ data: objects }), size)), objects);
      assert.deepEqual(values(await read(JSON.stringify(objects[0], null, 2), size)), [objects[0]]);
      assert.deepEqual(values(await read(JSON.stringify(objects[0]), size)), [objects[0]]);
      const nd = objects.map((o) => JSON.stringify(o)).join('\r\n') + '\n';
      assert.deepEqual(values(await read(nd, size)), objects);
      assert.deepEqual(values(await read(`\n\n  ${nd}`, size)), objects, 'NDJSON after blank lines');
    });

    it(`chunks of ${size}: NDJSON lines that are not JSON are reported in their place, blank lines skipped`, async () => {
      const text = `${JSON.stringify(objects[0])}\n\nnot json\n${JSON.stringify(objects[1])}\n{"cut": \n42`;
      assert.deepEqual(values(await read(text, size)), [
        objects[0],
        { problem: 'line 3 is not JSON: Unexpected token \'o\', "not json" is not valid JSON' },
        objects[1],
        { problem: `line 5 is not JSON: ${jsonError('{"cut": ')}` },
        42,
      ]);
    });

    it(`chunks of ${size}: a truncated array gives the objects before the cut, then the error`, async () => {
      const text = JSON.stringify(objects);
      const cut = text.indexOf('{"id":"c-3"') + 8;
      const r = await read(text.slice(0, cut), size);
      assert.deepEqual(values(r), objects.slice(0, 2));
      assert.match(r.error ?? '', /the JSON array ends early after \d+ characters \(truncated\?\)/);
    });
  }

  it('a "__proto__" key is an own property of its object, as with JSON.parse (no prototype is changed)', async () => {
    const text = '[{"id":"x","__proto__":{"polluted":true}}]';
    const [got] = values(await read(text, 3)) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(got!), ['id', '__proto__']);
    assert.equal(Object.getPrototypeOf(got), Object.prototype);
    assert.equal((got as { polluted?: unknown }).polluted, undefined);
    assert.deepEqual(Object.keys(JSON.parse(text)[0] as object), Object.keys(got!));
  });

  it('a JSON document with something after it, or broken inside, fails after the objects before the fault', async () => {
    const after = await read(`${JSON.stringify(objects.slice(0, 2), null, 2)}\n{"id":"late"}`, 5);
    assert.deepEqual(values(after), objects.slice(0, 2));
    assert.match(after.error ?? '', /^not valid JSON after character \d+: /);
    const broken = await read(`[${JSON.stringify(objects[0])}, {"id": tru}]`, 4);
    assert.deepEqual(values(broken), [objects[0]]);
    assert.match(broken.error ?? '', /^not valid JSON/);
  });

  it('empty and blank texts hold no objects', async () => {
    assert.deepEqual((await read('', 1)).items, []);
    assert.deepEqual((await read(' \n\t\n', 1)).items, []);
    assert.deepEqual(values(await read('[]', 1)), []);
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('parses');
}
