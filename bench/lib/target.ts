// The system under test: the real `ocpi-sessions serve` process on a data set (or, for comparison, another build
// of it or the typical peer of bench/peer-server.ts), plus what the benchmarks need to know about it (partner
// session counts, PostgreSQL backend PIDs for CPU accounting, memory).
import pg from 'pg';
import type { BenchPartner, Dataset } from './dataset.js';
import type { Watched } from './load.js';
import { PEER_SERVER, rssMiB, startOcpiServer, startService, type Service } from './procs.js';

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

function withAppName(db: string, name: string): string {
  const u = new URL(db);
  u.searchParams.set('application_name', name);
  return u.toString();
}

export interface Page {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface TargetOptions {
  /** Pin the server to this core. */
  core?: number;
  /** Run another build of ours (its dist/src/cli/main.js). */
  cli?: string;
  /** bench/peer-server.ts instead of ours. */
  peer?: boolean;
  /**
   * On PostgreSQL, the application_name of its connections is `bench-<name>`: it tells this server's backends from
   * those of the other servers on the same database (CPU accounting). Default 'ours' ('peer' for the peer).
   */
  name?: string;
}

export async function startTarget(dataset: Dataset, db = dataset.db, o: TargetOptions = {}): Promise<Target> {
  const appName = `bench-${o.name ?? (o.peer ? 'peer' : 'ours')}`;
  const url = dataset.store === 'postgres' ? withAppName(db, appName) : db;
  const server = o.peer
    ? await startService(
        [PEER_SERVER, '--db', url],
        /listening on (http:\/\/\S+)/,
        'peer server',
        undefined,
        o.core,
      )
    : await startOcpiServer(url, [], o.core, o.cli);
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
          `SELECT pid FROM pg_stat_activity
           WHERE datname = $1 AND backend_type = 'client backend' AND application_name = $2`,
          [database, appName],
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
