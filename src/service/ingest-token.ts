// The token the CPO's own charging back end uses on /ingest (stored hashed, as a setting).
import type { SettingsStore } from '../store/contract.js';
import { textSetting } from '../store/settings.js';
import { tokenCandidates } from '../domain/token-encoding.js';
import { generateToken, hashesEqual, hashToken } from './tokens.js';

const INGEST_TOKEN_HASH = textSetting('ingest.token_hash');

/** Creates (or rotates) the ingest token and returns it; the previous one stops working. */
export async function rotateIngestToken(store: SettingsStore): Promise<string> {
  const token = generateToken();
  await store.writeSetting(INGEST_TOKEN_HASH, hashToken(token));
  return token;
}

export async function checkIngestToken(store: SettingsStore, header: string | undefined): Promise<boolean> {
  const candidates = tokenCandidates(header);
  const expected = await store.readSetting(INGEST_TOKEN_HASH);
  if (!candidates || !expected) return false;
  return candidates.some((c) => hashesEqual(hashToken(c), expected));
}
