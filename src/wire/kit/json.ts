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
  if (node instanceof JsonObject) {
    return `{${node.entries.map(([k, v]) => `${JSON.stringify(k)}:${writeJson(v)}`).join(',')}}`;
  }
  if (Array.isArray(node)) return `[${node.map(writeJson).join(',')}]`;
  return JSON.stringify(node);
}
