// The console's partners: what `partners list` shows (registration, version, roles, format, endpoints, token
// encoding, the 2.3.0 Hub party and the parties the registration speaks for), the last check verdict and the push
// lane; never a token value. And the partner actions: pause and resume the push lane (persisted in push_lanes,
// honoured by every process's push worker: push-lanes.ts laneMode), retry now (due entries made due at once),
// re-run a pull (pull-jobs.ts).
import { partiesOf } from '../../domain/party.js';
import type { SessionStore } from '../../store/contract.js';
import { loadCheckVerdicts } from '../check-verdicts.js';
import { outboxReport } from '../outbox-report.js';
import { laneView } from './lane-view.js';
import type { ActionResult, ConsolePartner, PartnerAction } from '../../domain/console-types.js';
import { Refused } from '../refused.js';
import type { PullJobs } from '../pull-jobs.js';

const OUTBOX_SCAN = 100_000;

export async function consolePartners(store: SessionStore, now = Date.now()): Promise<ConsolePartner[]> {
  const report = await outboxReport(store, now, OUTBOX_SCAN);
  const outbox = new Map(report.partners.map((p) => [p.partner, p]));
  const verdicts = await loadCheckVerdicts(store);
  return (await store.listPartners())
    .filter((p) => p.key)
    .map((p) => {
      const o = outbox.get(p.key);
      const v = verdicts[p.key];
      return {
        key: p.key,
        country_code: p.countryCode,
        party_id: p.partyId,
        roles: p.roles,
        business_name: p.businessName ?? null,
        state: p.state,
        registered: p.state === 'registered',
        version: p.version ?? null,
        format: p.format,
        endpoints: p.endpoints,
        token_encoding: p.tokenEncoding ?? null,
        hub_party_id: p.hubPartyId ?? null,
        parties: partiesOf(p),
        check_verdict: v
          ? { result: v.failed === 0 ? 'passed' : 'failed', at: v.at, failed_checks: v.failedChecks }
          : null,
        lane: laneView(o),
      };
    });
}

export const PARTNER_ACTIONS: readonly PartnerAction[] = ['pause', 'resume', 'retry', 'pull'];

/** Runs a partner action; Refused('not-visible') for an unknown partner, 'invalid' for a pull of a non-CPO. */
export async function partnerAction(
  store: SessionStore,
  jobs: PullJobs,
  key: string,
  action: PartnerAction,
  now = Date.now(),
): Promise<ActionResult> {
  const partner = await store.getPartner(key.toUpperCase());
  if (!partner) throw new Refused('not-visible', `Unknown partner ${key}`);
  const base = { done: true as const, action, partner: partner.key };
  switch (action) {
    case 'pause':
    case 'resume':
      await store.setOperatorPause(partner.key, action === 'pause');
      return { ...base, paused_by_operator: action === 'pause' };
    case 'retry':
      return { ...base, made_due: await store.retryNow(partner.key, now) };
    case 'pull':
      if (!partner.roles.includes('CPO'))
        throw new Refused('invalid', `${partner.key} is not a CPO partner: there is nothing to pull from it`);
      return { ...base, job: jobs.start(partner.key) };
  }
}
