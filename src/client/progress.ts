// What a pull has counted so far (the pull runner reports it; the CLI shows it: cli/pull-progress.ts).
import type { StreamCounts } from './page-stream.js';

/** What a pull counted so far: the page stream's counts and what storing the pages did. */
export interface PullCounts extends StreamCounts {
  /** Objects received, including invalid ones and objects seen again on a refetched page. */
  received: number;
  /** Distinct sessions of this run by what storing them did. */
  sessions: { new: number; updated: number; unchanged: number };
  /** Objects received again in this run (a refetched page after a correction or a resume). */
  repeated: number;
  /** Distinct invalid objects, skipped. */
  invalid: number;
}

export interface PullProgress extends PullCounts {
  /** Position in the result list after the last page (its offset + objects), when the URL has an offset. */
  position?: number;
  /** Last X-Total-Count and X-Limit. */
  total?: number;
  limit?: number;
  elapsedMs: number;
}
