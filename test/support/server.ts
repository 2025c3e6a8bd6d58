// A real ocpi-sessions HTTP server on loopback over a fresh SQLite file, for HTTP tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer, type ServerConfig } from '../../src/http/server.js';
import type { SessionStore } from '../../src/store/contract.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

export interface TestServer {
  url: string;
  store: SessionStore;
  app: FastifyInstance;
  close(): Promise<void>;
}

export function tempDb(name = 'test.db'): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'ocpi-test-')), name);
}

export async function startTestServer(
  config: Partial<ServerConfig> = {},
  store?: SessionStore,
): Promise<TestServer> {
  const s = store ?? new SqliteStore(tempDb());
  const app = await buildServer(s, config);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    store: s,
    app,
    close: async () => {
      await app.close();
      await s.close();
    },
  };
}

export function tokenHeader(token: string, encoding: 'raw' | 'base64' = 'base64'): Record<string, string> {
  return { authorization: `Token ${encoding === 'base64' ? Buffer.from(token).toString('base64') : token}` };
}

export async function getJson(url: string, headers: Record<string, string> = {}, method = 'GET') {
  const res = await fetch(url, { method, headers });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** Parses `Link: <url>; rel="next"` (our own strict form). */
export function nextLink(headers: Headers): string | undefined {
  const link = headers.get('link');
  if (!link) return undefined;
  const m = /^<([^>]+)>; rel="next"$/.exec(link);
  if (!m) throw new Error(`malformed Link header: ${link}`);
  return m[1];
}

/** A sessions sender URL for an optional window [from, to) and a limit. */
export function sessionsUrl(
  base: string,
  version: string,
  from: number | undefined,
  to: number | undefined,
  limit: number,
) {
  const q = new URLSearchParams();
  if (from !== undefined) q.set('date_from', new Date(from).toISOString());
  if (to !== undefined) q.set('date_to', new Date(to).toISOString());
  q.set('limit', String(limit));
  return `${base}/ocpi/cpo/${version}/sessions?${q}`;
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
