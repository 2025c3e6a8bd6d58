// A small OCPI 2.2.1 CPO over node:http on loopback for the `check` tests: a correct Sessions SENDER (versions,
// version details, a list in creation order, date_from inclusive / date_to exclusive, X-Total-Count, X-Limit,
// limit capped at 20, Link to the next page only) with at most one real-world defect switched on.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatDateTime, parseDateTime } from '../../src/domain/datetime.js';
import type { Session } from '../../src/domain/session.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { makeSession } from './sessions.js';

export const DEFECTS = [
  'total-is-page-length',
  'date-to-inclusive',
  'link-to-empty-page',
  'link-renamed-filters',
  'link-https',
  'link-wrong-path',
  'limit-refused',
  'ordered-by-last-updated',
  'base64-refused',
  'forbidden-403',
  'datetime-without-z',
  'invalid-enum',
  'slow-deep-pages',
] as const;
export type Defect = (typeof DEFECTS)[number];

export const PEER_TOKEN = 'defective-cpo-token';
export const PEER_PARTY = 'NL-EMS';
const MAX_LIMIT = 20;
const DEFAULT_LIMIT = 10;
/** `slow-deep-pages`: every page past the first answers this much later. */
export const SLOW_PAGE_MS = 300;

/** 24 sessions of NL-EMS: started in creation order, last updated in another order (7 · i mod 24 minutes). */
export function peerSessions(count = 24, emsp = PEER_PARTY, base = Date.UTC(2025, 4, 1)): Session[] {
  return Array.from({ length: count }, (_, i) => ({
    ...makeSession(`S${String(i).padStart(3, '0')}`, emsp, base + 86_400_000 + ((7 * i) % count) * 60_000),
    startDateTime: base + i * 60_000,
  }));
}

export interface DefectiveCpo {
  url: string;
  versionsUrl: string;
  /** Every request: method, URL (path and query) and Authorization header. */
  requests: { method: string; url: string; authorization?: string }[];
  close(): Promise<void>;
}

export async function startDefectiveCpo(defect?: Defect): Promise<DefectiveCpo> {
  const sessions = peerSessions();
  const codec = codecFor('ocpi-2.2.1');
  let base = '';
  const envelope = (data: unknown, code = 1000, message = 'Success') => ({
    data,
    status_code: code,
    status_message: message,
    timestamp: formatDateTime(Date.now()),
  });
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const authorized = (header: string | undefined) => {
    const value = /^Token (\S+)$/.exec(header ?? '')?.[1];
    const b64 = Buffer.from(PEER_TOKEN).toString('base64');
    return value === PEER_TOKEN || (value === b64 && defect !== 'base64-refused');
  };

  const list = (res: ServerResponse, url: URL) => {
    const q = url.searchParams;
    const fromText = q.get('date_from') ?? q.get('from');
    const toText = q.get('date_to') ?? q.get('to');
    const from = fromText ? parseDateTime(fromText) : undefined;
    const to = toText ? parseDateTime(toText) : undefined;
    const offset = Number(q.get('offset') ?? 0);
    const asked = Number(q.get('limit') ?? DEFAULT_LIMIT);
    if (asked > MAX_LIMIT && defect === 'limit-refused')
      return send(res, 400, envelope(undefined, 2001, `limit must be at most ${MAX_LIMIT}`));
    const limit = Math.min(asked, MAX_LIMIT);
    const inclusiveTo = defect === 'date-to-inclusive';
    const matching = sessions.filter(
      (s) =>
        (from === undefined || s.lastUpdated >= from) &&
        (to === undefined || s.lastUpdated < to || (inclusiveTo && s.lastUpdated === to)),
    );
    if (defect === 'ordered-by-last-updated') matching.sort((a, b) => a.lastUpdated - b.lastUpdated);
    const page = matching.slice(offset, offset + limit);
    const data = page.map((s, i) => {
      const json = JSON.parse(codec.render(s)) as Record<string, unknown>;
      if (defect === 'datetime-without-z')
        for (const k of ['start_date_time', 'last_updated']) json[k] = String(json[k]).replace(/Z$/, '');
      if (defect === 'invalid-enum' && i === 0) json.status = 'CHARGING';
      return json;
    });
    const headers: Record<string, string> = {
      'x-total-count': String(defect === 'total-is-page-length' ? page.length : matching.length),
      'x-limit': String(limit),
    };
    const more =
      defect === 'link-to-empty-page' ? page.length === limit : offset + page.length < matching.length;
    if (more) {
      const params = new URLSearchParams(url.search);
      params.set('offset', String(offset + page.length));
      params.set('limit', String(limit));
      if (defect === 'link-renamed-filters')
        for (const [was, now] of [
          ['date_from', 'from'],
          ['date_to', 'to'],
        ] as const) {
          const v = params.get(was);
          params.delete(was);
          if (v !== null) params.set(now, v);
        }
      const origin = defect === 'link-https' ? base.replace(/^http:/, 'https:') : base;
      const path = defect === 'link-wrong-path' ? url.pathname.replace(/sessions$/, 'session') : url.pathname;
      headers.link = `<${origin}${path}?${params}>; rel="next"`;
    }
    if (defect === 'slow-deep-pages' && offset > 0)
      return void setTimeout(() => send(res, 200, envelope(data), headers), SLOW_PAGE_MS);
    send(res, 200, envelope(data), headers);
  };

  const requests: DefectiveCpo['requests'] = [];
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    requests.push({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      authorization: req.headers.authorization,
    });
    if (!authorized(req.headers.authorization)) {
      const status = defect === 'forbidden-403' ? 403 : 401;
      return send(res, status, envelope(undefined, 2000, 'Unknown token'));
    }
    if (url.pathname === '/ocpi/versions')
      return send(res, 200, envelope([{ version: '2.2.1', url: `${base}/ocpi/2.2.1` }]));
    if (url.pathname === '/ocpi/2.2.1')
      return send(
        res,
        200,
        envelope({
          version: '2.2.1',
          endpoints: [
            { identifier: 'credentials', role: 'RECEIVER', url: `${base}/ocpi/2.2.1/credentials` },
            { identifier: 'sessions', role: 'SENDER', url: `${base}/ocpi/2.2.1/sessions` },
          ],
        }),
      );
    if (url.pathname === '/ocpi/2.2.1/sessions' && req.method === 'GET') return list(res, url);
    send(res, 404, envelope(undefined, 2000, 'Not found'));
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    versionsUrl: `${base}/ocpi/versions`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
