// `import` reads its file as a stream (256 KiB chunks): JSON arrays and NDJSON larger than one chunk come back
// whole, objects and multi-byte characters split across chunk boundaries included; invalid objects are reported
// by their place as before; a truncated JSON array ends with a clear error after importing what came before it.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli, runCli } from '../support/cli.js';
import { tempDb } from '../support/server.js';

const CHUNK = 256 * 1024; // the CLI's read size (src/cli/commands/import.ts)

describe('import: streamed JSON arrays and NDJSON', () => {
  let dir: string;
  let lines: string[]; // the source's sessions, one OCPI 2.2.1 JSON text each
  let exported: string;
  before(() => {
    const source = tempDb('source.db');
    dir = path.dirname(source);
    cli(['demo', '--db', source, '--sessions', '500', '--now', '2025-06-01T00:00:00Z']);
    exported = cli(['export', '--db', source]);
    lines = exported.trim().split('\n');
    assert.equal(lines.length, 500);
    assert.ok(exported.length > 2 * CHUNK, 'the files span several chunks');
  });

  const file = (name: string, text: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const importInto = (f: string, extra: string[] = []) => {
    const db = tempDb('target.db');
    return { db, r: runCli(['import', '--db', db, f, ...extra]) };
  };

  for (const [name, text] of [
    ['array.json', () => `[\n${lines.join(',\n')}\n]\n`],
    ['compact.json', () => `[${lines.join(',')}]`],
    ['envelope.json', () => `{\n"status_code": 1000,\n"data": [${lines.join(',')}]\n}`],
    ['sessions.ndjson', () => exported],
  ] as const) {
    it(`${name}: every session imported, the store then exports the same sessions`, () => {
      const { db, r } = importInto(file(name, text()));
      assert.equal(r.status, 0, r.stderr);
      assert.match(
        r.stdout,
        /^imported 500 of 500 sessions \(created 500, updated 0, not newer than stored 0\); invalid 0$/m,
      );
      assert.equal(cli(['export', '--db', db]), exported);
    });
  }

  it('a JSON array with invalid objects: each reported by its place, the valid ones stored', () => {
    const bad = { ...(JSON.parse(lines[1]!) as object), id: 'bad-1', kwh: 'lots' };
    const text = `[${lines[0]},${JSON.stringify(bad)},42,"text",${lines[2]}]`;
    const { db, r } = importInto(file('mixed.json', text));
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stdout,
      /imported 2 of 5 sessions \(created 2, updated 0, not newer than stored 0\); invalid 3/,
    );
    assert.match(r.stderr, /^invalid object #2 \(id "bad-1"\): \$\.kwh: /m);
    assert.match(r.stderr, /^invalid object #3: \$: not a Session in any known format$/m);
    assert.match(r.stderr, /^invalid object #4: \$: not a Session in any known format$/m);
    assert.equal(cli(['export', '--db', db]).trim().split('\n').length, 2);
    const json = runCli(['import', '--db', db, path.join(dir, 'mixed.json'), '--json']);
    const report = JSON.parse(json.stdout) as {
      total: number;
      updated: number;
      invalid: { index: number }[];
    };
    assert.deepEqual([report.total, report.updated, report.invalid.map((p) => p.index)], [5, 2, [1, 2, 3]]);
  });

  for (const shape of ['ndjson', 'array'] as const) {
    it(`${shape}: a multi-byte character split by a chunk boundary is read whole`, () => {
      // An invalid object whose id holds '€' (3 bytes in UTF-8) with the boundary after its first byte; the
      // report names the id as written. Blank space (between lines or array elements) moves it into place.
      const head = shape === 'ndjson' ? `${lines[0]}\n` : `[${lines[0]},`;
      const bad = '{"id":"€uro","kwh":"x"}';
      const before = Buffer.byteLength(head) + Buffer.byteLength('{"id":"');
      const pad = ' '.repeat(CHUNK - 1 - before - 1) + '\n';
      const text = head + pad + bad + (shape === 'ndjson' ? `\n${lines[1]}\n` : `,${lines[1]}]`);
      assert.deepEqual(
        [...Buffer.from(text).subarray(CHUNK - 1, CHUNK + 2)],
        [...Buffer.from('€')],
        'the boundary cuts the character',
      );
      const { r } = importInto(file(`euro.${shape}`, text));
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stdout, /imported 2 of 3 sessions/);
      assert.match(r.stderr, /^invalid object #2 \(id "€uro"\): /m);
      assert.doesNotMatch(r.stderr, /\uFFFD/);
    });
  }

  it('a truncated JSON array: exit 1, what was imported before the cut is stored and reported, with the reason', () => {
    const whole = `[\n${lines.join(',\n')}\n]\n`;
    const cut = `[\n${lines.slice(0, 300).join(',\n')},\n${lines[300]!.slice(0, 40)}`;
    assert.ok(whole.startsWith(cut));
    const f = file('truncated.json', cut);
    const { db, r } = importInto(f);
    assert.equal(r.status, 1);
    assert.match(
      r.stdout,
      /^imported 300 of 300 sessions \(created 300, updated 0, not newer than stored 0\); invalid 0$/m,
    );
    assert.match(
      r.stderr,
      /truncated\.json: reading stopped after object #300: the JSON array ends early after \d+ characters \(truncated\?\)/,
    );
    assert.equal(cli(['export', '--db', db]), lines.slice(0, 300).join('\n') + '\n');
    const json = runCli(['import', '--db', db, f, '--json']);
    assert.equal(json.status, 1);
    const report = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.equal(report.total, 300);
    assert.equal(report.updated, 300);
    assert.match(String(report.error), /the JSON array ends early/);
    assert.equal(readFileSync(f, 'utf8'), cut, 'the file is only read');
  });
});
