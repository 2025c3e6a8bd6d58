// `sender`: the OCPI Sessions sender GET under load (issue #2), per store, against a same-size baseline.
//
// For each case: autocannon on the real `ocpi-sessions serve` process (requests randomized per call through
// setupRequest: partner, offset), then, with the same autocannon settings and the same request stream, on
// bench/baseline-server.ts serving the exact bytes and headers of one real page of that case. Then a Link-chain
// walk of one partner to its end. One markdown table for all stores.
import type { RequestSpec } from 'autocannon';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureDataset, type BenchPartner, type DatasetOptions, type StoreKind } from '../lib/dataset.js';
import { measureCpu, percentile, runLoad, type LoadConfig, type LoadResult } from '../lib/load.js';
import { BASELINE_SERVER, scratchDir, startService } from '../lib/procs.js';
import { seededRandom } from '../lib/rng.js';
import { loadAverage, log, machineDescription, markdownTable, num, ratio } from '../lib/report.js';
import { startTarget, type Target } from '../lib/target.js';

export interface SenderOptions extends LoadConfig, Omit<DatasetOptions, 'log'> {
  stores: StoreKind[];
  /** Case ids to run (default: all). */
  cases?: string[];
}

interface CaseDef {
  id: string;
  label: string;
  version: '2.1.1' | '2.2.1';
  limit: number;
  depth: 'shallow' | 'deep';
  /** Which partners the requests are spread over. */
  format: 'ocpi' | 'camel';
}

/** Shallow: offset uniform in [0, 1000); deep: in [90% of the partner's count, +1000); clipped to full pages. */
export const CASES: CaseDef[] = [
  {
    id: 'l100',
    label: 'limit=100 shallow, ocpi 2.2.1',
    version: '2.2.1',
    limit: 100,
    depth: 'shallow',
    format: 'ocpi',
  },
  {
    id: 'l1000',
    label: 'limit=1000 shallow, ocpi 2.2.1',
    version: '2.2.1',
    limit: 1000,
    depth: 'shallow',
    format: 'ocpi',
  },
  {
    id: 'l100-deep',
    label: 'limit=100 deep (90%), ocpi 2.2.1',
    version: '2.2.1',
    limit: 100,
    depth: 'deep',
    format: 'ocpi',
  },
  {
    id: 'l1000-deep',
    label: 'limit=1000 deep (90%), ocpi 2.2.1',
    version: '2.2.1',
    limit: 1000,
    depth: 'deep',
    format: 'ocpi',
  },
  {
    id: 'ocpi-2.1.1',
    label: 'limit=100 shallow, ocpi 2.1.1',
    version: '2.1.1',
    limit: 100,
    depth: 'shallow',
    format: 'ocpi',
  },
  {
    id: 'camel-2.1.1',
    label: 'limit=100 shallow, camel 2.1.1 (FR-MSP)',
    version: '2.1.1',
    limit: 100,
    depth: 'shallow',
    format: 'camel',
  },
  {
    id: 'camel-2.2.1',
    label: 'limit=100 shallow, camel 2.2.1 (FR-MSP)',
    version: '2.2.1',
    limit: 100,
    depth: 'shallow',
    format: 'camel',
  },
];
const WALK = { id: 'walk', partner: 'NL-EMS', version: '2.2.1', limit: 1000 } as const;
export const CASE_IDS = [...CASES.map((c) => c.id), WALK.id];

interface Row {
  caseIndex: number;
  label: string;
  store: StoreKind;
  ours?: LoadResult;
  base?: LoadResult;
  cells?: Partial<Record<'rps' | 'mbps' | 'p50' | 'p99' | 'kb' | 'srvMs' | 'dbMs' | 'cores', string>>;
  notes: string[];
}

export async function sender(o: SenderOptions): Promise<void> {
  const selected = (id: string) => !o.cases || o.cases.includes(id);
  const rows: Row[] = [];
  const memory: string[] = [];
  const startedLoad = loadAverage();
  const tmp = scratchDir();
  try {
    for (const store of o.stores) {
      const dataset = await ensureDataset(store, { ...o, log });
      const target = await startTarget(dataset);
      try {
        log(
          `${store}: server pid ${target.server.pid} at ${target.server.url}; sessions per partner: ${[...target.counts].map(([k, n]) => `${k} ${n}`).join(', ')}`,
        );
        for (const [i, c] of CASES.entries()) {
          if (!selected(c.id)) continue;
          rows.push(await runCase(i, c, target, o, tmp));
        }
        if (selected(WALK.id)) rows.push(await walk(target));
        const rss = target.rss();
        if (rss) memory.push(`${store} ${rss.rss.toFixed(0)} MiB (peak ${rss.peak.toFixed(0)} MiB)`);
      } finally {
        await target.close();
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  rows.sort((a, b) => a.caseIndex - b.caseIndex || o.stores.indexOf(a.store) - o.stores.indexOf(b.store));
  printReport(rows, memory, o, startedLoad);
}

/** A request stream for a case: each request picks a partner and an offset (seeded, so runs are comparable). */
function requestMaker(c: CaseDef, target: Target, seed: number) {
  const rng = seededRandom(seed);
  const partners = target.dataset.partners.filter((p) => p.format === c.format);
  return (): { path: string; partner: BenchPartner } => {
    const partner = partners[Math.floor(rng() * partners.length)]!;
    const count = target.counts.get(partner.key) ?? 0;
    const start = c.depth === 'shallow' ? 0 : Math.floor(count * 0.9);
    const offset = Math.max(0, Math.min(start + Math.floor(rng() * 1000), count - c.limit));
    return { path: `/ocpi/cpo/${c.version}/sessions?offset=${offset}&limit=${c.limit}`, partner };
  };
}

function requestsFor(next: () => { path: string; partner: BenchPartner }): RequestSpec[] {
  return [
    {
      method: 'GET',
      setupRequest: (req) => {
        const { path: p, partner } = next();
        req.path = p;
        req.headers = { ...req.headers, authorization: partner.authorization };
        return req;
      },
    },
  ];
}

async function runCase(
  index: number,
  c: CaseDef,
  target: Target,
  o: SenderOptions,
  tmp: string,
): Promise<Row> {
  const store = target.dataset.store;
  const row: Row = { caseIndex: index, label: c.label, store, notes: [] };
  // One real page of this case: the baseline serves exactly these bytes and headers.
  const first = requestMaker(c, target, 1)();
  const page = await target.get(first.path, first.partner);
  if (page.status !== 200) throw new Error(`${c.label}: GET ${first.path} gave HTTP ${page.status}`);
  const bodyFile = path.join(tmp, `${c.id}.body`);
  const headersFile = path.join(tmp, `${c.id}.headers.json`);
  writeFileSync(bodyFile, page.body);
  const keep = ['content-type', 'x-total-count', 'x-limit', 'link'];
  writeFileSync(
    headersFile,
    JSON.stringify(Object.fromEntries(keep.flatMap((h) => (page.headers[h] ? [[h, page.headers[h]]] : [])))),
  );

  log(`${store}: ${c.label}: ours (${o.warmup} s warm-up + ${o.duration} s)`);
  row.ours = await runLoad(target.server.url, requestsFor(requestMaker(c, target, 2)), o, target.watched);
  const baseline = await startService(
    [BASELINE_SERVER, '--body', bodyFile, '--headers', headersFile],
    /listening on (http:\/\/\S+)/,
    'baseline server',
  );
  try {
    log(`${store}: ${c.label}: baseline, ${(page.body.length / 1024).toFixed(0)} KB body`);
    row.base = await runLoad(baseline.url, requestsFor(requestMaker(c, target, 2)), o, {
      serverPid: baseline.pid,
    });
  } finally {
    await baseline.stop();
  }
  row.notes.push(offsetRange(c, target));
  for (const [who, r] of [
    ['ours', row.ours],
    ['baseline', row.base],
  ] as const) {
    if (r.errors || r.non2xx) row.notes.push(`${who}: ${r.errors} errors, ${r.non2xx} non-2xx`);
  }
  log(
    `${store}: ${c.label}: ${num(row.ours.rps)} req/s vs baseline ${num(row.base.rps)} req/s (${ratio(row.ours.rps, row.base.rps)})`,
  );
  return row;
}

/** The offsets a case's requests use (after clipping to full pages, which small data sets need). */
function offsetRange(c: CaseDef, target: Target): string {
  const ranges = target.dataset.partners
    .filter((p) => p.format === c.format)
    .map((p) => {
      const count = target.counts.get(p.key) ?? 0;
      const start = c.depth === 'shallow' ? 0 : Math.floor(count * 0.9);
      const clip = (o: number) => Math.max(0, Math.min(o, count - c.limit));
      return [clip(start), clip(start + 999)] as const;
    });
  const lo = Math.min(...ranges.map((r) => r[0]));
  const hi = Math.max(...ranges.map((r) => r[1]));
  return `offsets ${lo}..${hi}`;
}

/** Sequential GETs following Link rel="next" from offset 0 to the last page of one partner. */
async function walk(target: Target): Promise<Row> {
  const store = target.dataset.store;
  const partner = target.dataset.partners.find((p) => p.key === WALK.partner)!;
  const count = target.counts.get(partner.key) ?? 0;
  const maxPages = Math.ceil(count / WALK.limit) + 2;
  // Warm-up: a few pages of another partner (JIT, statement caches) so the first measured page is not the
  // first request of its kind; NL-EMS's own pages stay as cold or warm as the earlier cases left them.
  const other = target.dataset.partners.find((p) => p.key !== partner.key && p.format === partner.format);
  if (other) {
    let next: string | undefined = new URL(
      `/ocpi/cpo/${WALK.version}/sessions?limit=${WALK.limit}`,
      target.server.url,
    ).toString();
    for (let i = 0; i < 5 && next; i++) {
      const res: Response = await fetch(next, { headers: { authorization: other.authorization } });
      await res.arrayBuffer();
      next = /<([^>]+)>\s*;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    }
  }
  log(`${store}: Link walk of ${partner.key}, ${count} sessions, limit=${WALK.limit}`);
  const times: number[] = [];
  let bytes = 0;
  let sessions = 0;
  const {
    value: status,
    wall,
    server,
    db,
  } = await measureCpu(target.watched, async () => {
    let url: string | undefined = new URL(
      `/ocpi/cpo/${WALK.version}/sessions?limit=${WALK.limit}`,
      target.server.url,
    ).toString();
    while (url && times.length < maxPages) {
      const t0 = performance.now();
      const res: Response = await fetch(url, { headers: { authorization: partner.authorization } });
      const body = await res.arrayBuffer();
      times.push(performance.now() - t0);
      if (res.status !== 200) return `HTTP ${res.status} on page ${times.length}`;
      bytes += body.byteLength;
      sessions += Math.min(WALK.limit, count - sessions);
      url = /<([^>]+)>\s*;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    }
    return url ? `stopped after ${maxPages} pages` : 'ok';
  });
  const sorted = [...times].sort((a, b) => a - b);
  // A last page shorter than the limit is cheaper: compare full pages only.
  const full = times.filter((_, i) => count - i * WALK.limit >= WALK.limit);
  const firstMs = full[0] ?? NaN;
  const lastMs = full.at(-1) ?? NaN;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const notes = [
    `${times.length} pages, ${sessions} sessions in ${wall.toFixed(2)} s (${num(sessions / wall)} sessions/s)`,
    `full pages: first ${num(firstMs)} ms, last ${num(lastMs)} ms, last/first ${ratio(lastMs, firstMs)}`,
  ];
  if (full.length >= 6) {
    const head = mean(full.slice(0, 3));
    const tail = mean(full.slice(-3));
    notes.push(`first 3 ${num(head)} ms, last 3 ${num(tail)} ms, ratio ${ratio(tail, head)}`);
  }
  if (status !== 'ok') notes.push(status);
  return {
    caseIndex: CASES.length,
    label: `Link walk ${partner.key} to the end, limit=${WALK.limit}, 1 connection`,
    store,
    cells: {
      rps: num(times.length / wall),
      mbps: num(bytes / wall / 1e6),
      p50: num(percentile(sorted, 0.5)),
      p99: num(percentile(sorted, 0.99)),
      kb: num(bytes / times.length / 1024),
      srvMs: num((server * 1000) / times.length),
      dbMs: db === undefined ? '' : num((db * 1000) / times.length),
      cores: `${num(server / wall, 2)}/${db === undefined ? '-' : num(db / wall, 2)}`,
    },
    notes,
  };
}

function printReport(rows: Row[], memory: string[], o: SenderOptions, startedLoad: string): void {
  const header = [
    'case',
    'store',
    'KB/resp',
    'req/s',
    'MB/s',
    'p50 ms',
    'p99 ms',
    'base req/s',
    'base MB/s',
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
    const cores = u
      ? [u.serverCores, u.dbCores, u.loadgenCores, u.otherCores]
          .map((v) => (v === undefined ? '-' : num(v, 2)))
          .join('/')
      : (r.cells?.cores ?? '');
    return [
      r.label,
      r.store,
      u ? num(u.bytesPerResponse / 1024) : (r.cells?.kb ?? ''),
      u ? num(u.rps) : (r.cells?.rps ?? ''),
      u ? num(u.mbps) : (r.cells?.mbps ?? ''),
      u ? num(u.p50) : (r.cells?.p50 ?? ''),
      u ? num(u.p99) : (r.cells?.p99 ?? ''),
      b ? num(b.rps) : '',
      b ? num(b.mbps) : '',
      b ? num(b.p50) : '',
      b ? num(b.p99) : '',
      u && b ? ratio(u.rps, b.rps) : '',
      u ? num(u.serverMsPerReq) : (r.cells?.srvMs ?? ''),
      u ? num(u.dbMsPerReq) : (r.cells?.dbMs ?? ''),
      cores,
      r.notes.join('; '),
    ];
  });
  const out = [
    `## sender: ${o.sessions} sessions, 5 partners, store ${o.stores.join(' + ')} (${new Date().toISOString()})`,
    '',
    `- machine: ${machineDescription()} (load average at start ${startedLoad})`,
    `- load: autocannon (in the bench process), ${o.connections} connections, pipelining 1, ` +
      `${o.warmup} s warm-up + ${o.duration} s measured per run; baseline = node:http serving one real page of ` +
      'the case (same bytes and headers), same settings, right after ours',
    '- latencies are exact percentiles of 2xx responses; MB/s counts response headers and bodies; ' +
      'cores = CPU seconds per second of the server, PostgreSQL backends, the load generator and everything else',
    '',
    markdownTable(header, table),
    '',
    `- server RSS after the run (VmRSS of the server process; PostgreSQL's own processes not included): ${memory.join('; ')}`,
    `- load average at end ${loadAverage()}`,
  ];
  console.log(out.join('\n'));
}
