// What the pulls of one pull key did, counted across runs in the store (so that a `pull` run by cron or a systemd
// timer, in its own process, shows in the server's GET /metrics):
//
//   pull.<key>.<module>.stats  { runs: { ok, failed }, sessions: { new, updated, unchanged }, invalid, lastRunAt }
//
// Written once at the end of every run, under the pull's lock (pull-lock.ts), so two runs never race on it.
import type { ModuleId } from '../domain/module-id.js';
import type { PartyKey } from '../domain/session.js';
import type { SessionStore, SettingsStore } from '../store/contract.js';
import { jsonSetting } from '../store/settings.js';

export interface PullStats {
  runs: { ok: number; failed: number };
  /** Distinct objects stored by the runs, by what storing them did (PullCounts.sessions). */
  sessions: { new: number; updated: number; unchanged: number };
  invalid: number;
  /** End of the last run (epoch ms). */
  lastRunAt?: number;
  /** How the last run ended (absent in stats written before it was kept). */
  lastResult?: 'ok' | 'failed';
}

/** What one run contributes (a PullSummary has these fields). */
export interface PullRunCounts {
  sessions: PullStats['sessions'];
  invalid: number;
}

const statsOf = (module: ModuleId, key: string) => jsonSetting<PullStats>(`pull.${key}.${module}.stats`);

function empty(): PullStats {
  return { runs: { ok: 0, failed: 0 }, sessions: { new: 0, updated: 0, unchanged: 0 }, invalid: 0 };
}

/** Adds one run to the key's stats; `counts` absent when the run failed before storing anything. */
export async function recordPullRun(
  store: SettingsStore,
  module: ModuleId,
  key: string,
  ok: boolean,
  counts: PullRunCounts | undefined,
  now = Date.now(),
): Promise<void> {
  const s = (await store.readSetting(statsOf(module, key))) ?? empty();
  if (ok) s.runs.ok += 1;
  else s.runs.failed += 1;
  for (const k of ['new', 'updated', 'unchanged'] as const) s.sessions[k] += counts?.sessions[k] ?? 0;
  s.invalid += counts?.invalid ?? 0;
  s.lastRunAt = now;
  s.lastResult = ok ? 'ok' : 'failed';
  await store.writeSetting(statsOf(module, key), s);
}

export function loadPullStats(store: Pick<SettingsStore, 'readSetting'>, module: ModuleId, key: string) {
  return store.readSetting(statsOf(module, key));
}

/**
 * The stats of every partner's pulls of `modules` (one settings read per partner and module; pulls keyed by a
 * URL without a partner are not listed: their keys are not enumerable).
 */
export async function partnersPullStats(
  store: Pick<SessionStore, 'listPartners' | 'readSetting'>,
  modules: readonly ModuleId[],
): Promise<{ partner: PartyKey; module: ModuleId; stats: PullStats }[]> {
  const out: { partner: PartyKey; module: ModuleId; stats: PullStats }[] = [];
  for (const p of await store.listPartners()) {
    if (!p.key) continue;
    for (const module of modules) {
      const stats = await loadPullStats(store, module, p.key);
      if (stats) out.push({ partner: p.key, module, stats });
    }
  }
  return out;
}
