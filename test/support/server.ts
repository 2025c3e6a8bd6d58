// A real ocpi-sessions HTTP server on loopback over a fresh SQLite file, for HTTP tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer, type ServerConfig } from '../../src/app/server.js';
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
