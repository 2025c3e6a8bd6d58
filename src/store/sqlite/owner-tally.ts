// The `owners` rows one SQLite write transaction (putSessions) changes: each owner's row is read once, its ords are
// allocated and its version bumps counted in memory, and the row is written back once when the transaction's
// records are done (flush). Before: an `INSERT … ON CONFLICT DO UPDATE … RETURNING` per created session and an
// `UPDATE` per updated one, ~30 µs of a created session's ~130 (docs/performance.md, seventh round).
// Sound because the transaction holds the write lock (IMMEDIATE): no other writer reads or changes `owners` before
// it commits, readers see the rows only once committed (with every write of the batch), and a batch that throws is
// rolled back with the tally. The values written are those the per-session statements wrote: next_ord is the last
// ord allocated, version grows by one per write of the owner (each owner of a plan's `bump`).
import type Database from 'better-sqlite3';

export interface OwnerStatements {
  read: Database.Statement<[string], { no: number; next_ord: number }>;
  nextNo: Database.Statement<[], number>;
  insert: Database.Statement<[string, number]>;
  write: Database.Statement<[number, number, string]>;
  bump: Database.Statement<[number, string]>;
}

export function ownerStatements(db: Database.Database): OwnerStatements {
  return {
    read: db.prepare('SELECT no, next_ord FROM owners WHERE owner = ?'),
    nextNo: db.prepare<[], number>('SELECT COALESCE(MAX(no), 0) + 1 FROM owners').pluck(),
    // Inserted at once (not at flush): the same transaction's reads of its sessions join owners (sqlite-store.ts).
    insert: db.prepare('INSERT INTO owners (owner, next_ord, version, no) VALUES (?, 0, 0, ?)'),
    write: db.prepare('UPDATE owners SET next_ord = ?, version = version + ? WHERE owner = ?'),
    bump: db.prepare('UPDATE owners SET version = version + ? WHERE owner = ?'),
  };
}

interface Tally {
  bumps: number;
  /** Set once the owner allocated an ord in this transaction (its row read or inserted). */
  row?: { no: number; nextOrd: number };
}

export class OwnerTally {
  private readonly owners = new Map<string, Tally>();
  constructor(private readonly st: OwnerStatements) {}

  /** The next ord of `owner` and the owner's number (owners.no; a new owner gets the next). Bumps nothing. */
  allocate(owner: string): { ord: number; no: number } {
    const t = this.tally(owner);
    if (!t.row) {
      const r = this.st.read.get(owner);
      if (r) t.row = { no: r.no, nextOrd: r.next_ord };
      else {
        t.row = { no: this.st.nextNo.get()!, nextOrd: 0 };
        this.st.insert.run(owner, t.row.no);
      }
    }
    return { ord: ++t.row.nextOrd, no: t.row.no };
  }

  /** One more write of `owner`'s sessions (its version is bumped; an owner without a row stays without one). */
  bump(owner: string): void {
    this.tally(owner).bumps++;
  }

  /** Writes the rows back: one statement per owner of the transaction. */
  flush(): void {
    for (const [owner, t] of this.owners)
      if (t.row) this.st.write.run(t.row.nextOrd, t.bumps, owner);
      else this.st.bump.run(t.bumps, owner);
    this.owners.clear();
  }

  private tally(owner: string): Tally {
    let t = this.owners.get(owner);
    if (!t) this.owners.set(owner, (t = { bumps: 0 }));
    return t;
  }
}
