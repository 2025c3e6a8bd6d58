// A loopback HTTP peer whose every answer is scripted by request number: for transport tests that need an exact
// sequence (a 503, then a refused token, then a success). Every request is recorded.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ScriptedAnswer =
  | { status: number; json?: unknown; text?: string; headers?: Record<string, string> }
  /** Closes the connection before any byte of a response. */
  | { drop: true };

export interface ScriptedRequest {
  /** 1-based. */
  n: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ScriptedPeer {
  url: string;
  requests: ScriptedRequest[];
  close(): Promise<void>;
}

/** An OCPI envelope (2.2.1 §4.1.6) around `data`. */
export function envelope(data: unknown, code = 1000, message = 'Success') {
  return { data, status_code: code, status_message: message, timestamp: new Date().toISOString() };
}

export async function startScriptedPeer(
  script: (request: ScriptedRequest) => ScriptedAnswer,
): Promise<ScriptedPeer> {
  const requests: ScriptedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: ScriptedRequest = {
        n: requests.length + 1,
        method: req.method ?? 'GET',
        path: new URL(req.url ?? '/', 'http://x').pathname,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(rec);
      const answer = script(rec);
      if ('drop' in answer) {
        req.socket.destroy();
        return;
      }
      const isJson = answer.text === undefined;
      res.writeHead(answer.status, {
        'content-type': isJson ? 'application/json' : 'text/html',
        ...answer.headers,
      });
      res.end(isJson ? JSON.stringify(answer.json ?? envelope(undefined)) : answer.text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
