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

export function writeJson(node: JsonNode): string {
  // Appended to one string (no array per object, no join): rendering is on the write path of every session.
  if (node instanceof JsonObject) {
    let out = '{';
    for (const [k, v] of node.entries) out += `${out.length > 1 ? ',' : ''}${quotedKey(k)}:${writeJson(v)}`;
    return `${out}}`;
  }
  if (Array.isArray(node)) {
    let out = '[';
    for (let i = 0; i < node.length; i++) out += `${i > 0 ? ',' : ''}${writeJson(node[i] as JsonNode)}`;
    return `${out}]`;
  }
  return JSON.stringify(node);
}

/** Keys are the field lists' names (a fixed, small set): each is quoted once, not on every render. */
const QUOTED = new Map<string, string>();
function quotedKey(k: string): string {
  let q = QUOTED.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (QUOTED.size < 4096) QUOTED.set(k, q);
  }
  return q;
}
