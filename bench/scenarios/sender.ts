// `sender`: the OCPI Sessions sender GET under load (issues #2, 16), per store, against two other servers:
//
//   limit  bench/baseline-server.ts: node:http answering the exact bytes and headers of one real page of the case
//          from memory (what Node's HTTP layer costs for that answer size: the most any server here can reach)
//   peer   bench/peer-server.ts: a straightforward Fastify server on the same data (OFFSET, COUNT(*), JSON parse and
//          stringify of the stored documents)
//   before (with --before <cli>) another build of ours, e.g. main's, on the same data set
//
// The servers run pinned to core 0, the load generator (wrk when on PATH, else autocannon in a process of its own;
// bench/lib/pinned-load.ts) pinned to core 1. Each case runs --rounds rounds; in each round every server gets the
// same request list (seeded: partner, offset), in an order that rotates from round to round. Printed per case:
// min/median/max of answers per second and of server CPU per answer (utime+stime from /proc, PostgreSQL backends
// added), and the per-round ratios ours/other (throughput: ours/other; CPU: other's CPU per answer / ours, so both
// read "share of the other's figure", 1 = as good). Then a Link-chain walk of one partner to its end.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_NOW, ensureDataset, type DatasetOptions, type StoreKind } from '../lib/dataset.js';
import { measureCpu, percentile } from '../lib/load.js';
import {
  loadTool,
  runPinnedLoad,
  type Charged,
  type GetRequest,
  type PinnedResult,
} from '../lib/pinned-load.js';
import { BASELINE_SERVER, scratchDir, startService } from '../lib/procs.js';
import { seededRandom } from '../lib/rng.js';
import { loadAverage, log, machineDescription, markdownTable, num, ratio, spread } from '../lib/report.js';
import { startTarget, type Target } from '../lib/target.js';

export interface SenderOptions extends Omit<DatasetOptions, 'log'> {
  stores: StoreKind[];
  /** Case ids to run (default: all). */
  cases?: string[];
  connections: number;
  duration: number;
  warmup: number;
  rounds: number;
  /** Another build's dist/src/cli/main.js, measured as a fourth server. */
  before?: string;
}

/** Servers on this core, the load generator on the other. */
const SERVER_CORE = 0;
const LOAD_CORE = 1;
/** Requests in a case's list (the generator cycles through it). */
const REQUESTS = 2000;

interface CaseDef {
  id: string;
  label: string;
  version: '2.1.1' | '2.2.1';
  limit: number;
  depth: 'shallow' | 'deep';
  /** Which partners the requests are spread over. */
  format: 'ocpi' | 'camel';
  /** A date window (date_from, date_to) around the middle of the data set's 90 days. */
  window?: boolean;
}

const DAY = 86_400_000;
const WINDOW = {
  from: new Date(Date.parse(DEMO_NOW) - 60 * DAY).toISOString().slice(0, 19) + 'Z',
  to: new Date(Date.parse(DEMO_NOW) - 15 * DAY).toISOString().slice(0, 19) + 'Z',
};

/** Shallow: offset uniform in [0, 1000); deep: in [90% of the partner's count, +1000); clipped to full pages. */
export const CASES: CaseDef[] = [
  { id: 'l100', label: 'limit=100 shallow', version: '2.2.1', limit: 100, depth: 'shallow', format: 'ocpi' },
  {
    id: 'l1000',
    label: 'limit=1000 shallow',
    version: '2.2.1',
    limit: 1000,
    depth: 'shallow',
    format: 'ocpi',
  },
  {
    id: 'l100-deep',
    label: 'limit=100 deep (90%)',
    version: '2.2.1',
    limit: 100,
    depth: 'deep',
    format: 'ocpi',
  },
  {
    id: 'l1000-deep',
    label: 'limit=1000 deep (90%)',
    version: '2.2.1',
    limit: 1000,
    depth: 'deep',
    format: 'ocpi',
  },
  {
    id: 'l100-window',
    label: 'limit=100 deep (90%) in a date window',
    version: '2.2.1',
    limit: 100,
    depth: 'deep',
    format: 'ocpi',
    window: true,
  },
  {
    id: 'l1000-window',
    label: 'limit=1000 deep (90%) in a date window',
    version: '2.2.1',
    limit: 1000,
    depth: 'deep',
    format: 'ocpi',
    window: true,
  },
  {
    id: 'ocpi-2.1.1',
    label: 'limit=100 shallow, 2.1.1',
    version: '2.1.1',
    limit: 100,
    depth: 'shallow',
    format: 'ocpi',
  },
  {
    id: 'camel-2.1.1',
    label: 'limit=100 shallow, camel 2.1.1',
    version: '2.1.1',
    limit: 100,
    depth: 'shallow',
    format: 'camel',
  },
  {
    id: 'camel-2.2.1',
    label: 'limit=100 shallow, camel 2.2.1',
    version: '2.2.1',
    limit: 100,
    depth: 'shallow',
    format: 'camel',
  },
];
const WALK = { id: 'walk', partner: 'NL-EMS', version: '2.2.1', limit: 1000 } as const;
export const CASE_IDS = [...CASES.map((c) => c.id), WALK.id];

/** A server measured in a case. */
interface Contender {
  name: string;
  url: string;
  charged: Charged;
}

interface CaseResult {
  c: CaseDef;
  store: StoreKind;
  offsets: string;
  runs: Map<string, PinnedResult[]>;
}

export async function sender(o: SenderOptions): Promise<void> {
  const selected = (id: string) => !o.cases || o.cases.includes(id);
  const results: CaseResult[] = [];
  const walks: string[] = [];
  const memory: string[] = [];
  const startedLoad = loadAverage();
  const tmp = scratchDir();
  try {
    for (const store of o.stores) {
      const dataset = await ensureDataset(store, { ...o, log });
      const targets: Target[] = [];
      try {
        const ours = await startTarget(dataset, dataset.db, { core: SERVER_CORE });
        targets.push(ours);
        targets.push(await startTarget(dataset, dataset.db, { core: SERVER_CORE, peer: true }));
        if (o.before) {
          targets.push(
            await startTarget(dataset, dataset.db, { core: SERVER_CORE, cli: o.before, name: 'before' }),
          );
        }
        const names = ['ours', 'peer', 'before'];
        const contenders: Contender[] = targets.map((t, i) => ({
          name: names[i]!,
          url: t.server.url,
          charged: t.watched,
        }));
        log(
          `${store}: servers on core ${SERVER_CORE} (${contenders.map((c) => `${c.name} pid ${c.charged.serverPid}`).join(', ')}), ` +
            `${loadTool()} on core ${LOAD_CORE}; sessions per partner: ${[...ours.counts].map(([k, n]) => `${k} ${n}`).join(', ')}`,
        );
        for (const c of CASES) {
          if (selected(c.id)) results.push(await runCase(c, ours, contenders, o, tmp));
        }
        if (selected(WALK.id)) walks.push(await walk(ours));
        const rss = ours.rss();
        if (rss) memory.push(`${store} ${rss.rss.toFixed(0)} MiB (peak ${rss.peak.toFixed(0)} MiB)`);
      } finally {
        for (const t of targets) await t.close();
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  printReport(results, walks, memory, o, startedLoad);
}

/** X-Total-Count per partner of the case's format, in the case's window. */
async function caseCounts(c: CaseDef, target: Target): Promise<Map<string, number>> {
  if (!c.window) return target.counts;
  const counts = new Map<string, number>();
  for (const p of target.dataset.partners.filter((p) => p.format === c.format)) {
    const page = await target.get(`${basePath(c)}&limit=1`, p);
    counts.set(p.key, Number(page.headers['x-total-count']));
  }
  return counts;
}

function basePath(c: CaseDef): string {
  const window = c.window ? `date_from=${WINDOW.from}&date_to=${WINDOW.to}` : '';
  return `/ocpi/cpo/${c.version}/sessions?${window}`;
}

/** A case's request list (seeded: every server gets the same one): partner and offset per request. */
function requestList(c: CaseDef, target: Target, counts: Map<string, number>, seed: number): GetRequest[] {
  const rng = seededRandom(seed);
  const partners = target.dataset.partners.filter((p) => p.format === c.format);
  return Array.from({ length: REQUESTS }, () => {
    const partner = partners[Math.floor(rng() * partners.length)]!;
    const count = counts.get(partner.key) ?? 0;
    const offset = clip(c, count, start(c, count) + Math.floor(rng() * 1000));
    return { path: `${basePath(c)}&offset=${offset}&limit=${c.limit}`, authorization: partner.authorization };
  });
}

const start = (c: CaseDef, count: number) => (c.depth === 'shallow' ? 0 : Math.floor(count * 0.9));
const clip = (c: CaseDef, count: number, offset: number) => Math.max(0, Math.min(offset, count - c.limit));

async function runCase(
  c: CaseDef,
  ours: Target,
  contenders: Contender[],
  o: SenderOptions,
  tmp: string,
): Promise<CaseResult> {
  const store = ours.dataset.store;
  const counts = await caseCounts(c, ours);
  const requests = requestList(c, ours, counts, 2);
  // One real page of this case: the limit server answers exactly these bytes and headers.
  const first = requests[0]!;
  const partner = ours.dataset.partners.find((p) => p.authorization === first.authorization)!;
  const page = await ours.get(first.path, partner);
  if (page.status !== 200) throw new Error(`${c.label}: GET ${first.path} gave HTTP ${page.status}`);
  const bodyFile = path.join(tmp, `${c.id}.body`);
  const headersFile = path.join(tmp, `${c.id}.headers.json`);
  writeFileSync(bodyFile, page.body);
  const keep = ['content-type', 'x-total-count', 'x-limit', 'link'];
  writeFileSync(
    headersFile,
    JSON.stringify(Object.fromEntries(keep.flatMap((h) => (page.headers[h] ? [[h, page.headers[h]]] : [])))),
  );
  const limit = await startService(
    [BASELINE_SERVER, '--body', bodyFile, '--headers', headersFile],
    /listening on (http:\/\/\S+)/,
    'baseline server',
    undefined,
    SERVER_CORE,
  );
  const all = [...contenders, { name: 'limit', url: limit.url, charged: { serverPid: limit.pid } }];
  const runs = new Map<string, PinnedResult[]>(all.map((s) => [s.name, []]));
  try {
    for (let round = 0; round < o.rounds; round++) {
      for (let k = 0; k < all.length; k++) {
        const s = all[(round + k) % all.length]!;
        const r = await runPinnedLoad(s.url, requests, { ...o, core: LOAD_CORE, dir: tmp }, s.charged);
        runs.get(s.name)!.push(r);
        log(
          `${store}: ${c.label}: round ${round + 1} ${s.name}: ${num(r.rps)} answers/s, ` +
            `${num(r.serverMs + (r.dbMs ?? 0))} ms CPU/answer${r.errors ? `, ${r.errors} errors` : ''}`,
        );
      }
    }
  } finally {
    await limit.stop();
  }
  const ranges = [...counts.values()].map((n) => [clip(c, n, start(c, n)), clip(c, n, start(c, n) + 999)]);
  const offsets = `offsets ${Math.min(...ranges.map((r) => r[0]!))}..${Math.max(...ranges.map((r) => r[1]!))}`;
  return { c, store, offsets, runs };
}

const cpuOf = (r: PinnedResult) => r.serverMs + (r.dbMs ?? 0);

function printReport(
  results: CaseResult[],
  walks: string[],
  memory: string[],
  o: SenderOptions,
  startedLoad: string,
) {
  const order = ['ours', 'before', 'limit', 'peer'];
  const servers: string[][] = [];
  const ratios: string[][] = [];
  for (const r of results) {
    const ours = r.runs.get('ours')!;
    for (const name of order) {
      const runs = r.runs.get(name);
      if (!runs) continue;
      const errors = runs.reduce((a, x) => a + x.errors, 0);
      servers.push([
        r.c.label,
        r.store,
        name,
        num(runs[0]!.bytesPerResponse / 1024),
        spread(runs.map((x) => x.rps)),
        spread(runs.map(cpuOf), 3),
        runs[0]!.dbMs === undefined
          ? ''
          : spread(
              runs.map((x) => x.dbMs!),
              3,
            ),
        spread(runs.map((x) => x.p99)),
        name === 'ours' ? r.offsets : errors ? `${errors} errors` : '',
      ]);
      if (name === 'ours') continue;
      ratios.push([
        r.c.label,
        r.store,
        `ours/${name}`,
        spread(
          ours.map((x, i) => x.rps / runs[i]!.rps),
          2,
        ),
        spread(
          ours.map((x, i) => cpuOf(runs[i]!) / cpuOf(x)),
          2,
        ),
      ]);
    }
  }
  const out = [
    `## sender: ${o.sessions} sessions, 5 partners, store ${o.stores.join(' + ')} (${new Date().toISOString()})`,
    '',
    `- machine: ${machineDescription()} (load average at start ${startedLoad})`,
    `- load: ${loadTool()} pinned to core ${LOAD_CORE} (servers pinned to core ${SERVER_CORE}), ${o.connections} ` +
      `connections, ${o.warmup} s warm-up + ${o.duration} s measured per run, ${o.rounds} interleaved rounds ` +
      '(server order rotated per round), the same seeded list of requests for every server',
    '- limit = node:http answering one real page of the case from memory; peer = Fastify + OFFSET + COUNT(*) + ' +
      'JSON parse/stringify (bench/peer-server.ts); CPU = utime+stime of the server process (+ its PostgreSQL ' +
      'backends) per answer; every cell is min / median / max over the rounds',
    '',
    markdownTable(
      [
        'case',
        'store',
        'server',
        'KB/answer',
        'answers/s',
        'CPU ms/answer',
        'of which db',
        'p99 ms',
        'notes',
      ],
      servers,
    ),
    '',
    '- ratios per round (paired runs of the same round): throughput ours/other; CPU other/ours (the share of the ' +
      "other's efficiency ours reaches; 1 = same CPU per answer)",
    '',
    markdownTable(['case', 'store', 'vs', 'answers/s ours/other', 'CPU per answer other/ours'], ratios),
    '',
    ...walks,
    `- server RSS after the run (VmRSS of ours; PostgreSQL's own processes not included): ${memory.join('; ')}`,
    `- load average at end ${loadAverage()}`,
  ];
  console.log(out.join('\n'));
}

/** Sequential GETs following Link rel="next" from offset 0 to the last page of one partner. */
async function walk(target: Target): Promise<string> {
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
  const cells = [
    `${num(times.length / wall)} pages/s`,
    `${num(bytes / wall / 1e6)} MB/s`,
    `p50 ${num(percentile(sorted, 0.5))} ms, p99 ${num(percentile(sorted, 0.99))} ms`,
    `${num(bytes / times.length / 1024)} KB/page`,
    `server CPU ${num((server * 1000) / times.length)} ms/page` +
      (db === undefined ? '' : `, database ${num((db * 1000) / times.length)} ms/page`),
  ];
  return `- ${store}: Link walk of ${partner.key} to the end, limit=${WALK.limit}, 1 connection (unpinned fetch in the bench process): ${[...cells, ...notes].join('; ')}`;
}
