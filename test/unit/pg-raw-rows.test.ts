// The raw-rows reader of src/store/postgres/raw-rows.ts against a server's byte stream cut at every position: the
// socket delivers chunks of any size, so a DataRow (or just its 5-byte header) may be split anywhere, over many
// chunks. Every field must come out as its exact bytes, every other message must reach node-postgres' parser whole
// and in order, and at ReadyForQuery the socket's data goes back to that parser (with anything after it).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { RawRowsQuery, type RawRow } from '../../src/store/postgres/raw-rows.js';

function message(code: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(code, 0, 'latin1');
  head.writeUInt32BE(payload.length + 4, 1);
  return Buffer.concat([head, payload]);
}

function dataRow(fields: Array<Buffer | null>): Buffer {
  const parts: Buffer[] = [Buffer.from([fields.length >> 8, fields.length & 0xff])];
  for (const f of fields) {
    const len = Buffer.alloc(4);
    len.writeInt32BE(f === null ? -1 : f.length);
    parts.push(len);
    if (f) parts.push(f);
  }
  return message('D', Buffer.concat(parts));
}

const rows: Array<Array<Buffer | null>> = [
  [Buffer.from('1'), Buffer.from('{"a":"ré € 😀 \\\\ \\""}'), null, Buffer.from('7')],
  [Buffer.from('2'), Buffer.from(''), Buffer.from('12'), Buffer.from('7')],
  [Buffer.from('3'), Buffer.from(`{"big":"${'x€'.repeat(300)}"}`), Buffer.from('12'), Buffer.from('7')],
  [Buffer.from('4'), Buffer.from('{}'), Buffer.from('12'), Buffer.from('7')],
];
const before = [message('1', Buffer.alloc(0)), message('2', Buffer.alloc(0))];
const complete = message('C', Buffer.from('SELECT 4\0'));
const ready = message('Z', Buffer.from('I'));
const after = message('N', Buffer.from('Snotice\0\0')); // anything the server sent behind ReadyForQuery
const stream = Buffer.concat([...before, ...rows.map(dataRow), complete, ready, after]);
const forPg = Buffer.concat([...before, complete, ready, after]);

/** Runs one query over `chunks` of the stream: its rows, and the bytes node-postgres' parser was handed. */
function run(chunks: Buffer[]): { got: RawRow[]; pg: Buffer; restored: boolean } {
  const socket = new EventEmitter() as EventEmitter & { cork(): void; uncork(): void };
  socket.cork = socket.uncork = () => undefined;
  const pgBytes: Buffer[] = [];
  const pgListener = (b: Buffer) => pgBytes.push(Buffer.from(b));
  socket.on('data', pgListener);
  const sent: string[] = [];
  const q = new RawRowsQuery('stmt', 'SELECT 1', [1, 'x']);
  let got: RawRow[] = [];
  q.callback = (err, r) => {
    assert.equal(err, null);
    got = r!;
  };
  q.submit({
    stream: socket as never,
    parsedStatements: {},
    submittedNamedStatements: {},
    parse: () => sent.push('parse'),
    bind: () => sent.push('bind'),
    execute: () => sent.push('execute'),
    sync: () => sent.push('sync'),
  });
  assert.deepEqual(sent, ['parse', 'bind', 'execute', 'sync']);
  for (const c of chunks) socket.emit('data', c);
  q.handleReadyForQuery(); // what node-postgres does on the ReadyForQuery it was handed
  const listeners = socket.listeners('data');
  return { got, pg: Buffer.concat(pgBytes), restored: listeners.length === 1 && listeners[0] === pgListener };
}

function check(chunks: Buffer[], what: string): void {
  const { got, pg, restored } = run(chunks);
  assert.deepEqual(
    got.map((r) => r.map((f) => (f === null ? null : f.toString('utf8')))),
    rows.map((r) => r.map((f) => (f === null ? null : f.toString('utf8')))),
    what,
  );
  for (const [i, r] of got.entries())
    for (const [j, f] of r.entries()) if (f) assert.ok(f.equals(rows[i]![j]!));
  assert.ok(pg.equals(forPg), `${what}: node-postgres was handed other bytes`);
  assert.ok(restored, `${what}: the socket was not given back`);
}

describe('raw rows off the socket', () => {
  it('one chunk, and chunks of every size from 1 byte to the whole stream', () => {
    for (let size = 1; size <= stream.length; size++) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length; at += size) chunks.push(stream.subarray(at, at + size));
      check(chunks, `chunks of ${size}`);
    }
  });

  it('two chunks cut at every position', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      check([stream.subarray(0, cut), stream.subarray(cut)], `cut at ${cut}`);
    }
  });

  it('a named statement already parsed on the connection is only bound and executed', () => {
    const socket = new EventEmitter();
    socket.on('data', () => undefined);
    const sent: string[] = [];
    new RawRowsQuery('stmt', 'SELECT 1', []).submit({
      stream: socket as never,
      parsedStatements: { stmt: 'SELECT 1' },
      submittedNamedStatements: {},
      parse: () => sent.push('parse'),
      bind: () => sent.push('bind'),
      execute: () => sent.push('execute'),
      sync: () => sent.push('sync'),
    });
    assert.deepEqual(sent, ['bind', 'execute', 'sync']);
  });

  it("a socket that is not node-postgres' alone: the query fails (reported by pg), the socket is left as it was", () => {
    const socket = new EventEmitter();
    const a = () => undefined;
    const b = () => undefined;
    socket.on('data', a).on('data', b);
    const sent: string[] = [];
    const err = new RawRowsQuery('stmt', 'SELECT 1', []).submit({
      stream: socket as never,
      parsedStatements: {},
      submittedNamedStatements: {},
      parse: () => sent.push('parse'),
      bind: () => sent.push('bind'),
      execute: () => sent.push('execute'),
      sync: () => sent.push('sync'),
    });
    assert.match(String(err), /expected one data listener, found 2/);
    assert.deepEqual(sent, []);
    assert.deepEqual(socket.listeners('data'), [a, b]);
  });
});
