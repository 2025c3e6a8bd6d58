// Pagination: the walk of the window's Link chain (as a client crawls it) and the probes around it: the last
// page, a limit above any maximum, an offset past the end.
import { parseDateTime } from '../../domain/datetime.js';
import type { Evidence } from '../model.js';
import { get, type Cx, type Walk } from './context.js';
import { pageUrl, param, readPage, sameEndpoint, type Page } from './pages.js';

/** The walk aims at this many pages (so that Links are seen), and stops after MAX_WALK_PAGES. */
const TARGET_PAGES = 6;
const MAX_WALK_PAGES = 25;
/** Requests kept for the probes after the walk. */
const RESERVED = 8;
/** The limit asked to see a cap: above any real server's maximum. */
export const HUGE_LIMIT = 100_000;

/** The first page of the window, with the server's default limit. */
export async function firstPage(cx: Cx): Promise<Page | undefined> {
  const p = await get(cx, pageUrl(cx.sessionsUrl, cx.window));
  const page = readPage(p);
  if (!page) return undefined;
  cx.style = p.answer?.envelope?.style;
  return page;
}

interface LinkFinding {
  ok: boolean;
  detail?: string;
  evidence?: Evidence;
}

/** Walks the chain with a limit that gives about TARGET_PAGES pages; checks each Link on the way. */
export async function walk(cx: Cx, first: Page): Promise<Walk> {
  const serverLimit = first.xLimit ?? Math.max(first.objects.length, 1);
  const total = first.total ?? first.objects.length;
  const limit = Math.max(1, Math.min(serverLimit, Math.ceil(total / TARGET_PAGES)));
  const pages: Page[] = [];
  const links = {
    arithmetic: [] as LinkFinding[],
    filters: [] as LinkFinding[],
    target: [] as LinkFinding[],
  };
  let url = pageUrl(cx.sessionsUrl, cx.window, 0, limit);
  let offset = 0;
  let count = 0;
  const out = (complete: boolean, reason?: string, emptyViaLink?: Page): Walk => {
    checkLinks(cx, links, complete ? 'no page of the walk had a Link' : `the walk did not end: ${reason}`);
    return { pages, limit, complete, reason, count, emptyViaLink };
  };
  for (;;) {
    if (pages.length >= MAX_WALK_PAGES) return out(false, `the chain is longer than ${MAX_WALK_PAGES} pages`);
    if (cx.prober.remaining <= RESERVED)
      return out(false, `the request budget (--max-requests ${cx.prober.max}) ends before the chain`);
    const p = await get(cx, url);
    const page = readPage(p);
    if (!page) return out(false, `page ${pages.length + 1} was not a success answer (${url})`);
    if (page.objects.length === 0 && pages.length > 0) return out(true, undefined, page);
    pages.push(page);
    count += page.objects.length;
    if (!page.next) return out(true);
    if (page.objects.length === 0) return out(false, 'a Link on an empty first page');
    const expected = pageUrl(cx.sessionsUrl, cx.window, offset + page.objects.length, limit);
    links.arithmetic.push(arithmetic(page, expected));
    links.filters.push(filtersKept(cx, page));
    const target = sameEndpoint(page.next, cx.sessionsUrl);
    links.target.push(
      target
        ? { ok: true }
        : {
            ok: false,
            detail: `the Link points to ${page.next}, the endpoint is ${cx.sessionsUrl}`,
            evidence: page.probe.evidence,
          },
    );
    offset = target ? Number(param(page.next, 'offset') ?? NaN) : offset + page.objects.length;
    if (!Number.isInteger(offset)) offset = count;
    // A Link to elsewhere is not followed (it would fail or leave the endpoint): the next page by arithmetic.
    url = target ? page.next : expected;
  }
}

function arithmetic(page: Page, expected: string): LinkFinding {
  const next = page.next!;
  const got = { offset: param(next, 'offset'), limit: param(next, 'limit') };
  const want = { offset: param(expected, 'offset'), limit: param(expected, 'limit') };
  if (got.offset === want.offset && got.limit === want.limit) return { ok: true };
  return {
    ok: false,
    detail: `the Link asks offset=${got.offset} limit=${got.limit}, the arithmetic gives offset=${want.offset} limit=${want.limit}`,
    evidence: page.probe.evidence,
  };
}

function filtersKept(cx: Cx, page: Page): LinkFinding {
  const next = page.next!;
  for (const [name, value] of [
    ['date_from', cx.window.dateFrom],
    ['date_to', cx.window.dateTo],
  ] as const) {
    if (value === undefined) continue;
    const kept = param(next, name);
    if (kept === undefined || parseDateTime(kept) !== parseDateTime(value)) {
      const query = new URL(next).search;
      return {
        ok: false,
        detail: `the Link ${kept === undefined ? `drops ${name}` : `changes ${name} to ${kept}`} (its query: ${query})`,
        evidence: page.probe.evidence,
      };
    }
  }
  return { ok: true };
}

function checkLinks(
  cx: Cx,
  links: Record<'arithmetic' | 'filters' | 'target', LinkFinding[]>,
  none: string,
): void {
  const ids = {
    arithmetic: 'pagination.link-arithmetic',
    filters: 'pagination.link-filters',
    target: 'pagination.link-target',
  } as const;
  for (const key of ['arithmetic', 'filters', 'target'] as const) {
    const found = links[key];
    const bad = found.find((f) => !f.ok);
    if (found.length === 0) cx.results.undetermined(ids[key], none);
    else if (bad) cx.results.fail(ids[key], bad.detail!, [bad.evidence!]);
    else cx.results.pass(ids[key], `${found.length} Link(s) checked`);
  }
}

/** pagination.headers, pagination.total-count and pagination.last-page from the walk (and one more probe). */
export async function checkWalk(cx: Cx, first: Page, w: Walk): Promise<void> {
  const { results } = cx;
  const all = [first, ...w.pages];
  const badHeaders = all.find(
    (p) =>
      p.total === undefined ||
      p.xLimit === undefined ||
      p.objects.length > p.xLimit ||
      (param(p.probe.url, 'limit') !== undefined && p.xLimit > Number(param(p.probe.url, 'limit'))),
  );
  if (badHeaders)
    results.fail(
      'pagination.headers',
      badHeaders.total === undefined || badHeaders.xLimit === undefined
        ? 'X-Total-Count or X-Limit missing or not an integer'
        : `${badHeaders.objects.length} objects, X-Limit ${badHeaders.xLimit}, limit ${param(badHeaders.probe.url, 'limit') ?? '(none)'}`,
      [badHeaders.probe.evidence],
    );
  else results.pass('pagination.headers', `${all.length} pages; default X-Limit ${first.xLimit}`);

  if (!w.complete) {
    const why = `the walk did not end: ${w.reason}; narrow the window with --since`;
    results.undetermined('pagination.total-count', why);
    results.undetermined('pagination.last-page', why);
    return;
  }
  const said = w.pages[0]?.total ?? first.total;
  const firstEv = (w.pages[0] ?? first).probe.evidence;
  const lastEv = (w.pages.at(-1) ?? first).probe.evidence;
  if (said === w.count)
    results.pass(
      'pagination.total-count',
      `X-Total-Count ${said}; ${w.count} objects over ${w.pages.length} pages`,
    );
  else
    results.fail(
      'pagination.total-count',
      `X-Total-Count says ${said}, the Link chain reached ${w.count} objects over ${w.pages.length} pages (limit ${w.limit})`,
      [firstEv, lastEv],
    );
  if (w.emptyViaLink) {
    results.fail(
      'pagination.last-page',
      `the Link of the last page (${w.count} objects reached) leads to an empty page`,
      [lastEv, w.emptyViaLink.probe.evidence],
    );
    return;
  }
  await lastPageProbe(cx, w);
}

/** The last page exactly full (offset N - limit): it must carry no Link (a walk ending on a part page cannot tell). */
async function lastPageProbe(cx: Cx, w: Walk): Promise<void> {
  const n = w.count;
  if (n === 0 || n % w.limit === 0) {
    cx.results.pass('pagination.last-page', `no Link on the last page (${n} objects)`);
    return;
  }
  const offset = Math.max(0, n - w.limit);
  const p = await get(cx, pageUrl(cx.sessionsUrl, cx.window, offset, n - offset));
  const page = readPage(p);
  if (!page) {
    cx.results.undetermined('pagination.last-page', 'the exactly full last page was not a success answer', [
      p.evidence,
    ]);
    return;
  }
  if (!page.next) {
    cx.results.pass('pagination.last-page', `no Link on the last page, full or not (${n} objects)`);
    return;
  }
  const after = await get(cx, page.next);
  const beyond = readPage(after);
  cx.results.fail(
    'pagination.last-page',
    beyond && beyond.objects.length === 0
      ? `the exactly full last page (offset ${offset}) has a Link to an empty page`
      : `the exactly full last page (offset ${offset}) has a Link although the chain held ${n} objects`,
    [p.evidence, after.evidence],
  );
}

/** A limit far above any maximum, near the end of the window (so that a server that obeys it sends little). */
export async function checkLimitCap(cx: Cx, n: number, limit: number): Promise<Evidence> {
  const p = await get(cx, pageUrl(cx.sessionsUrl, cx.window, Math.max(0, n - limit), HUGE_LIMIT));
  const page = readPage(p);
  if (!page)
    cx.results.fail(
      'pagination.limit-capped',
      `limit=${HUGE_LIMIT} was refused (${p.answer ? `HTTP ${p.answer.http}${p.answer.statusCode ? `, OCPI ${p.answer.statusCode}` : ''}` : p.evidence.error})`,
      [p.evidence],
    );
  else if (page.xLimit !== undefined && page.xLimit > HUGE_LIMIT)
    cx.results.fail('pagination.limit-capped', `X-Limit ${page.xLimit} above the limit asked`, [p.evidence]);
  else
    cx.results.pass(
      'pagination.limit-capped',
      page.xLimit !== undefined && page.xLimit < HUGE_LIMIT
        ? `limit=${HUGE_LIMIT} capped to X-Limit ${page.xLimit}`
        : `limit=${HUGE_LIMIT} accepted`,
      [p.evidence],
    );
  return p.evidence;
}

export async function checkOffsetPastEnd(cx: Cx, n: number, limit: number): Promise<Evidence> {
  const p = await get(cx, pageUrl(cx.sessionsUrl, cx.window, n + 100, limit));
  const page = readPage(p);
  if (page && page.objects.length === 0)
    cx.results.pass('pagination.offset-past-end', `offset ${n + 100}: an empty page`, [p.evidence]);
  else
    cx.results.fail(
      'pagination.offset-past-end',
      page
        ? `offset ${n + 100} (past the ${n} objects) gave ${page.objects.length} objects`
        : `offset ${n + 100} was refused`,
      [p.evidence],
    );
  return p.evidence;
}
