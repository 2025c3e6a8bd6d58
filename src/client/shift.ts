// Shifting inside a crawl's window, seen from the sessions themselves (page-stream.ts, top of file): a session that comes
// back in the same crawl with a later last_updated was moved by the CPO while we paged (typically to the end of a
// list ordered by last_updated). Every object after its earlier place moved up one, so a page boundary crossed
// after the move skipped one object. This tracker remembers where each session was last seen and, at the end of
// a pass over the list, says from which offset to re-read.

import { SightingTable } from './sighting-table.js';

export type Sighting = 'first' | 'again' | 'moved';

export interface PassEnd {
  /** Sessions seen again with a later last_updated in this pass. */
  moved: number;
  /** Offset to re-read from; undefined when the place of a moved session is unknown (no offset in its URL). */
  rewindTo?: number;
}

export class ShiftTracker {
  private readonly seen = new SightingTable();
  private moved = 0;
  private left = 0;
  private from = Infinity;
  private unknownPlace = false;

  /** Records a session at `position` (its offset in the list, when known). */
  see(key: string, lastUpdated: number, position: number | undefined): Sighting {
    const before = this.seen.get(key);
    this.seen.set(key, lastUpdated, position);
    if (!before) return 'first';
    if (lastUpdated <= before.lastUpdated) return 'again';
    this.moved += 1;
    if (before.position === undefined) this.unknownPlace = true;
    else this.from = Math.min(this.from, before.position);
    return 'moved';
  }

  /** Objects that left the window in this pass (an X-Total-Count drop): each moved later places up one. */
  dropped(n: number): void {
    this.left += n;
  }

  /** Ends a pass over the list: undefined when nothing moved in it. */
  endPass(): PassEnd | undefined {
    const moved = this.moved;
    // A place seen earlier in the pass may since have moved up once per object that left a place before it
    // (each move, each drop): start that much earlier. Re-reading a little more is harmless.
    const rewindTo = this.unknownPlace ? undefined : Math.max(0, this.from - this.moved - this.left);
    this.moved = 0;
    this.left = 0;
    this.from = Infinity;
    this.unknownPlace = false;
    return moved === 0 ? undefined : { moved, ...(rewindTo === undefined ? {} : { rewindTo }) };
  }
}
