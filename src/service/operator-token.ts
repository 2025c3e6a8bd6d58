// The operator's token (`--metrics-token` / METRICS_TOKEN): opens operator routes (GET /metrics) and nothing else.
// Given at start-up, never stored; a partner or ingest token never matches it (auth.ts checks it alone on
// `operator` routes).
import { tokenCandidates } from '../domain/token-encoding.js';
import { bearerSecret, hashesEqual, hashToken } from './tokens.js';

/**
 * True when the Authorization header carries `expected`: `Bearer <token>` (what Prometheus sends for its
 * `authorization` / `bearer_token` settings) or `Token <token>` (raw or Base64, like the other tokens). Compared
 * as SHA-256 hashes with timingSafeEqual: the time taken does not depend on how much of the token matched.
 */
export function checkOperatorToken(expected: string | undefined, header: string | undefined): boolean {
  if (!expected || !header) return false;
  const bearer = bearerSecret(header);
  const candidates = bearer !== undefined ? [bearer] : (tokenCandidates(header) ?? []);
  const want = hashToken(expected);
  let match = false;
  for (const c of candidates) match = hashesEqual(hashToken(c), want) || match; // no early exit
  return match;
}
