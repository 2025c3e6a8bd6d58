// The objects of a JSON or NDJSON text that arrives in chunks (a file of any size): a JSON array, an OCPI
// envelope ({"data": [...]}), a single object, or NDJSON (one value per line). Nothing holds more than one object
// (plus, for NDJSON, one line) in memory.
//
// JSON documents are parsed by @streamparser/json: a maintained, dependency-free streaming parser (TypeScript
// types included) that takes chunks split anywhere, multi-byte characters included, emits each element of a
// selected path as soon as it is complete and drops it from its parent (`keepStack: false`), and stores a
// "__proto__" key as an own property as JSON.parse does. NDJSON is split into lines here so that a line that is
// not JSON is reported and the next line read, which a streaming parser cannot do after a syntax error.
import { JSONParser } from '@streamparser/json';

/** One object of the text, or a line of NDJSON that is not JSON (reported in its place). */
export type JsonObjectItem = { value: unknown } | { problem: string };

/** The text is a JSON document that breaks off (truncated) or is not JSON: nothing after this can be read. */
export class JsonTextError extends Error {}

export async function* readJsonObjects(chunks: AsyncIterable<string>): AsyncGenerator<JsonObjectItem> {
  const source = chunks[Symbol.asyncIterator]();
  // What was read to decide the shape: up to the first non-blank character, and for '{' the first line.
  let head = '';
  let next = await source.next();
  while (!next.done && head.trim() === '') {
    head += next.value;
    if (head.trim() === '') next = await source.next();
  }
  if (head.trim() === '') return; // empty (or blank) text: no objects
  const rest = remaining(source);
  const first = head.trimStart()[0];
  if (first === '[') {
    yield* jsonDocument(head, rest, 'array');
    return;
  }
  if (first === '{') {
    // One object per line (NDJSON), or one JSON document over several lines: the first line tells (read on
    // until it ends; each chunk is searched once).
    const start = head.length - head.trimStart().length;
    for (let searched = start; head.indexOf('\n', searched) < 0;) {
      searched = head.length;
      const more = await source.next();
      if (more.done) break;
      head += more.value;
    }
    const end = head.indexOf('\n', start);
    const firstLine = head.slice(start, end < 0 ? undefined : end);
    if (!parses(firstLine)) {
      yield* jsonDocument(head, rest, 'object');
      return;
    }
  }
  yield* ndjson(head, rest);
}

async function* remaining(source: AsyncIterator<string>): AsyncGenerator<string> {
  for (let r = await source.next(); !r.done; r = await source.next()) yield r.value;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * A JSON document: an array's elements, an envelope's `data` elements, or (an object without a `data` array) the
 * object itself, rebuilt from its members as they are emitted.
 */
async function* jsonDocument(
  head: string,
  rest: AsyncIterable<string>,
  shape: 'array' | 'object',
): AsyncGenerator<JsonObjectItem> {
  const parser = new JSONParser({
    paths: shape === 'array' ? ['$.*'] : ['$.*', '$.data.*'],
    keepStack: false,
  });
  const ready: unknown[] = [];
  let envelope = false;
  const single: Record<string, unknown> = {};
  parser.onValue = ({ value, key, stack }) => {
    if (shape === 'array' || (stack.length === 2 && typeof key === 'number')) ready.push(value);
    else if (stack.length === 1 && typeof key === 'string') {
      if (key === 'data' && Array.isArray(value)) envelope = true;
      else
        Object.defineProperty(single, key, { value, enumerable: true, writable: true, configurable: true });
    }
  };
  let read = 0;
  const feed = function* (chunk: string): Generator<JsonObjectItem> {
    try {
      parser.write(chunk);
    } catch (e) {
      yield* ready.splice(0).map((value) => ({ value }));
      throw new JsonTextError(`not valid JSON after character ${read}: ${(e as Error).message}`);
    }
    read += chunk.length;
    yield* ready.splice(0).map((value) => ({ value }));
  };
  yield* feed(head);
  for await (const chunk of rest) yield* feed(chunk);
  if (!parser.isEnded)
    throw new JsonTextError(
      `the JSON ${shape === 'array' ? 'array' : 'document'} ends early after ${read} characters (truncated?)`,
    );
  if (shape === 'object' && !envelope) yield { value: single };
}

/** NDJSON: each non-blank line is one value; a line that is not JSON is a problem in its place. */
async function* ndjson(head: string, rest: AsyncIterable<string>): AsyncGenerator<JsonObjectItem> {
  let lineNo = 0;
  let pending: string[] = []; // the pieces of a line not ended yet (a long line arrives in many chunks)
  // The first value is held back: a file of one line that is an envelope gives its `data` elements.
  let held: JsonObjectItem | undefined;
  let count = 0;
  function* line(text: string): Generator<JsonObjectItem> {
    lineNo += 1;
    if (text.trim() === '') return;
    let item: JsonObjectItem;
    try {
      item = { value: JSON.parse(text) as unknown };
    } catch (e) {
      item = { problem: `line ${lineNo} is not JSON: ${(e as Error).message}` };
    }
    count += 1;
    if (count === 1) held = item;
    else {
      if (held) yield held;
      held = undefined;
      yield item;
    }
  }
  function* lines(chunk: string): Generator<JsonObjectItem> {
    const parts = chunk.split('\n');
    if (parts.length === 1) {
      pending.push(chunk);
      return;
    }
    pending.push(parts[0]!);
    yield* line(pending.join(''));
    for (const text of parts.slice(1, -1)) yield* line(text);
    pending = [parts[parts.length - 1]!];
  }
  yield* lines(head);
  for await (const chunk of rest) yield* lines(chunk);
  if (pending.join('') !== '') yield* line(pending.join(''));
  if (held) {
    const data = 'value' in held ? envelopeData(held.value) : undefined;
    if (data) yield* data.map((value) => ({ value }));
    else yield held;
  }
}

function envelopeData(value: unknown): unknown[] | undefined {
  const data = value && typeof value === 'object' ? (value as { data?: unknown }).data : undefined;
  return Array.isArray(data) ? data : undefined;
}
