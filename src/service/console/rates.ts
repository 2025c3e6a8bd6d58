// Per-minute rates for the console's overview, counted in this process (the console asks whichever node answers:
// each node reports its own traffic). A ring of one-minute buckets over the last hour: increments are O(1), a read
// sums at most 60 buckets. Chosen over prom-client's counters because those only give totals since start.
const MINUTE = 60_000;
const SLOTS = 60;

export class MinuteCounter {
  private readonly counts = new Array<number>(SLOTS).fill(0);
  private readonly minutes = new Array<number>(SLOTS).fill(-1);

  constructor(private readonly now: () => number = Date.now) {}

  add(n = 1): void {
    const m = Math.floor(this.now() / MINUTE);
    const i = m % SLOTS;
    if (this.minutes[i] !== m) {
      this.minutes[i] = m;
      this.counts[i] = 0;
    }
    this.counts[i]! += n;
  }

  /** The sum over the last `minutes` whole minutes before the current one (the current one is still counting). */
  sum(minutes: number): number {
    const m = Math.floor(this.now() / MINUTE);
    let total = 0;
    for (let k = 1; k <= Math.min(minutes, SLOTS - 1); k++) {
      const i = (m - k) % SLOTS;
      if (this.minutes[i] === m - k) total += this.counts[i]!;
    }
    return total;
  }

  /** The sum over the last hour, the current minute included. */
  lastHour(): number {
    const m = Math.floor(this.now() / MINUTE);
    let total = 0;
    for (let i = 0; i < SLOTS; i++) if (this.minutes[i]! > m - SLOTS) total += this.counts[i]!;
    return total;
  }
}

/** What this process counts for the console (http/metrics.ts feeds it from every answered request). */
export interface ConsoleRates {
  /** Session writes accepted on /ingest per minute (mean of the last 5 whole minutes). */
  ingestPerMin: number;
  /** Sender pages served to partners per minute (same). */
  pagesPerMin: number;
  /** HTTP answers with a 5xx status in the last hour. */
  errorsLastHour: number;
}
