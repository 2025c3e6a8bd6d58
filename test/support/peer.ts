// A small, real, deliberately misbehaving OCPI CPO over node:http on loopback, for pull and registration tests.
//
// It serves a versions list, version details and a Sessions sender list from an in-memory array of canonical
// sessions (creation order, or by last_updated as many CPOs do; filtered by date_from inclusive / date_to
// exclusive), rendered with our own codecs in the configured style. Every misbehaviour is a per-test switch:
// token encoding it accepts, page-size cap, Link
// header shape, scripted failures per sessions request (HTTP status, Retry-After, dropped connection, hang, not
// JSON), a delay on every answer, corrupted objects, and a hook after each page (to update or add sessions
// while a client crawls). For registration it serves a credentials endpoint (POST/PUT answer its own credentials),
// answers a refused token as configured (401, 403, or HTTP 200 + OCPI 2000), and can stream a huge body on a path.
// Every request is recorded (method, headers, body) for assertions.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatDateTime, parseDateTime } from '../../src/domain/datetime.js';
import type { Session } from '../../src/domain/session.js';
import { wireFormatFor, type OcpiVersion } from '../../src/domain/wire-format.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';

export type PeerAction =
  | { kind: 'status'; status: number; retryAfter?: string }
  /** Closes the connection before any byte of a response. */
  | { kind: 'drop' }
  /** Sends the headers and half the body, then closes the connection. */
  | { kind: 'drop-mid-body' }
  /** Answers only after `ms` (longer than the client's timeout: the client gives up on it). */
  | { kind: 'hang'; ms: number }
  /** HTTP 200 with an HTML body. */
  | { kind: 'not-json' };

export interface PeerOptions {
  sessions: Session[];
  token: string;
  /** Which Authorization forms are accepted: raw token, Base64 token, or both. */
  accept: 'raw' | 'base64' | 'both';
  versions: OcpiVersion[];
  style: 'ocpi' | 'camel';
  /** The list's order: creation order, or by last_updated (ties in creation order), where an update moves a
   * session to the end and everything after its old place up one. */
  order: 'created' | 'last_updated';
  defaultLimit: number;
  /** The page-size cap (X-Limit when a client asks more). */
  maxLimit: number;
  /** Delay before every sessions answer. */
  delayMs: number;
  /** The Link header value for an absolute next URL (default `<url>; rel="next"`). */
  linkFormat: (next: string, parts: { path: string; query: string }) => string;
  /** Scripted behaviour of sessions request number n (1-based). */
  action: (n: number, url: URL) => PeerAction | undefined;
  /** Objects (by session id) served corrupted: the function turns the rendered JSON into what is sent. */
  corrupt: Map<string, (json: Record<string, unknown>) => unknown>;
  /** Called after sessions request n was answered (to update or add sessions mid-crawl). */
  afterPage: (n: number, peer: Peer) => void;
  /** How a token that is not accepted is answered: HTTP 401 (OCPI 2.2.1 §4.1.2), 403, or HTTP 200 + OCPI 2000. */
  refusal: 'http-401' | 'http-403' | 'ocpi-2000';
  /** The party (CC-PID) its credentials answer names. */
  party: string;
  /** The token its credentials answer hands out. */
  credentialsToken: string;
  /** Requests to this path (after the token check) get HTTP 200 streaming this many bytes without Content-Length. */
  hugeBody?: { path: string; bytes: number };
}

export interface PeerRequest {
  /** Sessions request number (1-based); undefined for other paths. */
  n?: number;
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
  path: string;
  url: string;
  query: URLSearchParams;
  authorization?: string;
  at: number;
  status?: number;
  /** Ids of the sessions a sessions request was answered with, in order. */
  ids?: string[];
  /** hugeBody: bytes written to the socket, and whether the client closed the connection before the end. */
  streamed?: number;
  aborted?: boolean;
}

export interface Peer {
  /** Base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  versionsUrl: string;
  sessionsUrl(version: OcpiVersion): string;
  options: PeerOptions;
  requests: PeerRequest[];
  sessionsRequests(): PeerRequest[];
  /** Updates a session in place (it keeps its place in creation order). */
  update(id: string, lastUpdated: number): void;
  /** The sessions as they are now (copies), in creation order. */
  current(): Session[];
  add(session: Session): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startPeer(partial: Partial<PeerOptions> = {}): Promise<Peer> {
  const options: PeerOptions = {
    sessions: [],
    token: 'peer-token',
    accept: 'both',
    versions: ['2.1.1', '2.2.1'],
    style: 'ocpi',
    order: 'created',
    defaultLimit: 10,
    maxLimit: 1000,
    delayMs: 0,
    linkFormat: (next) => `<${next}>; rel="next"`,
    action: () => undefined,
    corrupt: new Map(),
    afterPage: () => {},
    refusal: 'http-401',
    party: 'DE-PEE',
    credentialsToken: 'peer-token-c',
    ...partial,
  };
  const sessions = options.sessions.map((s) => ({ ...s }));
  const requests: PeerRequest[] = [];
  let sessionsCount = 0;
  let base = '';

  const authorized = (header: string | undefined): boolean => {
    const m = /^Token (\S+)$/.exec(header ?? '');
    if (!m) return false;
    const raw = m[1] === options.token;
    const b64 = m[1] === Buffer.from(options.token, 'utf8').toString('base64');
    return options.accept === 'both' ? raw || b64 : options.accept === 'raw' ? raw : b64;
  };

  const envelope = (data: unknown, code = 1000, message = 'Success') =>
    options.style === 'camel'
      ? { data, statusCode: code, statusMessage: message, timestamp: formatDateTime(Date.now()) }
      : { data, status_code: code, status_message: message, timestamp: formatDateTime(Date.now()) };

  const send = (res: ServerResponse, rec: PeerRequest, status: number, body: unknown, headers = {}) => {
    rec.status = status;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const listSessions = async (
    req: IncomingMessage,
    res: ServerResponse,
    rec: PeerRequest,
    version: OcpiVersion,
    url: URL,
  ) => {
    const n = ++sessionsCount;
    rec.n = n;
    if (options.delayMs > 0) await sleep(options.delayMs);
    const action = options.action(n, url);
    if (action?.kind === 'drop') {
      rec.status = -1;
      req.socket.destroy();
      return;
    }
    if (action?.kind === 'hang') await sleep(action.ms);
    if (action?.kind === 'status') {
      rec.status = action.status;
      res.writeHead(action.status, {
        'content-type': 'application/json',
        ...(action.retryAfter !== undefined ? { 'retry-after': action.retryAfter } : {}),
      });
      res.end(JSON.stringify(envelope(undefined, 3000, 'Temporarily unavailable')));
      return;
    }
    if (action?.kind === 'not-json') {
      rec.status = 200;
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Bad gateway</body></html>');
      return;
    }
    const q = url.searchParams;
    const from = q.get('date_from') ? parseDateTime(q.get('date_from')) : undefined;
    const to = q.get('date_to') ? parseDateTime(q.get('date_to')) : undefined;
    const offset = Number(q.get('offset') ?? 0);
    const limit = Math.min(Number(q.get('limit') ?? options.defaultLimit), options.maxLimit);
    const matching = sessions.filter(
      (s) => (from === undefined || s.lastUpdated >= from) && (to === undefined || s.lastUpdated < to),
    );
    if (options.order === 'last_updated') matching.sort((a, b) => a.lastUpdated - b.lastUpdated); // stable

    const page = matching.slice(offset, offset + limit);
    rec.ids = page.map((s) => s.id);
    const codec = codecFor(wireFormatFor(options.style, version));
    const data = page.map((s) => {
      const json = JSON.parse(codec.render(s)) as Record<string, unknown>;
      const bad = options.corrupt.get(s.id);
      return bad ? bad(json) : json;
    });
    const headers: Record<string, string> = {
      'x-total-count': String(matching.length),
      'x-limit': String(limit),
    };
    if (offset + page.length < matching.length) {
      const params = new URLSearchParams(url.search);
      params.delete('offset');
      params.delete('limit');
      params.append('offset', String(offset + page.length));
      params.append('limit', String(limit));
      headers.link = options.linkFormat(`${base}${url.pathname}?${params}`, {
        path: url.pathname,
        query: params.toString(),
      });
    }
    const body = JSON.stringify(envelope(data));
    rec.status = 200;
    if (action?.kind === 'drop-mid-body') {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(body.length),
        ...headers,
      });
      res.write(body.slice(0, Math.floor(body.length / 2)));
      rec.status = -2;
      setTimeout(() => req.socket.destroy(), 10);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', ...headers });
    res.end(body);
    options.afterPage(n, peer);
  };

  /** Its credentials (OCPI 2.1.1 §credentials 4.3 / 2.2.1 §7.3.1) as the answer to POST/PUT credentials. */
  const credentials = (version: OcpiVersion) => {
    const [country_code, party_id] = options.party.split('-');
    const business_details = { name: 'Fake peer' };
    return version === '2.1.1'
      ? {
          token: options.credentialsToken,
          url: `${base}/ocpi/versions`,
          business_details,
          party_id,
          country_code,
        }
      : {
          token: options.credentialsToken,
          url: `${base}/ocpi/versions`,
          roles: [{ role: 'EMSP', business_details, party_id, country_code }],
        };
  };

  const stream = async (res: ServerResponse, rec: PeerRequest, bytes: number) => {
    rec.status = 200;
    rec.streamed = 0;
    rec.aborted = false;
    res.on('close', () => {
      if (!res.writableFinished) rec.aborted = true;
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    while (rec.streamed < bytes && !res.destroyed) {
      rec.streamed += chunk.length;
      if (!res.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
    if (!res.destroyed) res.end();
  };

  const refuse = (res: ServerResponse, rec: PeerRequest) => {
    if (options.refusal === 'ocpi-2000')
      return send(res, rec, 200, envelope(undefined, 2000, 'Unauthorized'));
    if (options.refusal === 'http-403') return send(res, rec, 403, envelope(undefined, 2000, 'Forbidden'));
    // OCPI 2.2.1 §4.1.2: unknown token → HTTP 401.
    return send(res, rec, 401, envelope(undefined, 2000, 'Unauthorized'));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', base);
    const rec: PeerRequest = {
      method: req.method ?? 'GET',
      headers: req.headers,
      body,
      path: url.pathname,
      url: url.toString(),
      query: url.searchParams,
      authorization: req.headers.authorization,
      at: Date.now(),
    };
    requests.push(rec);
    if (!authorized(req.headers.authorization)) return refuse(res, rec);
    if (options.hugeBody && url.pathname === options.hugeBody.path) {
      void stream(res, rec, options.hugeBody.bytes);
      return;
    }
    const m = /^\/ocpi\/(?:(versions)|(2\.1\.1|2\.2\.1)(\/sessions|\/credentials)?)\/?$/.exec(url.pathname);
    if (!m) return send(res, rec, 404, envelope(undefined, 2000, 'Not found'));
    if (m[1]) {
      return send(res, rec, 200, envelope(options.versions.map((v) => ({ version: v, url: `/ocpi/${v}` }))));
    }
    const version = m[2] as OcpiVersion;
    if (!options.versions.includes(version))
      return send(res, rec, 404, envelope(undefined, 2000, 'Not found'));
    if (m[3] === '/credentials') {
      if (req.method !== 'POST' && req.method !== 'PUT')
        return send(res, rec, 405, envelope(undefined, 2000, 'Method not allowed'));
      return send(res, rec, 200, envelope(credentials(version)));
    }
    if (!m[3]) {
      const sessionsEndpoint =
        version === '2.2.1'
          ? [
              { identifier: 'sessions', role: 'RECEIVER', url: `${base}/ocpi/emsp-side/${version}/sessions` },
              // relative to the details URL /ocpi/2.2.1: resolves to /ocpi/2.2.1/sessions
              { identifier: 'sessions', role: 'SENDER', url: `2.2.1/sessions` },
            ]
          : [{ identifier: 'sessions', url: `${base}/ocpi/${version}/sessions` }];
      return send(
        res,
        rec,
        200,
        envelope({
          version,
          endpoints: [
            { identifier: 'locations', role: 'SENDER', url: `${base}/ocpi/${version}/locations` },
            {
              identifier: 'credentials',
              ...(version === '2.2.1' ? { role: 'RECEIVER' } : {}),
              url: `${base}/ocpi/${version}/credentials`,
            },
            ...sessionsEndpoint,
          ],
        }),
      );
    }
    listSessions(req, res, rec, version, url).catch((e: unknown) => {
      if (!res.headersSent) send(res, rec, 500, envelope(undefined, 3000, String(e)));
    });
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const peer: Peer = {
    url: base,
    versionsUrl: `${base}/ocpi/versions`,
    sessionsUrl: (v) => `${base}/ocpi/${v}/sessions`,
    options,
    requests,
    sessionsRequests: () => requests.filter((r) => r.n !== undefined),
    update(id, lastUpdated) {
      const s = sessions.find((x) => x.id === id);
      if (!s) throw new Error(`no session ${id}`);
      s.lastUpdated = lastUpdated;
    },
    add(session) {
      sessions.push({ ...session });
    },
    current: () => sessions.map((s) => ({ ...s })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return peer;
}
