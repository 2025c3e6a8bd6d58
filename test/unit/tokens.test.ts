// Token generation: printable, long enough, unique, and never mistaken for a command-line option.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateToken } from '../../src/service/tokens.js';

describe('generateToken', () => {
  it('yields 43-character Base64url tokens that start with a letter or digit', () => {
    const seen = new Set<string>();
    // With plain Base64url, 2 of 64 first characters are '-' or '_': 5 000 draws hit one ~always.
    for (let i = 0; i < 5000; i++) {
      const token = generateToken();
      assert.match(token, /^[A-Za-z0-9][A-Za-z0-9_-]{42}$/);
      seen.add(token);
    }
    assert.equal(seen.size, 5000);
  });
});
