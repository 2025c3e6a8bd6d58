// A forwarding proxy in front of an eMSP's OCPI endpoints that can be down, flaky or slow, and logs every PUT and
// PATCH of a session that the eMSP accepted (in the order the eMSP answered them).
//   down:  every connection is closed at once (the eMSP is "down");
//   flaky: 15 % 503, 15 % of the answers lost after the eMSP applied the request, 10 % answered after 1.5 s;
//   up:    every request forwarded, after `delayMs` (a slow receiver).
import assert from 'node:assert/strict';
import http from 'node:http';
import { cli, cliAsync, serve, setParty, type Served } from './cli.js';
import { freePort } from './ports.js';

export type ProxyMode = 'down' | 'flaky' | 'up';

export interface AcceptedPush {
  method: string;
  /** The session id from the URL. */
  id: string;
  lastUpdated: string;
  /** The request body as sent. */
  body: string;
}

export function emspProxy(target: number, options: { delayMs?: number } = {}) {
  let mode: ProxyMode = 'up';
  const accepted: AcceptedPush[] = [];
  const stats = {
    refused: 0,
    failed503: 0,
    answerDropped: 0,
    patchAnswerDropped: 0,
    slow: 0,
    forwarded: 0,
    /** PUT/PATCH requests in progress now, and the most at once. */
    pushing: 0,
    maxPushing: 0,
  };
  const server = http.createServer((req, res) => {
    if (mode === 'down') {
      stats.refused++;
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const dice = Math.random();
      if (mode === 'flaky' && dice < 0.15) {
        stats.failed503++;
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            status_code: 3000,
            status_message: 'proxy: unavailable',
            timestamp: new Date().toISOString(),
          }),
        );
        return;
      }
      const slow = mode === 'flaky' && dice > 0.9;
      if (slow) stats.slow++;
      const push = req.method === 'PUT' || req.method === 'PATCH';
      if (push) stats.maxPushing = Math.max(stats.maxPushing, ++stats.pushing);
      if (push) res.once('close', () => stats.pushing--);
      setTimeout(
        () => {
          const up = http.request(
            { host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers },
            (r) => {
              const out: Buffer[] = [];
              r.on('data', (c: Buffer) => out.push(c));
              r.on('end', () => {
                stats.forwarded++;
                const m = /\/sessions\/[^/]+\/[^/]+\/([^/?]+)/.exec(req.url ?? '');
                if (m && (r.statusCode ?? 0) < 300 && push) {
                  const json = JSON.parse(body.toString() || '{}');
                  accepted.push({
                    method: req.method!,
                    id: decodeURIComponent(m[1]!),
                    lastUpdated: json.last_updated,
                    body: body.toString(),
                  });
                }
                // The eMSP applied it, but the answer never reaches the CPO: it must not be applied twice.
                if (mode === 'flaky' && dice >= 0.15 && dice < 0.3) {
                  stats.answerDropped++;
                  if (req.method === 'PATCH') stats.patchAnswerDropped++;
                  req.socket.destroy();
                  return;
                }
                res.writeHead(r.statusCode ?? 502, r.headers);
                res.end(Buffer.concat(out));
              });
            },
          );
          up.on('error', () => req.socket.destroy());
          up.end(body);
        },
        slow ? 1500 : mode === 'up' && push ? (options.delayMs ?? 0) : 0,
      );
    });
  });
  return {
    server,
    accepted,
    stats,
    setMode: (m: ProxyMode) => (mode = m),
  };
}

/**
 * A real eMSP (`serve` on `emspDb` as `party`) behind an emspProxy (every URL it hands out points at the proxy),
 * registered (2.2.1) by the CPO on `cpoDb` through the proxy.
 */
export async function registeredEmspBehindProxy(
  cpoDb: string,
  emspDb: string,
  party: string,
  options: { delayMs?: number } = {},
): Promise<{ proxy: ReturnType<typeof emspProxy>; emsp: Served }> {
  setParty(emspDb, party, 'EMSP', `eMSP ${party}`);
  const emspPort = await freePort();
  const proxy = emspProxy(emspPort, options);
  await new Promise<void>((r) => proxy.server.listen(0, '127.0.0.1', r));
  const proxyUrl = `http://127.0.0.1:${(proxy.server.address() as { port: number }).port}`;
  const emsp = await serve(emspDb, emspPort, ['--public-url', proxyUrl]);
  const inv = JSON.parse(cli(['partners', 'invite', '--db', emspDb, '--json']));
  const reg = JSON.parse(
    await cliAsync([
      'register',
      '--db',
      cpoDb,
      inv.url,
      '--token',
      inv.token,
      '--version',
      '2.2.1',
      '--json',
    ]),
  );
  assert.equal(reg.key, party);
  return { proxy, emsp };
}
