// The eMSP receivers of the push benchmark (bench/scenarios/push.ts), in a process of their own so that the bench
// can pin them to a core apart from the server under test and count their CPU on its own: `--partners` real HTTP
// servers on loopback; the first answers after `--slow-ms`, the second refuses connections (its port is closed),
// the rest answer at once. Each records the sessions it received (how many times, first arrival time).
//
//   node dist/bench/push-receivers.js [--partners 50] [--slow-ms 2000]
// Prints `receivers control on http://127.0.0.1:<port>` once every receiver listens. The control server answers:
//   GET /urls    {keys, slow, dead, urls: {key: receiver endpoint}}
//   GET /stats   {requests, healthyBacklog}: requests answered so far, backlog sessions (B<n>) of healthy partners
//   GET /report  {healthyBacklog, slowDone, duplicates, requests, arrived: {P<n>: epoch ms}} (the new changes)
// Stops on SIGTERM/SIGINT.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { partners: { type: 'string', default: '50' }, 'slow-ms': { type: 'string', default: '2000' } },
});
const PARTNERS = Number(values.partners);
const SLOW_MS = Number(values['slow-ms']);

const keys = Array.from({ length: PARTNERS }, (_, i) => `DE-E${String(i).padStart(2, '0')}`);
const [slow, dead] = [keys[0]!, keys[1]!];
/** Per session id: how many times it was received. */
const seen = new Map<string, number>();
/** First arrival of each new change (P<n>). */
const arrived = new Map<string, number>();
const urls: Record<string, string> = {};
let requests = 0;
let healthyBacklog = 0;
let slowDone = 0;
const ANSWER = '{"status_code":1000,"status_message":"Success","timestamp":"2025-06-01T00:00:00Z"}';

/** Backlog sessions are B<j>, for partner j % PARTNERS; new changes P<n> (healthy partners only). */
function record(id: string): void {
  requests++;
  const n = (seen.get(id) ?? 0) + 1;
  seen.set(id, n);
  if (n > 1) return;
  if (id[0] === 'P') arrived.set(id, Date.now());
  else if (id[0] === 'B') {
    const i = Number(id.slice(1)) % PARTNERS;
    if (i === 0) slowDone++;
    else if (i !== 1) healthyBacklog++;
  }
}

const servers: http.Server[] = [];
for (const key of keys) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = decodeURIComponent(/\/([^/?]+)$/.exec(req.url ?? '')?.[1] ?? '');
      const answer = () => {
        record(id);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(ANSWER);
      };
      if (key === slow) setTimeout(answer, SLOW_MS);
      else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  if (key === dead)
    await new Promise((resolve) => server.close(resolve)); // the port now refuses connections
  else servers.push(server);
  urls[key] = `http://127.0.0.1:${port}/ocpi/emsp/2.2.1/sessions`;
}

const control = http.createServer((req, res) => {
  const json = (v: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(v));
  };
  if (req.url === '/urls') return json({ keys, slow, dead, urls });
  if (req.url === '/stats') return json({ requests, healthyBacklog });
  if (req.url === '/report') {
    let duplicates = 0;
    for (const n of seen.values()) if (n > 1) duplicates++;
    return json({ healthyBacklog, slowDone, duplicates, requests, arrived: Object.fromEntries(arrived) });
  }
  res.writeHead(404).end();
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
console.log(`receivers control on http://127.0.0.1:${(control.address() as AddressInfo).port}`);

for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => {
    for (const s of [...servers, control]) s.closeAllConnections();
    process.exit(0);
  });
