// One HTTP request over a keep-alive agent that reports every outcome (an answer, a reset, a timeout) instead of
// throwing: for tests that drive a server through faults and count what each request got.
import http from 'node:http';

export interface Answer {
  /** 0: no HTTP answer (connection refused or reset, timeout). */
  status: number;
  json?: any;
  text: string;
  error?: string;
  ms: number;
  headers?: http.IncomingHttpHeaders;
}

/** One request over a shared keep-alive agent; never throws. */
export function request(
  agent: http.Agent,
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
  timeoutMs = 30_000,
): Promise<Answer> {
  const url = new URL(base);
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const t0 = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (a: Omit<Answer, 'ms'>) => {
      if (done) return;
      done = true;
      resolve({ ...a, ms: performance.now() - t0 });
    };
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        agent,
        headers: {
          ...headers,
          ...(text === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }),
        },
      },
      (res) => {
        let t = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (t += d));
        res.on('end', () => {
          let json: any;
          try {
            json = JSON.parse(t);
          } catch {
            json = undefined;
          }
          finish({ status: res.statusCode ?? 0, json, text: t, headers: res.headers });
        });
        res.on('error', (e) => finish({ status: 0, text: t, error: `response: ${e.message}` }));
        res.on('aborted', () => finish({ status: 0, text: t, error: 'response aborted' }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', (e) =>
      finish({ status: 0, text: '', error: (e as NodeJS.ErrnoException).code ?? e.message }),
    );
    req.end(text);
  });
}
