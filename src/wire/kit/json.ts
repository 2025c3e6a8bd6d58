// Ordered JSON output: objects are written in the order their keys were added (the wire format's fixed key
// order), scalars as JSON.stringify writes them (proper string escaping), nothing is ever written as null.

export type JsonNode = string | number | boolean | readonly JsonNode[] | JsonObject;

/**
 * An output object: a plain object whose members are written in the order they were added. JavaScript keeps
 * string keys in insertion order, except integer-like keys (which come first) and `__proto__` (which sets the
 * prototype): `isOrderedKey` refuses those, and object.ts checks every field list with it once.
 */
export interface JsonObject {
  [key: string]: JsonNode;
}

export function isOrderedKey(key: string): boolean {
  return key !== '__proto__' && !/^(0|[1-9][0-9]*)$/.test(key);
}

/**
 * One native JSON.stringify of the whole tree: the result is one flat string. Appending the pieces in JavaScript
 * (`out += ...`) built a rope of thousands of small strings per render that the garbage collector copied while a
 * batch of renders waited for its transaction (measured: 35-45 % of `demo`'s CPU).
 */
export function writeJson(node: JsonNode): string {
  return JSON.stringify(node);
}
