// `ingest` (issue #6): writes through the ingest endpoint under load, on a scratch copy of the cached data set
// (so the cache stays as built). Interface (src/http/routes/sessions-receiver.ts):
//   PUT   /ingest/2.2.1/sessions/{country_code}/{party_id}/{session_id}   body: an OCPI 2.2.1 Session
//   PATCH /ingest/2.2.1/sessions/{country_code}/{party_id}/{session_id}   body: changed fields + last_updated
//   Authorization: Token <base64(token)>, the token printed by `ocpi-sessions ingest-token --db <db>`.
// Cases: PUT of new sessions (creates), PUT of existing sessions with a newer last_updated (replaces), PATCH of
// existing sessions. Each against a node:http baseline answering the real response of that request.
// When the build has no `ingest-token` command or the server no ingest route, it says so and measures nothing.
// With `--before <cli>` (e.g. a build of main: /tmp/base-ingest/dist/src/cli/main.js) it measures PUT-creates
// only, that build's server and this one's, interleaved, ROUNDS rounds, each run on a fresh scratch copy: creates/s
// and server (and PostgreSQL) CPU per create, min/median/max (group commit, docs/performance.md).
import type { RequestSpec } from 'autocannon';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CommonOptions } from '../main.js';
import { ensureDataset, pgDatabaseUrl, withPg, type Dataset, type StoreKind } from '../lib/dataset.js';
import { runLoad, type LoadResult } from '../lib/load.js';
import { BASELINE_SERVER, cli, cliHas, pidAlive, scratchDir, startService } from '../lib/procs.js';
import { loadAverage, log, machineDescription, markdownTable, num, ratio, spread } from '../lib/report.js';
import { seededRandom } from '../lib/rng.js';
import { startTarget, type Target } from '../lib/target.js';

type Json = Record<string, unknown>;

interface IngestCase {
  id: string;
  label: string;
  method: 'PUT' | 'PATCH';
  /** Request n (0, 1, ...) of this case: path and body. */
  make: (n: number) => { path: string; body: string };
}

interface Row {
  label: string;
  store: StoreKind;
  ours?: LoadResult;
  base?: LoadResult;
  notes: string[];
}

export async function ingest(o: CommonOptions): Promise<void> {
  const rows: Row[] = [];
  const memory: string[] = [];
  const startedLoad = loadAverage();
  if (!(await cliHas('ingest-token'))) {
    console.log(
      '## ingest: not run\n\n`ocpi-sessions ingest-token` does not exist in this build (no ingest endpoint yet: ' +
        'src/http/routes/ has no ingest route). The scenario is implemented against the documented interface ' +
        '(PUT/PATCH /ingest/2.2.1/sessions/{cc}/{pid}/{id}) and runs once it exists.',
    );
    return;
  }
  const tmp = scratchDir();
  if (o.before) {
    try {
      await compareCreates(o, o.before, tmp);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return;
  }
  try {
    for (const store of o.stores) {
      const dataset = await ensureDataset(store, { ...o, log });
      const scratch = await scratchCopy(dataset, tmp);
      try {
        const out = (await cli(['ingest-token', '--db', scratch.db])).stdout;
        const token = parseToken(out);
        if (!token)
          throw new Error(`could not read a token from 'ingest-token' output: ${out.slice(0, 200)}`);
        const authorization = `Token ${Buffer.from(token, 'utf8').toString('base64')}`;
        const target = await startTarget(dataset, scratch.db);
        try {
          rows.push(...(await runStore(target, authorization, o, tmp)));
          const rss = target.rss();
          if (rss) memory.push(`${store} ${rss.rss.toFixed(0)} MiB (peak ${rss.peak.toFixed(0)} MiB)`);
        } finally {
          await target.close();
        }
      } finally {
        await scratch.drop();
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  printReport(rows, memory, o, startedLoad);
}

/** Rounds of the before/after comparison (each: the before build, then this one). */
const ROUNDS = 3;

async function compareCreates(o: CommonOptions, before: string, tmp: string): Promise<void> {
  const startedLoad = loadAverage();
  const lines: string[][] = [];
  for (const store of o.stores) {
    const dataset = await ensureDataset(store, { ...o, log });
    const runs: Record<'before' | 'after', LoadResult[]> = { before: [], after: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const build of ['before', 'after'] as const) {
        const scratch = await scratchCopy(dataset, tmp);
        try {
          const token = parseToken((await cli(['ingest-token', '--db', scratch.db])).stdout);
          const authorization = `Token ${Buffer.from(token!, 'utf8').toString('base64')}`;
          const target = await startTarget(dataset, scratch.db, {
            cli: build === 'before' ? before : undefined,
            name: build,
          });
          try {
            const { cases } = await casesFor(target);
            const create = cases.find((c) => c.id === 'create')!;
            log(`${store}: round ${round}, ${build}: PUT-creates (${o.warmup} s warm-up + ${o.duration} s)`);
            const r = await runLoad(target.server.url, requestsOf(create, authorization), o, target.watched);
            if (r.errors || r.non2xx) log(`${store} ${build}: ${r.errors} errors, ${r.non2xx} non-2xx`);
            runs[build].push(r);
          } finally {
            await target.close();
          }
        } finally {
          await scratch.drop();
        }
      }
    }
    for (const build of ['before', 'after'] as const) {
      const rs = runs[build];
      const of = (f: (r: LoadResult) => number | undefined) =>
        spread(rs.map(f).filter((x): x is number => x !== undefined));
      lines.push([
        store,
        build === 'before' ? before : 'this build',
        of((r) => r.rps),
        of((r) => r.serverMsPerReq),
        of((r) => r.dbMsPerReq),
        of((r) => r.p50),
        rs.map((r) => num(r.otherCores, 2)).join(' / '),
      ]);
    }
  }
  console.log(
    [
      `## ingest: PUT-creates, before/after, ${ROUNDS} interleaved rounds on copies of the ${o.sessions}-session data set (${new Date().toISOString()})`,
      '',
      `- machine: ${machineDescription()} (load average at start ${startedLoad}, at end ${loadAverage()})`,
      `- load: autocannon, ${o.connections} connections, ${o.warmup} s warm-up + ${o.duration} s measured per run`,
      '',
      markdownTable(
        [
          'store',
          'build',
          'creates/s min / median / max',
          'server CPU ms/create',
          'db CPU ms/create',
          'p50 ms',
          'other cores busy',
        ],
        lines,
      ),
    ].join('\n'),
  );
}

function requestsOf(c: IngestCase, authorization: string): RequestSpec[] {
  let n = 0;
  return [
    {
      method: c.method,
      setupRequest: (req) => {
        const r = c.make(n++);
        req.path = r.path;
        req.body = r.body;
        req.headers = { ...req.headers, authorization, 'content-type': 'application/json' };
        return req;
      },
    },
  ];
}

async function casesFor(target: Target) {
  const owner = target.dataset.partners.find((p) => p.format === 'ocpi')!;
  const page = await target.get('/ocpi/cpo/2.2.1/sessions?limit=1000', owner);
  const existing = (JSON.parse(page.body.toString('utf8')) as { data: Json[] }).data;
  if (!existing.length) throw new Error('no sessions to take as templates');
  const template = existing[0]!;
  const cc = String(template.country_code);
  const pid = String(template.party_id);
  const url = (id: string) => `/ingest/2.2.1/sessions/${cc}/${pid}/${encodeURIComponent(id)}`;
  // Every write carries a later last_updated than anything stored (the data set ends at 2025-06-01).
  const t0 = Date.now();
  let tick = 0;
  const lastUpdated = () => new Date(t0 + tick++).toISOString();
  const run = `${process.pid.toString(36)}${(t0 % 1e6).toString(36)}`.toUpperCase();
  const pick = seededRandom(7);
  const cases: IngestCase[] = [
    {
      id: 'create',
      label: 'PUT new session (create)',
      method: 'PUT',
      make: (n) => {
        const id = `BENCH-${run}-${n}`;
        return { path: url(id), body: JSON.stringify({ ...template, id, last_updated: lastUpdated() }) };
      },
    },
    {
      id: 'replace',
      label: 'PUT existing session, newer last_updated',
      method: 'PUT',
      make: () => {
        const s = existing[Math.floor(pick() * existing.length)]!;
        return { path: url(String(s.id)), body: JSON.stringify({ ...s, last_updated: lastUpdated() }) };
      },
    },
    {
      id: 'patch',
      label: 'PATCH existing session (kwh, last_updated)',
      method: 'PATCH',
      make: (n) => {
        const s = existing[Math.floor(pick() * existing.length)]!;
        return {
          path: url(String(s.id)),
          body: JSON.stringify({ kwh: (n % 10_000) / 100, last_updated: lastUpdated() }),
        };
      },
    },
  ];
  return { cases, owner, url, template };
}

async function runStore(
  target: Target,
  authorization: string,
  o: CommonOptions,
  tmp: string,
): Promise<Row[]> {
  const store = target.dataset.store;
  const { cases, owner, url, template } = await casesFor(target);
  // Probe: does the route exist on this server?
  const probe = await send(target.server.url, 'PUT', cases[1]!.make(0), authorization);
  if (probe.status === 404 || probe.status === 405) {
    return [
      {
        label: 'ingest',
        store,
        notes: [`not run: PUT ${url(String(template.id))} answered HTTP ${probe.status} (no ingest route)`],
      },
    ];
  }
  const before = target.counts.get(owner.key) ?? 0;
  const rows: Row[] = [];
  for (const c of cases) {
    const row: Row = { label: c.label, store, notes: [] };
    const sample = await send(target.server.url, c.method, c.make(-1), authorization);
    if (sample.status >= 300)
      row.notes.push(`sample request: HTTP ${sample.status} ${sample.body.slice(0, 120)}`);
    const bodyFile = path.join(tmp, `ingest-${c.id}.body`);
    const headersFile = path.join(tmp, `ingest-${c.id}.headers.json`);
    writeFileSync(bodyFile, sample.body);
    writeFileSync(
      headersFile,
      JSON.stringify({ 'content-type': sample.headers['content-type'] ?? 'application/json' }),
    );
    const requests = () => requestsOf(c, authorization);
    log(`${store}: ingest ${c.label}: ours (${o.warmup} s warm-up + ${o.duration} s)`);
    row.ours = await runLoad(target.server.url, requests(), o, target.watched);
    const baseline = await startService(
      [BASELINE_SERVER, '--body', bodyFile, '--headers', headersFile, '--status', String(sample.status)],
      /listening on (http:\/\/\S+)/,
      'baseline server',
    );
    try {
      log(`${store}: ingest ${c.label}: baseline`);
      row.base = await runLoad(baseline.url, requests(), o, { serverPid: baseline.pid });
    } finally {
      await baseline.stop();
    }
    for (const [who, r] of [
      ['ours', row.ours],
      ['baseline', row.base],
    ] as const) {
      if (r.errors || r.non2xx) row.notes.push(`${who}: ${r.errors} errors, ${r.non2xx} non-2xx`);
    }
    rows.push(row);
  }
  const after = await target.get('/ocpi/cpo/2.2.1/sessions?limit=1', owner);
  rows[0]?.notes.push(`${owner.key} sessions ${before} → ${after.headers['x-total-count']}`);
  return rows;
}

async function send(
  base: string,
  method: string,
  r: { path: string; body: string },
  authorization: string,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const res = await fetch(new URL(r.path, base), {
    method,
    headers: { authorization, 'content-type': 'application/json' },
    body: r.body,
  });
  return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
}

/** The token in `ingest-token` output: JSON {token}, a `token: X` line, or the last word printed. */
export function parseToken(out: string): string | undefined {
  const text = out.trim();
  try {
    const j = JSON.parse(text) as { token?: unknown };
    if (typeof j.token === 'string') return j.token;
  } catch {
    // not JSON
  }
  const labelled = /token:\s*(\S+)/i.exec(text)?.[1];
  return labelled ?? text.split(/\s+/).at(-1) ?? undefined;
}

/** A writable copy of the cached data set: a file copy (SQLite) or CREATE DATABASE … TEMPLATE (PostgreSQL). */
async function scratchCopy(d: Dataset, tmp: string): Promise<{ db: string; drop(): Promise<void> }> {
  if (d.store === 'sqlite') {
    const file = path.join(tmp, 'ingest.db');
    log(`sqlite: copying ${d.name} to a scratch file`);
    copyFileSync(d.db, file);
    return {
      db: file,
      drop: async () => {
        for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
      },
    };
  }
  const admin = d.adminUrl!;
  const name = `bench_scratch_${process.pid}`;
  await withPg(admin, async (c) => {
    // Scratch databases of earlier runs that died before dropping theirs.
    const r = await c.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname ~ '^bench_scratch_[0-9]+$'",
    );
    for (const { datname } of r.rows) {
      const pid = Number(datname.slice('bench_scratch_'.length));
      if (pid === process.pid || !pidAlive(pid))
        await c.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
    log(`postgres: CREATE DATABASE ${name} TEMPLATE ${d.name}`);
    await c.query(`CREATE DATABASE ${name} TEMPLATE ${d.name}`);
  });
  return {
    db: pgDatabaseUrl(admin, name),
    drop: async () => {
      await withPg(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

function printReport(rows: Row[], memory: string[], o: CommonOptions, startedLoad: string): void {
  const header = [
    'case',
    'store',
    'req/s',
    'p50 ms',
    'p99 ms',
    'base req/s',
    'base p50',
    'base p99',
    'req/s ours/base',
    'srv CPU ms/req',
    'db CPU ms/req',
    'cores srv/db/gen/other',
    'notes',
  ];
  const table = rows.map((r) => {
    const u = r.ours;
    const b = r.base;
    return [
      r.label,
      r.store,
      u ? num(u.rps) : '',
      u ? num(u.p50) : '',
      u ? num(u.p99) : '',
      b ? num(b.rps) : '',
      b ? num(b.p50) : '',
      b ? num(b.p99) : '',
      u && b ? ratio(u.rps, b.rps) : '',
      u ? num(u.serverMsPerReq) : '',
      u ? num(u.dbMsPerReq) : '',
      u
        ? [u.serverCores, u.dbCores, u.loadgenCores, u.otherCores]
            .map((v) => (v === undefined ? '-' : num(v, 2)))
            .join('/')
        : '',
      r.notes.join('; '),
    ];
  });
  console.log(
    [
      `## ingest: on a copy of the ${o.sessions}-session data set, store ${o.stores.join(' + ')} (${new Date().toISOString()})`,
      '',
      `- machine: ${machineDescription()} (load average at start ${startedLoad})`,
      `- load: autocannon, ${o.connections} connections, pipelining 1, ${o.warmup} s warm-up + ${o.duration} s measured; ` +
        'baseline = node:http reading the request body and answering the real response of that request',
      '',
      markdownTable(header, table),
      '',
      `- server RSS after the run: ${memory.join('; ')}`,
    ].join('\n'),
  );
}
