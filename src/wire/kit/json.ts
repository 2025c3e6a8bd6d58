// Ordered JSON output: objects are written in the order their keys were added (the wire format's fixed key
// order), every scalar goes through JSON.stringify (proper string escaping), nothing is ever written as null.

export type JsonNode = string | number | boolean | readonly JsonNode[] | JsonObject;

export class JsonObject {
  readonly entries: Array<readonly [string, JsonNode]> = [];
  set(key: string, value: JsonNode): this {
    this.entries.push([key, value]);
    return this;
  }
  get(key: string): JsonNode | undefined {
    return this.entries.find(([k]) => k === key)?.[1];
  }
}

// Written by concatenation, keys quoted once (KEYS): every stored body of every format goes through here at write
// time, and map/join with a template per entry measured 3x the time of this loop (docs/performance.md, pull).
const KEYS = new Map<string, string>();
function quotedKey(k: string): string {
  let q = KEYS.get(k);
  if (q === undefined) {
    q = `${JSON.stringify(k)}:`;
    // The keys are the wire formats' field names: a few hundred at most. Bounded all the same.
    if (KEYS.size < 10_000) KEYS.set(k, q);
  }
  return q;
}

export function writeJson(node: JsonNode): string {
  if (node instanceof JsonObject) {
    let out = '{';
    const { entries } = node;
    for (let i = 0; i < entries.length; i++) {
      const [k, v] = entries[i]!;
      out += (i === 0 ? '' : ',') + quotedKey(k) + writeJson(v);
    }
    return `${out}}`;
  }
  if (Array.isArray(node)) {
    let out = '[';
    for (let i = 0; i < node.length; i++) out += (i === 0 ? '' : ',') + writeJson(node[i]!);
    return `${out}]`;
  }
  return JSON.stringify(node);
}
