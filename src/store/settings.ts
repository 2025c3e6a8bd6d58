// Typed settings: small values a store keeps besides the objects (this instance's identity, the ingest token's
// hash, the public URL, what a pull remembers). Each is declared once, by the use case that owns it, with its key
// and how its value is stored; nobody else reads or writes a setting by a key string (SessionStore.readSetting /
// writeSetting take the declaration). The stored forms are those of earlier releases, so existing data reads.

export interface Setting<T> {
  /** The key in the store's meta table. */
  readonly key: string;
  encode(value: T): string;
  /** The value, or undefined when the stored text cannot be read (treated as no value). */
  decode(raw: string): T | undefined;
}

/** A setting stored as JSON; `check`, when given, refuses a value of another shape. */
export function jsonSetting<T>(key: string, check?: (v: unknown) => v is T): Setting<T> {
  return {
    key,
    encode: (value) => JSON.stringify(value),
    decode: (raw) => {
      try {
        const v = JSON.parse(raw) as unknown;
        return check && !check(v) ? undefined : (v as T);
      } catch {
        return undefined;
      }
    },
  };
}

/** A setting stored as plain text. */
export function textSetting(key: string): Setting<string> {
  return { key, encode: (value) => value, decode: (raw) => raw };
}
