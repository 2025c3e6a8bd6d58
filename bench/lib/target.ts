// The system under test: the real `ocpi-sessions serve` process on a data set, plus what the benchmarks need to
// know about it (partner session counts, PostgreSQL backend PIDs for CPU accounting, memory).
import pg from 'pg';
import type { BenchPartner, Dataset } from './dataset.js';
import type { Watched } from './load.js';
import { rssMiB, startOcpiServer, type Service } from './procs.js';

export interface Target {
  dataset: Dataset;
  server: Service;
  watched: Watched;
  /** X-Total-Count per partner key (2.2.1, no window). */
  counts: Map<string, number>;
  get(path: string, partner: BenchPartner): Promise<Page>;
  rss(): { rss: number; peak: number } | undefined;
  close(): Promise<void>;
}

export interface Page {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export async function startTarget(dataset: Dataset, db = dataset.db, cli?: string): Promise<Target> {
  const server = await startOcpiServer(db, [], cli);
  let admin: pg.Client | undefined;
  let dbPids: (() => Promise<number[]>) | undefined;
  if (dataset.store === 'postgres') {
    admin = new pg.Client({ connectionString: dataset.adminUrl });
    await admin.connect();
    const database = decodeURIComponent(new URL(db).pathname.slice(1));
    const c = admin;
    dbPids = async () =>
      (
        await c.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'",
          [database],
        )
      ).rows.map((r) => r.pid);
  }
  const get = async (path: string, partner: BenchPartner): Promise<Page> => {
    const res = await fetch(new URL(path, server.url), { headers: { authorization: partner.authorization } });
    const body = Buffer.from(await res.arrayBuffer());
    return { status: res.status, headers: Object.fromEntries(res.headers), body };
  };
  const counts = new Map<string, number>();
  for (const p of dataset.partners) {
    const page = await get('/ocpi/cpo/2.2.1/sessions?limit=1', p);
    if (page.status !== 200) throw new Error(`GET sessions as ${p.key}: HTTP ${page.status} ${page.body}`);
    counts.set(p.key, Number(page.headers['x-total-count']));
  }
  return {
    dataset,
    server,
    watched: { serverPid: server.pid, dbPids },
    counts,
    get,
    rss: () => rssMiB(server.pid),
    close: async () => {
      await server.stop();
      await admin?.end().catch(() => undefined);
    },
  };
}
