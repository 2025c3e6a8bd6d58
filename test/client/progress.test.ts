// Pull progress: the TTY bar (pages, sessions, rate, ETA from X-Total-Count) and the periodic non-TTY lines.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  createPullProgressReporter as createProgressReporter,
  progressBar,
  progressLine,
} from '../../src/cli/pull-progress.js';
import type { PullProgress } from '../../src/client/progress.js';

const at = (received: number, elapsedMs: number, total?: number): PullProgress => ({
  pages: received / 100,
  received,
  position: received,
  total,
  limit: 100,
  sessions: { new: received - 5, updated: 5, unchanged: 0 },
  repeated: 0,
  invalid: 1,
  retries: 2,
  corrections: 0,
  moved: 0,
  rewinds: 0,
  authFallbacks: 0,
  elapsedMs,
});

describe('pull progress', () => {
  it('log line: position of X-Total-Count, percentage, rate and ETA', () => {
    assert.equal(
      progressLine(at(300, 1000, 1000)),
      'pull: 3 pages, 300 of 1000 sessions (30%), 300/s, ETA 0:02; new 295, updated 5, unchanged 0, invalid 1, retries 2, corrections 0',
    );
    // Without X-Total-Count: no percentage, no ETA.
    assert.equal(
      progressLine(at(200, 2000)),
      'pull: 2 pages, 200 sessions, 100/s; new 195, updated 5, unchanged 0, invalid 1, retries 2, corrections 0',
    );
  });

  it('bar: filled in proportion, with pages, sessions, rate, ETA, retries and invalid count, within the width', () => {
    const bar = progressBar(at(300, 1000, 1000), 100);
    assert.match(
      bar,
      /^\[(█+)(░+)\] {2}30% 3 pages · 300\/1000 sessions · 300\/s · ETA 0:02 · 2 retries · 1 invalid$/,
    );
    const [, filled, empty] = /^\[(█+)(░+)\]/.exec(bar)!;
    assert.equal(Math.round((filled!.length / (filled!.length + empty!.length)) * 10), 3);
    assert.ok(bar.length < 100);
    assert.ok(progressBar(at(300, 1000, 1000), 40).length <= 39);
  });

  it('TTY: one line redrawn with \\r (at most every 100 ms), ended by a newline', () => {
    const writes: string[] = [];
    let t = 0;
    const r = createProgressReporter(
      { isTTY: true, columns: 100, write: (x: string) => writes.push(x) },
      {
        intervalMs: 5000,
        now: () => t,
      },
    );
    r.update(at(100, 100, 1000));
    t = 50;
    r.update(at(200, 150, 1000)); // too soon: not drawn
    t = 200;
    r.update(at(300, 300, 1000));
    r.done();
    assert.equal(writes.length, 3);
    assert.ok(writes.every((w) => w.startsWith('\r') && !w.slice(0, -1).includes('\n')));
    assert.ok(writes[2]!.endsWith('\n'));
    assert.match(writes[1]!, / 30% 3 pages/);
  });

  it('non-TTY: a log line at the first page, then every interval, and the last state at the end', () => {
    const writes: string[] = [];
    let t = 0;
    const r = createProgressReporter(
      { isTTY: false, write: (x: string) => writes.push(x) },
      {
        intervalMs: 5000,
        now: () => t,
      },
    );
    for (const [time, n] of [
      [0, 100],
      [1000, 200],
      [6000, 300],
      [7000, 400],
    ] as const) {
      t = time;
      r.update(at(n, time + 1, 400));
    }
    r.done();
    assert.deepEqual(
      writes.map((w) => /^pull: (\d+) pages/.exec(w)?.[1]),
      ['1', '3', '4'],
    );
    assert.ok(writes.every((w) => w.endsWith('\n') && !w.includes('\r')));
  });

  it('TTY reporting 0 columns: drawn for 80, as for an unknown width', () => {
    const widths = [0, undefined].map((columns) => {
      const writes: string[] = [];
      const r = createProgressReporter(
        { isTTY: true, columns, write: (x: string) => writes.push(x) },
        { intervalMs: 5000, now: () => 0 },
      );
      r.update(at(300, 1000, 1000));
      r.done();
      return writes;
    });
    assert.deepEqual(widths[0], widths[1]);
    // Not the 20-column cut a width of 0 gave: the bar and as much of the tail as fits in 79 columns.
    const drawn = widths[0]![1]!;
    assert.ok(drawn.startsWith('\r') && drawn.endsWith('\x1b[K\n'));
    const line = drawn.slice(1, -'\x1b[K\n'.length);
    assert.equal(line, progressBar(at(300, 1000, 1000), 80));
    assert.equal(line.length, 79);
    assert.match(line, /^\[█+░+\] {2}30% 3 pages · 300\/1000 sessions · 300\/s · ETA 0:02 · 2 retries/);
  });

  it('without X-Total-Count: the last line shows the sessions received, not the offset of the empty last page', () => {
    const writes: string[] = [];
    let t = 0;
    const r = createProgressReporter(
      { isTTY: false, write: (x: string) => writes.push(x) },
      { intervalMs: 5000, now: () => t },
    );
    // A resumed crawl (this run received 200) that ends with an empty page at offset 400, no X-Total-Count.
    r.update({ ...at(100, 1000), position: 300 });
    t = 1000;
    r.update({ ...at(200, 2000), position: 400 });
    t = 2000;
    r.update({ ...at(200, 3000), pages: 3, position: 400 });
    r.done();
    assert.match(writes[0]!, /^pull: 1 pages, 100 sessions, 100\/s; new 95/);
    assert.match(writes.at(-1)!, /^pull: 3 pages, 200 sessions, 67\/s; new 195/);
    const bar = progressBar({ ...at(200, 3000), pages: 3, position: 400 }, 80);
    assert.match(bar, / 3 pages · 200 sessions · 67\/s/);
  });
});
