// The baseline for the HTTP benchmarks: a plain node:http server answering every request with ONE pre-built
// response (the exact bytes and headers of a real page fetched from ocpi-sessions just before), after reading
// the request body. It costs what Node's HTTP layer costs for that response size and nothing else, so
// "ocpi-sessions / baseline" is the share of the ideal this server reaches on this machine.
//
//   node dist/bench/baseline-server.js --body <file> [--headers <json file>] [--status 200] [--port 0]
// Prints `baseline listening on http://127.0.0.1:<port>` once it listens; stops on SIGTERM/SIGINT.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    body: { type: 'string' },
    headers: { type: 'string' },
    status: { type: 'string', default: '200' },
    port: { type: 'string', default: '0' },
  },
});
if (!values.body) throw new Error('--body <file> is required');
const body = readFileSync(values.body);
const headers: Record<string, string> = values.headers
  ? JSON.parse(readFileSync(values.headers, 'utf8'))
  : {};
for (const h of ['content-length', 'date', 'connection', 'keep-alive', 'transfer-encoding'])
  delete headers[h];
headers['content-length'] = String(body.length);
const status = Number(values.status);

const server = http.createServer((req, res) => {
  req.resume();
  req.once('end', () => {
    res.writeHead(status, headers);
    res.end(body);
  });
});
server.keepAliveTimeout = 72_000; // as Fastify's default: connections stay open between runs
server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(`baseline listening on http://127.0.0.1:${port}`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
