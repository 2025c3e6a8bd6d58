// The one HTTP/1.1 client of the tests, over loopback (node:http, no normalization): send() and three shapes of
// it. raw(): any method, path, header and body bytes, throws when there is no answer. request(): a JSON body over
// a given keep-alive agent, never throws (a refused or reset connection, a timeout: status 0 and `error`), for
// tests that drive a server through faults and count what each request got. getJson(): a URL, the answer with
// a fetch-style `Headers` and the body parsed when it is JSON.
import http from 'node:http';

export interface RawRequest {
  method: string;
  /** Sent as is: may hold percent-escapes of invalid UTF-8, `..`, `%2F`, … (no spaces or bytes > 0x7e). */
  path: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** No answer within this time: the request is destroyed (default 30 s). */
  timeoutMs?: number;
  /** Default: a keep-alive agent shared by every caller that gives none (at most 8 sockets); false: none. */
  agent?: http.Agent | false;
  /** The body trickles in, in ten parts over this many ms: the request is in flight at the server that long. */
  trickleMs?: number;
  /** Never throw: no HTTP answer (refused, reset, timeout) resolves with status 0 and `error`. */
  settle?: boolean;
}

export interface RawResponse {
  /** 0: no HTTP answer (only with `settle`). */
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: any;
  /** From the request to the end of the answer (or the failure). */
  ms: number;
  /** With `settle`: why there is no answer (the error code when there is one: ECONNREFUSED, ECONNRESET, …). */
  error?: string;
}

const shared = new http.Agent({ keepAlive: true, maxSockets: 8 });

function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One HTTP/1.1 request to `base` (its host and port) for `req.path`, with nothing normalized. */
export function send(base: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(base);
  const timeoutMs = req.timeoutMs ?? 30_000;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    let done = false;
    const answer = (a: Omit<RawResponse, 'ms'>) => {
      if (done) return;
      done = true;
      resolve({ ...a, ms: performance.now() - t0 });
    };
    const fail = (e: Error, text = '') => {
      if (done) return;
      if (!req.settle) {
        done = true;
        return reject(e);
      }
      answer({
        status: 0,
        headers: {},
        text,
        json: undefined,
        error: (e as NodeJS.ErrnoException).code ?? e.message,
      });
    };
    const r = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        // An explicit length: Node sends no body framing for DELETE/GET/OPTIONS bodies otherwise.
        headers:
          req.body === undefined
            ? req.headers
            : { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
        agent: req.agent ?? shared,
        insecureHTTPParser: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        const text = () => Buffer.concat(chunks).toString('utf8');
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const t = text();
          answer({ status: res.statusCode ?? 0, headers: res.headers, text: t, json: parseJson(t) });
        });
        res.on('error', (e) => fail(new Error(`response: ${e.message}`), text()));
        res.on('aborted', () => fail(new Error('response aborted'), text()));
      },
    );
    r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    r.on('error', (e) => fail(e));
    if (req.body === undefined) return void r.end();
    if (!req.trickleMs) return void r.end(req.body);
    const body = Buffer.from(req.body);
    const parts = 10;
    const size = Math.ceil(body.length / parts);
    let i = 0;
    const timer = setInterval(() => {
      r.write(body.subarray(i * size, (i + 1) * size));
      if (++i === parts) {
        clearInterval(timer);
        r.end();
      }
    }, req.trickleMs / parts);
    r.once('close', () => clearInterval(timer));
  });
}

/** send() that throws when there is no answer: for tests of what the server answers to any bytes. */
export function raw(base: string, req: RawRequest): Promise<RawResponse> {
  return send(base, { ...req, settle: false });
}

export type Answer = RawResponse;

/** Encodes a body as JSON (a string goes as is) with its content type; no body: no header. */
function jsonBody(body: unknown): { headers: Record<string, string>; body?: string } {
  if (body === undefined) return { headers: {} };
  return {
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/** One request with a JSON body over `agent`; never throws (no answer: status 0 and `error`). */
export function request(
  agent: http.Agent | false,
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
  timeoutMs = 30_000,
): Promise<Answer> {
  const b = jsonBody(body);
  return send(base, {
    method,
    path,
    agent,
    timeoutMs,
    settle: true,
    headers: { ...headers, ...b.headers },
    body: b.body,
  });
}

/** Keep-alive like fetch's pool: no limit on concurrent connections. */
const unlimited = new http.Agent({ keepAlive: true });

/**
 * A request to `url` (an optional JSON body); throws when there is no answer. `body` is the JSON answer, else its
 * text; `json` the JSON answer or undefined; `headers` as fetch gives them.
 */
export async function getJson(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: unknown,
) {
  const u = new URL(url);
  const b = jsonBody(body);
  const r = await send(u.origin, {
    method,
    path: `${u.pathname}${u.search}`,
    headers: { ...headers, ...b.headers },
    body: b.body,
    agent: unlimited,
  });
  const h = new Headers();
  for (const [name, value] of Object.entries(r.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) h.append(name, v);
  }
  return {
    status: r.status,
    headers: h,
    body: r.json === undefined ? (r.text as any) : r.json,
    json: r.json,
    text: r.text,
  };
}

/** Parses `Link: <url>; rel="next"` (our own strict form). */
export function nextLink(headers: Headers): string | undefined {
  const link = headers.get('link');
  if (!link) return undefined;
  const m = /^<([^>]+)>; rel="next"$/.exec(link);
  if (!m) throw new Error(`malformed Link header: ${link}`);
  return m[1];
}

/** Follows Link rel="next" from `url` to its end (at most `maxPages` GETs), returning every page as getJson does. */
export async function walkLinks(url: string, headers: Record<string, string>, maxPages: number) {
  const pages: Array<Awaited<ReturnType<typeof getJson>>> = [];
  for (let next: string | undefined = url; next && pages.length < maxPages;) {
    const r = await getJson(next, headers);
    pages.push(r);
    next = r.status === 200 ? nextLink(r.headers) : undefined;
  }
  return pages;
}
