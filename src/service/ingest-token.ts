// The token the CPO's own charging back end uses on /ingest (stored hashed in meta).
import type { SessionStore } from '../store/contract.js';
import { tokenCandidates } from '../domain/token-encoding.js';
import { generateToken, hashesEqual, hashToken } from './tokens.js';

const KEY = 'ingest.token_hash';

/** Creates (or rotates) the ingest token and returns it; the previous one stops working. */
export async function rotateIngestToken(store: SessionStore): Promise<string> {
  const token = generateToken();
  await store.setMeta(KEY, hashToken(token));
  return token;
}

export async function checkIngestToken(store: SessionStore, header: string | undefined): Promise<boolean> {
  const candidates = tokenCandidates(header);
  const expected = await store.getMeta(KEY);
  if (!candidates || !expected) return false;
  return candidates.some((c) => hashesEqual(hashToken(c), expected));
}
