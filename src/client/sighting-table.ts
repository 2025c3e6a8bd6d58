// The crawl's memory of every session seen (shift.ts): key → last_updated and place, for up to millions of keys.
//
// Hand-written hash table, for a reason measured (docs/performance.md, sixth round, pull): a Map of key strings to
// `{ lastUpdated, position }` objects took ~200 bytes of JS heap per session, every one of them traced by each
// full garbage collection, and V8 grows the heap to a multiple of what is live, so a crawl of 1 000 000 sessions
// peaked at 1.09 GB RSS. Here the keys are bytes in one growing buffer and the values typed arrays (open
// addressing, linear probing): ~90 bytes per session outside the JS heap, nothing for the collector to trace,
// and the key strings die young. Exact: keys are compared byte for byte (a key with a character above U+00FF,
// which a session id is not in practice, is kept in a Map instead).

/** A sighting as remembered: its last_updated and its place in the list (undefined when not known). */
export interface Seen {
  lastUpdated: number;
  position: number | undefined;
}

const EMPTY = 0;

export class SightingTable {
  /** Slot → entry number + 1 (EMPTY: free). Capacity a power of 2, at most half full. */
  private slots = new Int32Array(1024);
  private keyStart = new Float64Array(512);
  private keyLength = new Int32Array(512);
  private hashes = new Int32Array(512);
  private lastUpdated = new Float64Array(512);
  /** NaN: place unknown. */
  private positions = new Float64Array(512);
  private bytes = new Uint8Array(64 * 1024);
  private used = 0;
  private count = 0;
  /** Keys that do not fit one byte per character. */
  private readonly wide = new Map<string, Seen>();

  get size(): number {
    return this.count + this.wide.size;
  }

  get(key: string): Seen | undefined {
    const h = hashOf(key);
    if (h === undefined) return this.wide.get(key);
    const e = this.find(key, h);
    if (e < 0) return undefined;
    const p = this.positions[e]!;
    return { lastUpdated: this.lastUpdated[e]!, position: Number.isNaN(p) ? undefined : p };
  }

  set(key: string, lastUpdated: number, position: number | undefined): void {
    const h = hashOf(key);
    if (h === undefined) {
      this.wide.set(key, { lastUpdated, position });
      return;
    }
    let e = this.find(key, h);
    if (e < 0) e = this.add(key, h);
    this.lastUpdated[e] = lastUpdated;
    this.positions[e] = position ?? NaN;
  }

  /** The entry of `key`, or -1. */
  private find(key: string, h: number): number {
    const mask = this.slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const v = this.slots[s]!;
      if (v === EMPTY) return -1;
      const e = v - 1;
      if (this.hashes[e] === h && this.equals(e, key)) return e;
    }
  }

  private equals(e: number, key: string): boolean {
    if (this.keyLength[e] !== key.length) return false;
    const start = this.keyStart[e]!;
    for (let i = 0; i < key.length; i++) if (this.bytes[start + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  private add(key: string, h: number): number {
    const e = this.count;
    if (e === this.hashes.length) this.growEntries();
    if (this.used + key.length > this.bytes.length) this.bytes = grown(this.bytes, this.used + key.length);
    for (let i = 0; i < key.length; i++) this.bytes[this.used + i] = key.charCodeAt(i);
    this.keyStart[e] = this.used;
    this.keyLength[e] = key.length;
    this.hashes[e] = h;
    this.used += key.length;
    this.count += 1;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(e);
    return e;
  }

  private place(e: number): void {
    const mask = this.slots.length - 1;
    let s = this.hashes[e]! & mask;
    while (this.slots[s] !== EMPTY) s = (s + 1) & mask;
    this.slots[s] = e + 1;
  }

  private rehash(capacity: number): void {
    this.slots = new Int32Array(capacity);
    for (let e = 0; e < this.count; e++) this.place(e);
  }

  private growEntries(): void {
    const n = this.hashes.length * 2;
    this.keyStart = grown(this.keyStart, n);
    this.keyLength = grown(this.keyLength, n);
    this.hashes = grown(this.hashes, n);
    this.lastUpdated = grown(this.lastUpdated, n);
    this.positions = grown(this.positions, n);
  }
}

type Typed = Uint8Array | Int32Array | Float64Array;

/** A copy of `a` with room for at least `n` elements (doubling). */
function grown<T extends Typed>(a: T, n: number): T {
  let length = a.length * 2;
  while (length < n) length *= 2;
  const b = new (a.constructor as new (length: number) => T)(length);
  b.set(a);
  return b;
}

/** FNV-1a over the characters, as a 32-bit integer; undefined when a character does not fit one byte. */
function hashOf(key: string): number | undefined {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c > 0xff) return undefined;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h | 0;
}
