// Ordering: a list ordered by last_updated loses sessions (one updated during a crawl moves to the end, every later
// one moves up a place, and the client skips one); the same page read twice must give the same sessions.
import { idOf } from '../../modules/sessions/service/classify.js';
import { get, type Cx, type Walk } from './context.js';
import { lastUpdated, readPage, startOf } from './pages.js';

export function checkOrderByLastUpdated(cx: Cx, w: Walk): void {
  const objects = w.pages.flatMap((p) => p.objects);
  const lu = objects.map(lastUpdated);
  const start = objects.map(startOf);
  const id = 'ordering.not-by-last-updated';
  if (objects.length < 3 || lu.some((t) => t === undefined)) {
    cx.results.undetermined(id, `${objects.length} walked sessions, too few with a last_updated to tell`);
    return;
  }
  const descents = (xs: (number | undefined)[]) =>
    xs.reduce<number>((n, x, k) => (k > 0 && (x ?? 0) < (xs[k - 1] ?? 0) ? n + 1 : n), 0);
  const luDown = descents(lu);
  if (luDown > 0) {
    cx.results.pass(id, `last_updated goes down ${luDown} times over the ${objects.length} walked sessions`);
    return;
  }
  const evidence = w.pages.slice(0, 2).map((p) => p.probe.evidence);
  if (start.every((s) => s !== undefined) && descents(start) > 0)
    cx.results.fail(
      id,
      `the ${objects.length} walked sessions are in ascending last_updated order although their start order ` +
        `differs (${descents(start)} descents): a session updated during a crawl moves and later ones are skipped`,
      evidence,
    );
  else
    cx.results.undetermined(
      id,
      `the ${objects.length} walked sessions are in ascending last_updated and start order alike: cannot tell`,
      evidence,
    );
}

/** The walk's first page read again: the same sessions in the same order. */
export async function checkStable(cx: Cx, w: Walk): Promise<void> {
  const first = w.pages[0];
  if (!first || first.objects.length === 0) {
    cx.results.undetermined('ordering.stable', 'the window holds no sessions');
    return;
  }
  const again = await get(cx, first.probe.url);
  const page = readPage(again);
  const a = first.objects.map(idOf);
  const b = page?.objects.map(idOf);
  if (!b) cx.results.undetermined('ordering.stable', 'the second read failed', [again.evidence]);
  else if (a.join('\n') === b.join('\n'))
    cx.results.pass('ordering.stable', `${a.length} sessions, same order twice`);
  else
    cx.results.fail('ordering.stable', `first read: ${a.join(', ')}; second read: ${b.join(', ')}`, [
      first.probe.evidence,
      again.evidence,
    ]);
}
