// Who may use the operator console (issue 18): operator tokens made by `ocpi-sessions operator-token` (printed once,
// only their SHA-256 kept, like partner and ingest tokens: service/tokens.ts) or the `--console-password` given at
// start-up (never stored). Both travel as `Authorization: Bearer <secret>`; the check is auth.ts's on every route
// that declares `console` access. Partner, ingest and metrics tokens are other secrets and never match.
//
//   console.operator_tokens   [ { id, hash, created_at, label? } ]   one setting (a handful of operators)
import type { SettingsStore } from '../../store/contract.js';
import { jsonSetting } from '../../store/settings.js';
import { bearerSecret, generateToken, hashesEqual, hashToken } from '../tokens.js';

export interface OperatorTokenEntry {
  /** A short public id to name the token (list, revoke): never part of the secret. */
  id: string;
  hash: string;
  createdAt: string;
  label?: string;
}

const isEntries = (v: unknown): v is OperatorTokenEntry[] =>
  Array.isArray(v) &&
  v.every((e) => typeof e === 'object' && e !== null && typeof (e as OperatorTokenEntry).hash === 'string');
const TOKENS = jsonSetting<OperatorTokenEntry[]>('console.operator_tokens', isEntries);

export type ConsoleVia = 'operator-token' | 'password';

export async function listOperatorTokens(store: SettingsStore): Promise<OperatorTokenEntry[]> {
  return (await store.readSetting(TOKENS)) ?? [];
}

/** Makes a new operator token: returns it (to be printed once) and its entry (the hash is what is kept). */
export async function createOperatorToken(
  store: SettingsStore,
  label?: string,
  now = new Date(),
): Promise<{ token: string; entry: OperatorTokenEntry }> {
  const token = generateToken();
  const hash = hashToken(token);
  const entry: OperatorTokenEntry = {
    id: hash.slice(0, 8),
    hash,
    createdAt: now.toISOString(),
    ...(label ? { label } : {}),
  };
  await store.writeSetting(TOKENS, [...(await listOperatorTokens(store)), entry]);
  return { token, entry };
}

/** Revokes the token with this id; false when none has it. */
export async function revokeOperatorToken(store: SettingsStore, id: string): Promise<boolean> {
  const all = await listOperatorTokens(store);
  const kept = all.filter((e) => e.id !== id);
  if (kept.length === all.length) return false;
  await store.writeSetting(TOKENS, kept);
  return true;
}

/**
 * How the caller opened the console, or undefined: the console password (compared as SHA-256 hashes in constant
 * time) or a stored operator token (its hash among the kept ones; every entry compared, no early exit).
 */
export async function checkConsoleAccess(
  store: SettingsStore,
  password: string | undefined,
  header: string | undefined,
): Promise<ConsoleVia | undefined> {
  const secret = bearerSecret(header);
  if (secret === undefined) return undefined;
  const hash = hashToken(secret);
  if (password && hashesEqual(hash, hashToken(password))) return 'password';
  let match = false;
  for (const e of await listOperatorTokens(store)) match = hashesEqual(hash, e.hash) || match;
  return match ? 'operator-token' : undefined;
}
