// The token the CPO's own charging back end uses on /ingest (stored hashed, as a setting).
import type { SettingsStore } from '../store/contract.js';
import { textSetting } from '../store/settings.js';
import { tokenCandidates } from '../domain/token-encoding.js';
import { GroupCommit } from './group-commit.js';
import { generateToken, hashesEqual, hashToken } from './tokens.js';

const INGEST_TOKEN_HASH = textSetting('ingest.token_hash');

/** Creates (or rotates) the ingest token and returns it; the previous one stops working. */
export async function rotateIngestToken(store: SettingsStore): Promise<string> {
  const token = generateToken();
  await store.writeSetting(INGEST_TOKEN_HASH, hashToken(token));
  return token;
}

/** True when the header carries a token whose hash is `expected` (the stored one). */
function matches(header: string | undefined, expected: string | undefined): boolean {
  const candidates = tokenCandidates(header);
  if (!candidates || !expected) return false;
  return candidates.some((c) => hashesEqual(hashToken(c), expected));
}

/** Headers remembered with the hash they matched; past this many, the memory starts over. */
const MAX_REMEMBERED = 1000;

/**
 * The ingest token check of the request path, exact and cheap under load. Every check reads the stored hash by a
 * read that starts after the check was asked for, so a rotation (`ocpi-sessions ingest-token`, from any process)
 * refuses the old token on its very next request; but the checks asked for meanwhile share one read (GroupCommit:
 * those arriving while a read is under way go together into the next one), not one store read per request. A
 * header that matched is remembered with the hash it matched, so it is not hashed again while that hash is stored.
 */
export class IngestTokenCheck {
  private readonly reads: GroupCommit<string | undefined, boolean>;
  private readonly matched = new Map<string, string>();

  constructor(store: SettingsStore) {
    this.reads = new GroupCommit(async (headers) => {
      const expected = await store.readSetting(INGEST_TOKEN_HASH);
      return headers.map((h) => this.holds(h, expected));
    });
  }

  /** Resolves true when the header carries the ingest token stored now. */
  check(header: string | undefined): Promise<boolean> {
    return this.reads.submit(header);
  }

  private holds(header: string | undefined, expected: string | undefined): boolean {
    if (header === undefined || expected === undefined) return false;
    const known = this.matched.get(header);
    if (known !== undefined && hashesEqual(known, expected)) return true;
    if (!matches(header, expected)) return false;
    if (this.matched.size >= MAX_REMEMBERED) this.matched.clear();
    this.matched.set(header, expected);
    return true;
  }
}
