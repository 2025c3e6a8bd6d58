// ResponseBuffers: large response bodies reuse memory once handed back, never while in use.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseBuffers } from '../../src/http/response-buffers.js';

describe('ResponseBuffers', () => {
  it('hands out buffers of at least the asked size, distinct while in use, reused after release', () => {
    const pool = new ResponseBuffers(1024 * 1024);
    const a = pool.acquire(100_000);
    const b = pool.acquire(100_000);
    assert.ok(a.length >= 100_000 && b.length >= 100_000);
    assert.notEqual(a.buffer, b.buffer, 'two buffers in use never share memory');
    pool.release(a.subarray(0, 10)); // a response sends a view of the part it filled
    const c = pool.acquire(90_000);
    assert.equal(c.buffer, a.buffer, 'a released buffer of the same size class is reused');
    assert.equal(c.length, a.length, 'whole capacity again, not the released view');
    const d = pool.acquire(90_000);
    assert.notEqual(d.buffer, a.buffer, 'and handed out once only');
  });

  it('keeps at most the configured bytes for reuse', () => {
    const pool = new ResponseBuffers(300_000);
    const held = [pool.acquire(200_000), pool.acquire(200_000)]; // 256 KiB each
    for (const h of held) pool.release(h);
    const again = [pool.acquire(200_000), pool.acquire(200_000)];
    const reused = again.filter((x) => held.some((h) => h.buffer === x.buffer)).length;
    assert.equal(reused, 1, 'only one 256 KiB buffer fits under 300 000 bytes');
  });
});
