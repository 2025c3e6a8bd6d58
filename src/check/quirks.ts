// What a pull client can do about a peer's failed checks: named quirks, recorded with the partner (`check --db`)
// and shown by `partners list`. Only quirks a pull can act on are named.
import type { CheckResult } from './model.js';

export const QUIRKS = {
  /** ordering.not-by-last-updated failed: a session updated during a crawl moves; bound every window (date_to). */
  'orders-by-last-updated': 'ordering.not-by-last-updated',
  /** pagination.total-count failed: do not stop a crawl on X-Total-Count, only on the Link chain's end. */
  'total-count-unreliable': 'pagination.total-count',
  /** a Link check failed: build the next URL from offset and limit instead of following Link. */
  'link-unusable': 'pagination.link-',
  /** authorization.encoding failed: the token goes in the other encoding than the version's. */
  'token-encoding': 'authorization.encoding',
} as const;
export type Quirk = keyof typeof QUIRKS;

export function quirksOf(results: CheckResult[]): Quirk[] {
  const failed = results.filter((r) => r.outcome === 'fail').map((r) => r.id);
  return (Object.keys(QUIRKS) as Quirk[]).filter((q) => failed.some((id) => id.startsWith(QUIRKS[q])));
}
