// Filters: date_from inclusive and date_to exclusive, probed with a last_updated value taken from the data.
import { formatDateTime } from '../../domain/datetime.js';
import { idOf } from '../../modules/sessions/service/classify.js';
import { get, type Cx, type Walk } from './context.js';
import { lastUpdated, lastUpdatedText, pageUrl, readPage } from './pages.js';

export async function checkDateFilters(cx: Cx, w: Walk): Promise<void> {
  const objects = w.pages.flatMap((p) => p.objects);
  const times = objects.map(lastUpdated);
  // A session whose last_updated no other walked session shares: the probes' answers are then unambiguous.
  const i = times.findIndex(
    (t, k) => t !== undefined && idOf(objects[k]) !== undefined && times.filter((u) => u === t).length === 1,
  );
  if (i < 0) {
    const why = 'no walked session has an id and a last_updated of its own to probe with';
    cx.results.undetermined('filters.date-from-inclusive', why);
    cx.results.undetermined('filters.date-to-exclusive', why);
    return;
  }
  const id = idOf(objects[i])!;
  const text = lastUpdatedText(objects[i])!;
  const t = times[i]!;
  const limit = w.pages[0]?.xLimit ?? w.limit;
  const session = `session ${JSON.stringify(id)} (last_updated ${text})`;

  const from = await get(
    cx,
    pageUrl(cx.sessionsUrl, { dateFrom: text, dateTo: formatDateTime(t + 1000) }, 0, limit),
  );
  const fromPage = readPage(from);
  const fromIds = fromPage?.objects.map(idOf) ?? [];
  if (!fromPage)
    cx.results.undetermined('filters.date-from-inclusive', 'the probe was refused', [from.evidence]);
  else if (fromIds.includes(id))
    cx.results.pass('filters.date-from-inclusive', `date_from=${text} lists ${session}`, [from.evidence]);
  else if (fromPage.next)
    cx.results.undetermined('filters.date-from-inclusive', `${session} not on the first page`, [
      from.evidence,
    ]);
  else
    cx.results.fail('filters.date-from-inclusive', `date_from=${text} leaves out ${session}`, [
      from.evidence,
    ]);

  const to = await get(
    cx,
    pageUrl(cx.sessionsUrl, { dateFrom: formatDateTime(t - 1000), dateTo: text }, 0, limit),
  );
  const toPage = readPage(to);
  if (!toPage) cx.results.undetermined('filters.date-to-exclusive', 'the probe was refused', [to.evidence]);
  else if (toPage.objects.map(idOf).includes(id))
    cx.results.fail('filters.date-to-exclusive', `date_to=${text} lists ${session}: date_to is inclusive`, [
      to.evidence,
    ]);
  else cx.results.pass('filters.date-to-exclusive', `date_to=${text} leaves out ${session}`, [to.evidence]);
}
