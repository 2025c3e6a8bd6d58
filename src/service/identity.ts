// Who this instance is (OCPI 2.2.1 §7.3.2 CredentialsRole): used for 2.1.1 data that does not name its CPO.
import type { SettingsStore } from '../store/contract.js';
import { jsonSetting, textSetting } from '../store/settings.js';

export interface Identity {
  countryCode: string;
  partyId: string;
  roles: ('CPO' | 'EMSP')[];
  name: string;
  website?: string;
}

const IDENTITY = jsonSetting<Identity>('party.identity');

/** The base URL partners reach us at, as `serve` last knew it (`--public-url`, else its own address). */
export const PUBLIC_URL = textSetting('public.url');

export function getIdentity(store: SettingsStore): Promise<Identity | undefined> {
  return store.readSetting(IDENTITY);
}

export async function setIdentity(store: SettingsStore, identity: Identity): Promise<void> {
  await store.writeSetting(IDENTITY, {
    ...identity,
    countryCode: identity.countryCode.toUpperCase(),
    partyId: identity.partyId.toUpperCase(),
  });
}

/** Identity lookups for the request path, re-read at most every `ttlMs` (a `party set` shows within that). */
export function cachedIdentity(store: SettingsStore, ttlMs = 2000): () => Promise<Identity | undefined> {
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
