// What `ocpi-sessions check --db … --partner X` remembers about a peer: the last check's verdict (shown by
// `partners list`) and, when the check found which token encoding the peer accepts, that encoding as the pull's
// remembered one (pull-state.ts), so that the next pull of X starts with it instead of being refused first.
//
//   check.verdicts   { [key]: CheckVerdict }   one entry per checked partner key (CC-PID)
import type { TokenEncoding } from '../domain/party.js';
import type { SettingsStore } from '../store/contract.js';
import { jsonSetting } from '../store/settings.js';
import { saveEncoding } from './pull-state.js';

export interface CheckVerdict {
  /** When the check finished (ISO 8601). */
  at: string;
  /** The Sessions endpoint checked (or the URL given, when it was not found). */
  url: string;
  version?: string;
  passed: number;
  failed: number;
  notDetermined: number;
  /** Ids of the failed checks. */
  failedChecks: string[];
  /** What a pull client can do about them (src/check/quirks.ts). */
  quirks: string[];
  /** The token encoding the peer accepted (recorded for the pull too). */
  encoding?: TokenEncoding;
}

const verdicts = jsonSetting<Record<string, CheckVerdict>>('check.verdicts');

export async function loadCheckVerdicts(store: SettingsStore): Promise<Record<string, CheckVerdict>> {
  return (await store.readSetting(verdicts)) ?? {};
}

/** Records the verdict under `key`; its accepted encoding becomes the one the pull of `key` starts with. */
export async function recordCheckVerdict(
  store: SettingsStore,
  key: string,
  verdict: CheckVerdict,
): Promise<void> {
  const all = await loadCheckVerdicts(store);
  await store.writeSetting(verdicts, { ...all, [key]: verdict });
  if (verdict.encoding) await saveEncoding(store, key, verdict.encoding);
}

/** One line: `FAILED 2 of 23 at 2026-…Z (pagination.total-count, …; quirks: …)`. */
export function verdictLine(v: CheckVerdict): string {
  const total = v.passed + v.failed + v.notDetermined;
  const what = v.failed === 0 ? `passed ${v.passed} of ${total}` : `FAILED ${v.failed} of ${total}`;
  const failed = v.failedChecks.length ? ` (${v.failedChecks.join(', ')})` : '';
  const quirks = v.quirks.length ? ` quirks: ${v.quirks.join(', ')}` : '';
  return `${what} at ${v.at}${failed}${quirks}`;
}
