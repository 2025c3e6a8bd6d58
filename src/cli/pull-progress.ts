// What `pull` shows while it runs: pages, sessions (of X-Total-Count), rate, ETA, and what storing them did.
import type { PullProgress } from '../client/progress.js';
import { createProgressReporter, pace, progressBar as bar, progressLine as line } from './progress.js';
import type { ProgressReporter, ProgressStream, ProgressView } from './progress.js';

/**
 * The number shown: the place in the list (of X-Total-Count) when there is a count; without one, a place means
 * nothing to the reader (and an empty last page's offset is not what was received): the sessions received.
 */
function shownCount(p: PullProgress): number {
  return p.total !== undefined ? (p.position ?? p.received) : p.received;
}

export function pullView(p: PullProgress): ProgressView {
  const count = shownCount(p);
  const fraction = p.total === undefined ? undefined : p.total === 0 ? 1 : Math.min(count, p.total) / p.total;
  const { rate } = pace(p.received, p.elapsedMs);
  const remaining = p.total !== undefined && p.total > 0 ? p.total - Math.min(count, p.total) : undefined;
  return {
    label: 'pull',
    head: `${p.pages} pages`,
    count,
    total: p.total,
    fraction,
    rate,
    etaSeconds: remaining !== undefined && rate > 0 ? remaining / rate : undefined,
    details: [
      `new ${p.sessions.new}`,
      `updated ${p.sessions.updated}`,
      `unchanged ${p.sessions.unchanged}`,
      `invalid ${p.invalid}`,
      `retries ${p.retries}`,
      `corrections ${p.corrections}`,
    ],
    notes: [
      ...(p.retries > 0 ? [`${p.retries} retries`] : []),
      ...(p.invalid > 0 ? [`${p.invalid} invalid`] : []),
    ],
  };
}

export const progressLine = (p: PullProgress): string => line(pullView(p));
export const progressBar = (p: PullProgress, columns?: number): string => bar(pullView(p), columns);

export function createPullProgressReporter(
  stream: ProgressStream,
  options: { intervalMs: number; now?: () => number },
): ProgressReporter<PullProgress> {
  return createProgressReporter(stream, { ...options, view: pullView });
}
