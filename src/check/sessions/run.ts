// `ocpi-sessions check` against a CPO's Sessions SENDER, read-only: discovery, authorization, the first page, the
// walk of a bounded window (date_to = the start of the run, date_from = --since), the probes around it, then the
// checks that read what was fetched. Every request goes through the prober (budget, pacing).
import { formatDateTime } from '../../domain/datetime.js';
import { CHECK_IDS } from '../catalogue.js';
import { quirksOf } from '../quirks.js';
import { makeReport, type CheckReport, type Evidence } from '../model.js';
import { BudgetSpent, Prober, type Probe } from '../probe.js';
import { Results } from '../results.js';
import { checkAuthorization, discover } from './access.js';
import type { Cx, SenderCheckOptions } from './context.js';
import { checkEnvelopes } from './envelope.js';
import { checkDateFilters } from './filters.js';
import { checkObjects } from './objects.js';
import { checkOrderByLastUpdated, checkStable } from './ordering.js';
import { checkLimitCap, checkOffsetPastEnd, checkWalk, firstPage, walk } from './pagination.js';
import { checkLatency } from './performance.js';

export async function checkSessionsSender(o: SenderCheckOptions): Promise<CheckReport> {
  const started = Date.now();
  const prober = new Prober(o);
  const results = new Results(CHECK_IDS);
  const probes: Probe[] = [];
  let reason = 'an earlier step failed';
  let cx: Cx | undefined;
  try {
    const found = await discover(o, prober, results, probes);
    if (found) {
      cx = {
        o,
        prober,
        results,
        probes,
        ...found,
        window: { ...(o.since ? { dateFrom: o.since } : {}), dateTo: formatDateTime(started) },
      };
      reason = await checkSender(cx);
    } else reason = 'the Sessions SENDER endpoint was not found';
  } catch (e) {
    if (!(e instanceof BudgetSpent)) throw e;
    reason = e.message;
  }
  if (cx) checkEnvelopes(cx);
  const list = results.list(reason);
  const target: CheckReport['target'] = {
    url: o.url,
    role: 'cpo',
    ...(cx ? { sessionsUrl: cx.sessionsUrl, version: cx.version, style: cx.style } : {}),
    ...(cx?.accepted ? { encoding: cx.accepted } : {}),
    ...(o.party ? { party: o.party } : {}),
  };
  const requests = { made: prober.made, max: prober.max };
  return makeReport(target, started, requests, list, quirksOf(list));
}

/** The checks after discovery; gives the reason for the checks left undecided. */
async function checkSender(cx: Cx): Promise<string> {
  if (!(await checkAuthorization(cx))) return 'the token was refused in both encodings';
  const first = await firstPage(cx);
  if (!first) return `the first page (${cx.sessionsUrl}) was not a success answer`;
  const w = await walk(cx, first);
  await checkWalk(cx, first, w);
  const walked = w.pages.length > 0;
  if (walked) {
    checkObjects(cx, w);
    checkOrderByLastUpdated(cx, w);
    await checkStable(cx, w);
  }
  const n = w.complete ? w.count : (first.total ?? w.count);
  const deep: Evidence[] = [];
  deep.push(await checkLimitCap(cx, n, w.limit));
  deep.push(await checkOffsetPastEnd(cx, n, w.limit));
  if (!walked) return `no page was walked: ${w.reason}`;
  await checkDateFilters(cx, w);
  checkLatency(cx, w, deep);
  return 'not reached';
}
