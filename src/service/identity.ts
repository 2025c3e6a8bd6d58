// Who this instance is (OCPI 2.2.1 §7.3.2 CredentialsRole): used for 2.1.1 data that does not name its CPO.
import type { SessionStore } from '../store/contract.js';

export interface Identity {
  countryCode: string;
  partyId: string;
  roles: ('CPO' | 'EMSP')[];
  name: string;
  website?: string;
}

const KEY = 'party.identity';

export async function getIdentity(store: SessionStore): Promise<Identity | undefined> {
  const raw = await store.getMeta(KEY);
  return raw ? (JSON.parse(raw) as Identity) : undefined;
}

export async function setIdentity(store: SessionStore, identity: Identity): Promise<void> {
  await store.setMeta(
    KEY,
    JSON.stringify({
      ...identity,
      countryCode: identity.countryCode.toUpperCase(),
      partyId: identity.partyId.toUpperCase(),
    }),
  );
}

/** Identity lookups for the request path, re-read at most every `ttlMs` (a `party set` shows within that). */
export function cachedIdentity(store: SessionStore, ttlMs = 2000): () => Promise<Identity | undefined> {
  let value: Identity | undefined;
  let at = -Infinity;
  return async () => {
    if (Date.now() - at > ttlMs) {
      value = await getIdentity(store);
      at = Date.now();
    }
    return value;
  };
}
