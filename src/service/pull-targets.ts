// The CPOs this instance pulls from, once for `serve --pull-every` (pull-schedule.ts) and the console's pull
// status (console/overview.ts): every CPO partner registered over OCPI (its SENDER endpoint) or with a saved pull
// configuration, and every saved configuration without a partner record (`pull --partner X --url U --token T`
// needs none).
import type { PartnerStore, SettingsStore } from '../store/contract.js';
import { configuredPullKeys } from './pull-state.js';

export async function pullTargets(store: PartnerStore & SettingsStore): Promise<string[]> {
  const configured = await configuredPullKeys(store);
  const registered = (await store.listPartners())
    .filter((p) => p.key && p.roles.includes('CPO') && p.state === 'registered')
    .map((p) => p.key);
  return [...new Set([...registered, ...configured])].sort();
}
