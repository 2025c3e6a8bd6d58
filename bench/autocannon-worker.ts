// The fallback load generator when wrk is not on PATH: autocannon in a process of its own (pinned by the caller with
// taskset), cycling through a list of GET requests; prints one JSON line with the figures of its run.
//
//   node dist/bench/autocannon-worker.js <url> <requests.json> <connections> <seconds>
// requests.json: [{ "path": "/…", "authorization": "Token …" }, …]
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';

const [url, file, connections, seconds] = process.argv.slice(2);
const list = JSON.parse(readFileSync(file!, 'utf8')) as Array<{ path: string; authorization: string }>;
let i = 0;
const result = await autocannon({
  url: url!,
  connections: Number(connections),
  duration: Number(seconds),
  pipelining: 1,
  timeout: 30,
  requests: [
    {
      method: 'GET',
      setupRequest: (req) => {
        const r = list[i++ % list.length]!;
        return { ...req, path: r.path, headers: { ...req.headers, authorization: r.authorization } };
      },
    },
  ],
});
console.log(
  JSON.stringify({
    requests: result.requests.total,
    seconds: result.duration,
    bytes: result.throughput.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  }),
);
