// What a pull remembers between runs (pull-runner.ts, pull-window.ts), as typed settings (JSON values),
// per pull key: the partner's `CC-PID`, or `url:<the URL given>#<hash of the token>` when pulling without a partner.
// The sync state is per module as well (each module's objects are crawled on their own); the token encoding and the
// saved configuration describe the peer, so every module's pull shares them.
//
//   pull.<key>.<module>.state  { syncPoint?, inProgress? }          incremental sync and crash-safe resume
//   pull.<key>.encoding        "raw" | "base64"                     the token encoding the peer accepted
//   pull.<key>.config          { url, token, version?, emsp? }      saved by `pull --partner X --url U --token T`
//
// Releases before modules kept the sessions' sync state as `pull.<key>.state`: the store migrations rename it to
// `pull.<key>.sessions.state` (SQLite migration 6, PostgreSQL migration 7), so this file reads only the new name.
import type { ModuleId } from '../domain/module-id.js';
import type { TokenEncoding } from '../domain/party.js';
import type { OcpiVersion } from '../domain/wire-format.js';
import type { SettingsStore } from '../store/contract.js';
import { jsonSetting } from '../store/settings.js';

export interface InProgressCrawl {
  /** When this crawl started (epoch ms, our clock). */
  startedAt: number;
  sessionsUrl: string;
  /** The window asked for (epoch ms); `dateTo` is the crawl's bound and, once it completes, the new syncPoint. */
  dateFrom?: number;
  dateTo?: number;
  /** `--until` as asked (the bound is the earlier of it and the start); a later run resumes only the same ask. */
  until?: number;
  /** The next URL to GET: written only after the previous page's sessions were committed. */
  nextUrl: string;
  /** X-Total-Count of the last committed page, to notice a shrinking count across a restart. */
  lastTotal?: number;
  pagesDone: number;
}

export interface SyncState {
  /**
   * Up to when (epoch ms, our clock; exclusive) we are in sync: the `date_to` bound of the last complete crawl
   * that saw no shifting it could not repair. The next incremental pull asks `date_from` = this − margin.
   */
  syncPoint?: number;
  inProgress?: InProgressCrawl;
}

export interface PullConfig {
  url: string;
  token: string;
  version?: OcpiVersion;
  /** Our own party (the token owner of 2.1.1 sessions), when this instance has no identity. */
  emsp?: string;
}

const stateOf = (module: ModuleId, key: string) =>
  jsonSetting<SyncState & { lastCompleteSyncStart?: number }>(`pull.${key}.${module}.state`);
const isEncoding = (v: unknown): v is TokenEncoding => v === 'raw' || v === 'base64';
const encodingOf = (key: string) => jsonSetting<TokenEncoding>(`pull.${key}.encoding`, isEncoding);
const configOf = (key: string) => jsonSetting<PullConfig>(`pull.${key}.config`);

// Unreadable state is treated as none (Setting.decode): the pull starts over, which is always safe.
export async function loadSyncState(store: SettingsStore, module: ModuleId, key: string): Promise<SyncState> {
  const raw = (await store.readSetting(stateOf(module, key))) ?? {};
  // Before the crawls were bounded, the start time of the last complete crawl was kept: as safe a point.
  const { lastCompleteSyncStart, ...state } = raw;
  return state.syncPoint === undefined && lastCompleteSyncStart !== undefined
    ? { ...state, syncPoint: lastCompleteSyncStart }
    : state;
}
export function saveSyncState(
  store: SettingsStore,
  module: ModuleId,
  key: string,
  state: SyncState,
): Promise<void> {
  return store.writeSetting(stateOf(module, key), state);
}

export function loadEncoding(store: SettingsStore, key: string): Promise<TokenEncoding | undefined> {
  return store.readSetting(encodingOf(key));
}
export function saveEncoding(store: SettingsStore, key: string, encoding: TokenEncoding): Promise<void> {
  return store.writeSetting(encodingOf(key), encoding);
}

export function loadPullConfig(store: SettingsStore, key: string): Promise<PullConfig | undefined> {
  return store.readSetting(configOf(key));
}
export function savePullConfig(store: SettingsStore, key: string, config: PullConfig): Promise<void> {
  return store.writeSetting(configOf(key), config);
}

/** The keys with a saved pull configuration (`pull --partner X --url U --token T`), partner record or not. */
export async function configuredPullKeys(store: SettingsStore): Promise<string[]> {
  const keys = await store.settingKeys('pull.');
  return keys.filter((k) => k.endsWith('.config')).map((k) => k.slice('pull.'.length, -'.config'.length));
}
