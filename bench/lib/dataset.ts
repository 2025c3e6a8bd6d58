// The benchmark data set, built once through the real CLI (`partners add`, `demo`) and cached:
//   SQLite:     bench/.cache/sqlite-<sessions>-<partners>[-s<seed>].db
//   PostgreSQL: database bench_<sessions>_<partners>[_s<seed>] on the local server (BENCH_PG_URL / --pg-url)
// A row `bench.dataset` in `meta` holds the key the data was built for and is written last: a data set without it
// (an interrupted build) or with another key (other seed, partners, or a changed SQLite schema) is rebuilt.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { SQLITE_SCHEMA } from '../../src/store/sqlite/schema.js';
import { CACHE_DIR, cli } from './procs.js';
import { BULK_NODE_FLAGS } from '../../src/cli/node-flags.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface BenchPartner {
  key: string;
  countryCode: string;
  partyId: string;
  format: 'ocpi' | 'camel';
  token: string;
  /** `Token <base64(token)>` (OCPI 2.2.1 §4.1.2). */
  authorization: string;
}

export interface Dataset {
  store: StoreKind;
  /** The --db value for the CLI. */
  db: string;
  /** File name or database name. */
  name: string;
  sessions: number;
  partners: BenchPartner[];
  /** PostgreSQL only: the admin URL (database `postgres`) the bench uses for its own queries. */
  adminUrl?: string;
}

/** Five eMSPs; FR-MSP takes the documented camelCase/integer format so that format is measured too. */
export const EMSPS: ReadonlyArray<{ key: string; format: 'ocpi' | 'camel' }> = [
  { key: 'NL-EMS', format: 'ocpi' },
  { key: 'DE-EMP', format: 'ocpi' },
  { key: 'FR-MSP', format: 'camel' },
  { key: 'BE-EMS', format: 'ocpi' },
  { key: 'NO-EMS', format: 'ocpi' },
];
/**
 * The OCPI version every bench partner reads our sessions in (the sender scenarios call the 2.2.1 URLs): the store
 * keeps one wire format per partner style, as a deployment whose partners registered over 2.2.1 (issue 16).
 */
export const PARTNER_VERSION = '2.2.1';
/** The demo generator's clock: every session's last_updated lies in the 90 days before it. */
export const DEMO_NOW = '2025-06-01T00:00:00Z';
export const DEFAULT_SEED = 1;
const MARKER = 'bench.dataset';

export function partners(): BenchPartner[] {
  return EMSPS.map(({ key, format }) => {
    const [countryCode, partyId] = key.split('-') as [string, string];
    const token = `bench-${key.toLowerCase()}-token`;
    return {
      key,
      countryCode,
      partyId,
      format,
      token,
      authorization: `Token ${Buffer.from(token, 'utf8').toString('base64')}`,
    };
  });
}

function datasetKey(store: StoreKind, sessions: number, seed: number): string {
  return JSON.stringify({
    v: 2,
    partnerVersion: PARTNER_VERSION,
    sessions,
    seed,
    now: DEMO_NOW,
    partners: partners().map((p) => `${p.key}:${p.format}:${p.token}`),
    // SQLite creates its tables with IF NOT EXISTS: a file from an older schema would silently keep the old
    // layout. PostgreSQL migrates in place on connect, so its key does not name the schema.
    ...(store === 'sqlite'
      ? { schema: createHash('sha256').update(SQLITE_SCHEMA).digest('hex').slice(0, 12) }
      : {}),
  });
}

function baseName(sessions: number, seed: number, sep: string): string {
  const suffix = seed === DEFAULT_SEED ? '' : `${sep}s${seed}`;
  return `${sessions}${sep}${EMSPS.length}${suffix}`;
}

export const DEFAULT_PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export function pgDatabaseUrl(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface DatasetOptions {
  sessions: number;
  seed: number;
  rebuild: boolean;
  pgAdminUrl: string;
  log: (line: string) => void;
}

export async function ensureDataset(store: StoreKind, o: DatasetOptions): Promise<Dataset> {
  return store === 'sqlite' ? ensureSqlite(o) : ensurePostgres(o);
}

async function ensureSqlite(o: DatasetOptions): Promise<Dataset> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const name = `sqlite-${baseName(o.sessions, o.seed, '-')}.db`;
  const file = path.join(CACHE_DIR, name);
  const key = datasetKey('sqlite', o.sessions, o.seed);
  const dataset: Dataset = { store: 'sqlite', db: file, name, sessions: o.sessions, partners: partners() };
  const have = existsSync(file) ? sqliteMarker(file) : undefined;
  if (have === key && !o.rebuild) {
    o.log(`sqlite: using cached ${path.relative(process.cwd(), file)}`);
    return dataset;
  }
  o.log(`sqlite: building ${path.relative(process.cwd(), file)} (${why(have, key, o.rebuild)})`);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  await build(dataset, o, () => sqliteCount(file));
  const db = new Database(file);
  try {
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(MARKER, key);
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return dataset;
}

function sqliteMarker(file: string): string | undefined {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(MARKER)
        ?.value;
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

function sqliteCount(file: string): number | undefined {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return db.prepare<[], { n: number }>('SELECT COALESCE(SUM(next_ord), 0) AS n FROM owners').get()?.n;
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

async function ensurePostgres(o: DatasetOptions): Promise<Dataset> {
  const name = `bench_${baseName(o.sessions, o.seed, '_')}`;
  const url = pgDatabaseUrl(o.pgAdminUrl, name);
  const key = datasetKey('postgres', o.sessions, o.seed);
  const dataset: Dataset = {
    store: 'postgres',
    db: url,
    name,
    sessions: o.sessions,
    partners: partners(),
    adminUrl: o.pgAdminUrl,
  };
  const exists = await withPg(o.pgAdminUrl, async (c) => {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return r.rowCount === 1;
  });
  const have = exists
    ? await withPg(url, async (c) => {
        try {
          const r = await c.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [MARKER]);
          return r.rows[0]?.value;
        } catch {
          return undefined; // no meta table yet
        }
      })
    : undefined;
  if (have === key && !o.rebuild) {
    o.log(`postgres: using cached database ${name}`);
    return dataset;
  }
  o.log(`postgres: building database ${name} (${why(have, key, o.rebuild)})`);
  await withPg(o.pgAdminUrl, async (c) => {
    if (!/^bench_\d+_\d+(_s\d+)?$/.test(name)) throw new Error(`refusing to drop ${name}`);
    if (exists) await c.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  await build(dataset, o, () =>
    withPg(url, async (c) => {
      const r = await c.query<{ n: string }>('SELECT COALESCE(SUM(next_ord), 0) AS n FROM owners');
      return Number(r.rows[0]?.n ?? 0);
    }).catch(() => undefined),
  );
  await withPg(url, async (c) => {
    // What autovacuum would do some time after a bulk load: planner statistics and the visibility map (which
    // index-only page scans rely on). Done now, so every run measures the same settled state.
    o.log('postgres: VACUUM (ANALYZE)');
    await c.query('VACUUM (ANALYZE)');
    await c.query('INSERT INTO meta (key, value) VALUES ($1, $2)', [MARKER, key]);
  });
  return dataset;
}

function why(have: string | undefined, key: string, rebuild: boolean): string {
  if (rebuild) return '--rebuild';
  if (have === undefined) return 'not built, or its build did not finish';
  return `built for another key: ${have} (wanted ${key})`;
}

/** Partners (one token each) and `demo` sessions through the real CLI, printing progress every 5 s. */
async function build(
  d: Dataset,
  o: DatasetOptions,
  count: () => Promise<number | undefined> | number | undefined,
) {
  // `partners add` does not create a database: create (or migrate) it first.
  await cli(['migrate', '--db', d.db]);
  for (const p of d.partners) {
    await cli([
      'partners',
      'add',
      '--db',
      d.db,
      '--country-code',
      p.countryCode,
      '--party-id',
      p.partyId,
      '--format',
      p.format,
      '--token',
      p.token,
      '--version',
      PARTNER_VERSION,
    ]);
  }
  const started = performance.now();
  const progress = setInterval(() => {
    void Promise.resolve(count()).then((n) => {
      if (n === undefined) return;
      const s = (performance.now() - started) / 1000;
      const rate = n / s;
      const eta = rate > 0 ? (d.sessions - n) / rate : NaN;
      o.log(
        `${d.store}: ${n} / ${d.sessions} sessions written, ${s.toFixed(0)} s, ${rate.toFixed(0)}/s, ~${eta.toFixed(0)} s left`,
      );
    });
  }, 5000);
  try {
    const r = await cli(
      [
        'demo',
        '--db',
        d.db,
        '--sessions',
        String(d.sessions),
        '--seed',
        String(o.seed),
        '--emsp',
        d.partners.map((p) => p.key).join(','),
        '--now',
        DEMO_NOW,
      ],
      undefined,
      BULK_NODE_FLAGS,
    );
    o.log(`${d.store}: ${r.stdout.trim()}`);
  } finally {
    clearInterval(progress);
  }
}

export async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}
