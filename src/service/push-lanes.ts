// The push worker's lanes (push-delivery.ts): one lane per partner, so that deliveries to one partner never wait
// behind another's. What a lane may have in flight, when a lane pauses and how it probes, and how the process-wide
// budget is shared between lanes are decided here; the lane state that every process shares lives in the store
// (LaneStore: consecutive failures, paused until, last error, last success).
//
// - A lane sends at most `perPartner` deliveries at once (per process), all lanes together at most `maxInFlight`.
// - After `pauseAfter` consecutive failed attempts (no answer, HTTP 5xx or 429: the partner, not the object), the
//   lane pauses for a capped exponential backoff. Once the pause has passed, one process takes the probe (a single
//   delivery); its success resumes the lane at full speed, its failure pauses it again, longer (up to the cap).
import type { LaneClaim, LaneState } from '../store/contract.js';

export interface LanePolicy {
  perPartner: number;
  maxInFlight: number;
  pauseAfter: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
}

export const LANE_DEFAULTS: LanePolicy = {
  perPartner: 4,
  maxInFlight: 64,
  pauseAfter: 3,
  baseBackoffMs: 1000,
  maxBackoffMs: 60_000,
};

/** What a lane may claim now: `full` (up to perPartner), `none` (paused) or `probe` (one, if the probe is won). */
export type LaneMode = 'full' | 'none' | 'probe';

export function laneMode(state: LaneState | undefined, now: number, policy: LanePolicy): LaneMode {
  if (state?.operatorPaused) return 'none'; // the console's pause: nothing until an operator resumes
  if (!state || state.failures < policy.pauseAfter) return 'full';
  if (state.pausedUntil === 0 || state.pausedUntil > now) return 'none';
  return 'probe';
}

/** Capped exponential backoff with jitter (half fixed, half random): `step` 0 is the first. */
export function backoffMs(step: number, policy: Pick<LanePolicy, 'baseBackoffMs' | 'maxBackoffMs'>): number {
  const capped = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** Math.min(Math.max(step, 0), 20));
  return Math.round(capped / 2 + (Math.random() * capped) / 2);
}

/** How long a lane pauses after its `failures`-th consecutive failure, or undefined: it does not pause yet. */
export function pauseMs(failures: number, policy: LanePolicy): number | undefined {
  return failures < policy.pauseAfter ? undefined : backoffMs(failures - policy.pauseAfter, policy);
}

/** Whether a failed attempt says the partner is unwell (counted by its lane), rather than the one object. */
export function partnerFault(status: number | undefined): boolean {
  return status === undefined || status >= 500 || status === 429;
}

/**
 * Shares `budget` deliveries between the lanes' wants, one at a time round the lanes (starting at `start`), so
 * that a full budget is spread over every lane with work instead of going to the first ones.
 */
export function shareBudget(wants: readonly LaneClaim[], budget: number, start = 0): LaneClaim[] {
  const given = wants.map(() => 0);
  let left = budget;
  for (let progress = true; left > 0 && progress;) {
    progress = false;
    for (let j = 0; j < wants.length && left > 0; j++) {
      const i = (start + j) % wants.length;
      if (given[i]! < wants[i]!.limit) {
        given[i]!++;
        left--;
        progress = true;
      }
    }
  }
  return wants.flatMap((w, i) => (given[i]! > 0 ? [{ partnerKey: w.partnerKey, limit: given[i]! }] : []));
}
