// The page crawler of a paginated OCPI GET (OCPI 2.2.1 §4.1.3 / 2.1.1 transport_and_format §4.1.3).
//
// 1. GET the first URL; 2. hand its objects to the caller; 3. if the response has `Link: <…>; rel="next"`, GET
// exactly that URL (resolved against the request URL when relative), else stop. The next URL is never rebuilt
// from offset/limit, so a server that caps the page size (X-Limit lower than asked), uses other parameters, or
// pages by cursor is followed as it says.
//
// The one exception is the spec's own advice for a shrinking X-Total-Count (2.2.1 §4.1.3 NOTE): an object the
// query matched was updated out of the window (e.g. past `date_to`) while we crawled, so every later object moved
// one place forward and the page just fetched started one object too late. "It is advised to redo the previous
// GET but then with the offset lowered by 1 (if the offset was not 0) and after that continue crawling the
// 'next' page links." We take the URL of the GET that reported the lower count (the last one done, which is the
// "previous GET" once the drop is noticed) and lower only the value of its `offset` parameter, by the number of
// objects the count dropped by (1 in the spec's example), leaving every other byte of the URL as the server
// wrote it. Its objects are processed as well (they are valid data); the refetch then continues with the Link of
// the refetched page. A growing count needs nothing: following the links reaches the new objects.
import { nextLink } from './link-header.js';
import { OcpiHttpError, type OcpiClient, type OcpiResponse } from './transport.js';

export interface CrawlPage {
  /** The URL fetched. */
  url: string;
  /** `offset` of that URL, when it has one. */
  offset?: number;
  items: unknown[];
  /** X-Total-Count, when sent. */
  total?: number;
  /** X-Limit, when sent. */
  limit?: number;
  envelopeStyle: 'ocpi' | 'camel';
  /** What to GET after this page (the Link, or a correction); undefined when this was the last page. */
  next?: string;
  /** Set when X-Total-Count dropped and `next` refetches this page with a lower offset. */
  correction?: { from: number; to: number; drop: number };
  /** Set when X-Total-Count dropped but the URL has no offset to lower (nothing can be done). */
  uncorrectable?: boolean;
}

export interface CrawlOptions {
  /** X-Total-Count of the page before `firstUrl` (when resuming from a checkpoint). */
  previousTotal?: number;
  /** Request the next page while the caller processes the current one (default true). */
  prefetch?: boolean;
}

/** Pages from `firstUrl` on, one per iteration; the next request is made only when the caller asks for more. */
export async function* crawlPages(
  http: OcpiClient,
  firstUrl: string,
  options: CrawlOptions = {},
): AsyncGenerator<CrawlPage, void, undefined> {
  let url: string | undefined = firstUrl;
  let previousTotal = options.previousTotal;
  const prefetch = options.prefetch ?? true;
  const visited = new Set<string>([firstUrl]);
  // Aborted when the caller stops early, so that a prefetch (and its retries) does not outlive the crawl.
  const stop = new AbortController();
  let pending: Promise<OcpiResponse> | undefined = quiet(http.get(firstUrl, stop.signal));
  try {
    while (url !== undefined) {
      const res: OcpiResponse = await (pending ?? http.get(url, stop.signal));
      const data = res.envelope.data;
      // OCPI 2.2.1-d2 §4.1.6 (Response format): accept `data` absent; for a list that is an empty page.
      if (data !== undefined && data !== null && !Array.isArray(data))
        throw new OcpiHttpError('protocol', url, `the page at ${url} has a data field that is not a list`);
      const items = (data ?? []) as unknown[];
      const total = intHeader(res.headers.get('x-total-count'));
      const limit = intHeader(res.headers.get('x-limit'));
      const offset = offsetOf(url);
      const page: CrawlPage = {
        url,
        offset,
        items,
        total,
        limit,
        envelopeStyle: res.envelope.style,
        next: nextLink(res.headers.get('link'), res.url),
      };
      if (previousTotal !== undefined && total !== undefined && total < previousTotal) {
        const drop = previousTotal - total;
        if (offset !== undefined && offset > 0) {
          const to = Math.max(0, offset - drop);
          page.correction = { from: offset, to, drop };
          page.next = withOffset(url, to);
          // A correction starts a fresh chain (each needs a lower X-Total-Count, so there are finitely many).
          visited.clear();
        } else {
          page.uncorrectable = true;
        }
      }
      if (total !== undefined) previousTotal = total;
      url = page.next;
      if (url !== undefined) {
        // A Link back to a page already fetched would crawl forever.
        if (visited.has(url))
          throw new OcpiHttpError(
            'protocol',
            url,
            `Link rel="next" points back to an already fetched page: ${url}`,
          );
        visited.add(url);
      }
      // The next page is requested while the caller stores this one (requests stay one at a time).
      pending = url !== undefined && prefetch ? quiet(http.get(url, stop.signal)) : undefined;
      yield page;
    }
  } finally {
    stop.abort();
  }
}

/** The same promise, marked handled: a prefetch the caller never awaits (it stopped early) must not crash. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

function intHeader(v: string | null): number | undefined {
  if (v === null) return undefined;
  const t = v.trim();
  return /^\d+$/.test(t) ? Number(t) : undefined;
}

const OFFSET = /([?&])offset=(\d+)(?=&|#|$)/;

/** The `offset` query value of a URL, if it has one. */
export function offsetOf(url: string): number | undefined {
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  const m = OFFSET.exec(url.slice(q));
  return m ? Number(m[2]) : undefined;
}

/** The same URL with only its `offset` value replaced (the spec's shrinking-count advice; see top of file). */
export function withOffset(url: string, offset: number): string {
  const q = url.indexOf('?');
  if (q < 0) throw new Error(`no query in ${url}`);
  return url.slice(0, q) + url.slice(q).replace(OFFSET, (_m, sep: string) => `${sep}offset=${offset}`);
}
