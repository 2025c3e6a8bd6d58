// The wire kit writes objects in the field list's order with one JSON.stringify (src/wire/kit/json.ts): a field
// list whose key JavaScript would not keep in insertion order (integer-like, `__proto__`) is refused up front.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { objectCodec } from '../../src/wire/kit/object.js';
import { writeJson } from '../../src/wire/kit/json.js';
import { int, str } from '../../src/wire/kit/value.js';
import { wireStyle } from '../../src/wire/kit/style.js';

interface Row {
  b: string;
  a: number;
  z?: string;
}
const meta = { title: 'Row', description: 'test object' };

describe('ordered JSON output', () => {
  it('writes the field list order, escapes strings, leaves absent fields out', () => {
    const codec = objectCodec<Row>(meta, (f) => [
      f.req('zeta_key', 'b', str(10)),
      f.req('alpha_key', 'a', int()),
      f.opt('mid_key', 'z', str(10)),
    ]);
    const w = wireStyle('ocpi-2.2.1');
    assert.equal(
      writeJson(codec.encode({ b: 'x"\u2028y', a: 2 }, w)!),
      '{"zeta_key":"x\\"\u2028y","alpha_key":2}',
    );
    const camel = wireStyle('camel-2.2.1');
    assert.equal(
      writeJson(codec.encode({ b: 'q', a: 1, z: 'm' }, camel)!),
      '{"zetaKey":"q","alphaKey":1,"midKey":"m"}',
    );
  });

  for (const key of ['0', '12', '__proto__'])
    it(`refuses the key '${key}' (not kept in insertion order)`, () => {
      assert.throws(
        () => objectCodec<Row>(meta, (f) => [f.req('b', 'b', str(1)), f.req(key, 'a', int())]),
        /cannot be an ordered JSON key/,
      );
    });
});
