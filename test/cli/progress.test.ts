// `demo` and `import` report progress on stderr like `pull`: with stderr not a terminal, a line every
// --progress-interval seconds (0: after every batch) and the final state at the end; results stay on stdout.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { cli, runCliAsync } from '../support/cli.js';
import { tempDb } from '../support/server.js';

const lines = (stderr: string, label: string) => stderr.split('\n').filter((l) => l.startsWith(`${label}: `));

describe('progress of demo and import (stderr not a terminal)', () => {
  let ndjson: string;
  before(() => {
    const db = tempDb('progress-source.db');
    cli(['demo', '--db', db, '--sessions', '2500', '--now', '2025-06-01T00:00:00Z']);
    ndjson = path.join(path.dirname(db), 'sessions.ndjson');
    cli(['export', '--db', db, '--out', ndjson]);
    appendFileSync(ndjson, 'not json\n');
  });

  it('demo --progress-interval 0: a line per batch of 2000 and the last one, count of total, %, rate, ETA', async () => {
    const r = await runCliAsync(['demo', '--db', tempDb(), '--sessions', '5000', '--progress-interval', '0']);
    assert.equal(r.status, 0, r.stderr);
    const got = lines(r.stderr, 'demo');
    assert.equal(got.length, 3, r.stderr);
    const parsed = got.map((l) => {
      const m = /^demo: (\d+) of 5000 sessions \((\d+)%\), (\d+)\/s, ETA (\d+:\d\d)$/.exec(l);
      assert.ok(m, l);
      return [Number(m[1]), Number(m[2])];
    });
    assert.deepEqual(parsed, [
      [2000, 40],
      [4000, 80],
      [5000, 100],
    ]);
    assert.match(got[2]!, /ETA 0:00$/);
    assert.ok(!r.stderr.includes('\r'), 'no bar redraws when stderr is not a terminal');
    assert.match(r.stdout, /^wrote 5000 demo sessions in/);
  });

  it('import --progress-interval 0: a line per 1000 sessions and the last one, share of the file read, counts', async () => {
    const r = await runCliAsync(['import', '--db', tempDb(), ndjson, '--progress-interval', '0']);
    assert.equal(r.status, 1, r.stderr); // the last line is not JSON
    const got = lines(r.stderr, 'import');
    const parsed = got.map((l) => {
      const m =
        /^import: (\d+) sessions \((\d+)%\), (\d+)\/s(?:, ETA \d+:\d\d)?; created (\d+), updated 0, not newer 0, invalid (\d+)$/.exec(
          l,
        );
      assert.ok(m, l);
      return { read: Number(m[1]), pct: Number(m[2]), created: Number(m[4]), invalid: Number(m[5]) };
    });
    assert.deepEqual(
      parsed.map((p) => [p.read, p.created, p.invalid]),
      [
        [1000, 1000, 0],
        [2000, 2000, 0],
        [2501, 2500, 1],
      ],
    );
    assert.ok(parsed.every((p, i) => i === 0 || p.pct >= parsed[i - 1]!.pct));
    assert.equal(parsed[2]!.pct, 100);
    assert.match(r.stdout, /^imported 2500 of 2501 sessions/);
    assert.ok(!r.stderr.includes('\r'));
  });

  it('import and demo with a long interval: the first line and the final state only', async () => {
    const imported = await runCliAsync(['import', '--db', tempDb(), ndjson, '--progress-interval', '3600']);
    assert.deepEqual(
      lines(imported.stderr, 'import').map((l) => /^import: (\d+) /.exec(l)?.[1]),
      ['1000', '2501'],
    );
    const demo = await runCliAsync([
      'demo',
      '--db',
      tempDb(),
      '--sessions',
      '5000',
      '--progress-interval',
      '3600',
    ]);
    assert.deepEqual(
      lines(demo.stderr, 'demo').map((l) => /^demo: (\d+) /.exec(l)?.[1]),
      ['2000', '5000'],
    );
  });

  it('a bad --progress-interval is a usage error', async () => {
    for (const command of [['demo'], ['import', ndjson]]) {
      const r = await runCliAsync([...command, '--db', tempDb(), '--progress-interval', 'soon']);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /--progress-interval must be a number of seconds/);
    }
  });
});
