// Exact X-Total-Count and O(1)-in-depth offsets, shared by every store.
//
// Sessions are listed in creation order: each owner's sessions get a dense ordinal `ord` on first write.
// At write time the stores keep counters `session_counts(owner, block, day, n)` where block = ord >> BLOCK_BITS
// and day = the UTC day of last_updated. For a window [date_from, date_to) the count of matches per block is the
// sum of the whole days inside the window (counters) plus the rows of the two partial edge days (an index range
// scan bounded by one day of one owner). Prefix sums over blocks give X-Total-Count, and locate the block that
// holds any offset, so a page costs the same at offset 0 and offset 900 000: at most one block is skipped row by row,
// and none when the block is complete (every ordinal in it listed: the usual case without a date window).
// The per-window block table is cached per process. The page query itself returns the owner's write version (in
// the same statement, so from the same snapshot): a page planned from a cached table is kept only when that
// version is the table's, else the table is recounted and the page read again. One statement per page when cached.
import type { PageQuery, RenderedJson, RenderedPage, SessionScope } from '../domain/page.js';
import type { Session } from '../domain/session.js';
import type { WireFormat } from '../domain/wire-format.js';

export const BLOCK_BITS = 10;
/** Each owner's first session gets ord 1. */
export const FIRST_ORD = 1;
export const DAY_MS = 86_400_000;
/** The bounds pageBodies and countRange get for a window without date_from / date_to. */
export const MIN = Number.MIN_SAFE_INTEGER;
export const MAX = Number.MAX_SAFE_INTEGER;

export type BlockCounts = Array<{ block: number; n: number }>;

/** The primitive queries a store answers for the planner. */
export interface PagingBackend {
  ownerVersion(owner: string): Promise<number>;
  /** The owner's write version and the highest ord handed out to it (0: none yet), from one snapshot. */
  ownerState(owner: string): Promise<{ version: number; lastOrd: number }>;
  /** Counter sums per block for days in [dayFrom, dayTo), ordered by block. */
  countFullDays(owner: string, dayFrom: number, dayTo: number): Promise<BlockCounts>;
  /** Row counts per block for last_updated in [from, to), ordered by block. */
  countRange(owner: string, from: number, to: number): Promise<BlockCounts>;
  /**
   * Up to `limit` bodies with ord >= fromOrd and last_updated in [from, to), in ord order, after skipping `skip`,
   * and the owner's write version read in the same statement (same snapshot). A format that is not ready (not
   * stored for every session) is read as the sessions' documents rendered with `render`.
   */
  pageBodies(
    owner: string,
    fromOrd: number,
    from: number,
    to: number,
    skip: number,
    limit: number,
    format: WireFormat,
    render?: (session: Session) => string,
  ): Promise<PageBodies>;
}

export interface PageBodies {
  bodies: RenderedJson[];
  lastOrd?: number;
  /** The owner's write version, when a body was read. */
  version?: number;
  /** The partners version (RenderedPage.partnersVersion), when a body was read. */
  partnersVersion?: number;
}

/** Attempts at a page whose owner is written to between counting and reading, before serving the last one. */
const ATTEMPTS = 3;

interface BlockTable {
  version: number;
  /** The owner's highest ord at `version`: no ord above it exists. */
  lastOrd: number;
  blocks: number[];
  cumulative: number[]; // cumulative[i] = matches in blocks[0..i]
}

export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

export class PagePlanner {
  private readonly cache = new Map<string, BlockTable>();
  constructor(
    private readonly backend: PagingBackend,
    private readonly maxEntries = 2000,
  ) {}

  async list(
    scope: SessionScope,
    query: PageQuery,
    format: WireFormat,
    render?: (session: Session) => string,
  ): Promise<RenderedPage> {
    const from = query.dateFrom ?? MIN;
    const to = query.dateTo ?? MAX;
    if (from >= to) return { bodies: [], total: 0 };
    const key = `${scope.owner}\u0000${from}\u0000${to}`;
    let table = this.cache.get(key);
    for (let attempt = 1; ; attempt++) {
      const cached = table !== undefined;
      table ??= await this.blockTable(key, scope.owner, from, to);
      const total = table.cumulative.at(-1) ?? 0;
      if (query.offset >= total || query.limit === 0) {
        // No page statement confirms a cached table here: check its version on its own.
        if (!cached || (await this.backend.ownerVersion(scope.owner)) === table.version) {
          return { bodies: [], total };
        }
        table = undefined;
        continue;
      }
      const i = firstAbove(table.cumulative, query.offset);
      const before = i === 0 ? 0 : table.cumulative[i - 1]!;
      let fromOrd = table.blocks[i]! << BLOCK_BITS;
      let skip = query.offset - before;
      // A block in which every ordinal is listed (no gap, all inside the window) is entered at the position
      // itself instead of being stepped through. The owner's last block counts up to its highest ord (the newest
      // sessions, where pulls read most, are then entered directly too).
      const first = Math.max(fromOrd, FIRST_ORD);
      const end = Math.min(fromOrd + (1 << BLOCK_BITS), table.lastOrd + 1);
      if (table.cumulative[i]! - before === end - first) {
        fromOrd = first + skip;
        skip = 0;
      }
      const page = await this.backend.pageBodies(
        scope.owner,
        fromOrd,
        from,
        to,
        skip,
        query.limit,
        format,
        render,
      );
      // The table matches the snapshot the page was read from: page and total agree. (No body read: no version
      // came with the page.)
      const version = page.version ?? (await this.backend.ownerVersion(scope.owner));
      if (version === table.version || attempt === ATTEMPTS) {
        return { bodies: page.bodies, total, lastKey: page.lastOrd, partnersVersion: page.partnersVersion };
      }
      table = undefined; // written to meanwhile: recount, read again
    }
  }

  private async blockTable(key: string, owner: string, from: number, to: number): Promise<BlockTable> {
    const { version, lastOrd } = await this.backend.ownerState(owner);
    const parts = await this.countWindow(owner, from, to);
    const merged = new Map<number, number>();
    for (const part of parts)
      for (const { block, n } of part) merged.set(block, (merged.get(block) ?? 0) + n);
    const blocks = [...merged.keys()].filter((b) => merged.get(b)! > 0).sort((a, b) => a - b);
    const cumulative: number[] = [];
    let sum = 0;
    for (const b of blocks) cumulative.push((sum += merged.get(b)!));
    const table = { version, lastOrd, blocks, cumulative };
    // Only cache what no concurrent write could have changed while we counted.
    if ((await this.backend.ownerVersion(owner)) === version) {
      if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, table);
    }
    return table;
  }

  private countWindow(owner: string, from: number, to: number): Promise<BlockCounts[]> {
    const dayFrom = from === MIN ? MIN : Math.ceil(from / DAY_MS);
    const dayTo = to === MAX ? MAX : Math.floor(to / DAY_MS);
    if (dayFrom >= dayTo) return Promise.all([this.backend.countRange(owner, from, to)]);
    const work = [this.backend.countFullDays(owner, dayFrom, dayTo)];
    if (dayFrom !== MIN && from < dayFrom * DAY_MS)
      work.push(this.backend.countRange(owner, from, dayFrom * DAY_MS));
    if (dayTo !== MAX && dayTo * DAY_MS < to) work.push(this.backend.countRange(owner, dayTo * DAY_MS, to));
    return Promise.all(work);
  }
}

/** Index of the first cumulative count greater than `offset` (binary search). */
function firstAbove(cumulative: number[], offset: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > offset) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A page's documents (JSON text) as bodies of a format that is not stored: rendered by the caller's codec. */
export function renderDocs(
  docs: string[],
  format: WireFormat,
  render?: (session: Session) => string,
): string[] {
  if (!render) throw new Error(`${format} bodies are not stored for every session and no render was given`);
  return docs.map((d) => render(JSON.parse(d) as Session));
}
