// The ingest request path without sockets: CPU per PUT-create through Fastify's `inject` (routing, hooks, the
// ingest token check, body parse, validation, handler, group commit, the store's write and commit, the response),
// 32 requests in flight, after a warm-up that lets the JIT settle. No HTTP parser, no socket writes and no load
// generator in the measured process, so the figure is steadier than the `ingest` scenario's on a busy machine.
// Before/after: each round runs a child process per build (`--dist`: the build's dist directory, default this one),
// interleaved, each on its own copy of the SQLite file (default: the `ingest` scenario's cached 10 000-session data
// set, built by `node dist/bench/main.js ingest --sessions 10000`).
//
//   npm run build && node dist/bench/ingest-inject.js [--before /path/to/other/dist] [--rounds R] [--creates N]
//        [--warmup N] [--db file]
//
// CPU: this process's (user + system, every thread). Not a test: numbers depend on the machine.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const HERE_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = path.resolve(HERE_DIST, '..');

const { values } = parseArgs({
  options: {
    child: { type: 'boolean' },
    dist: { type: 'string' },
    before: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    creates: { type: 'string', default: '6000' },
    warmup: { type: 'string', default: '3000' },
    db: { type: 'string', default: path.join(ROOT, 'bench/.cache/sqlite-10000-5.db') },
  },
});

async function child(): Promise<void> {
  const dist = values.dist ?? HERE_DIST;
  const imp = <T>(p: string) => import(pathToFileURL(path.join(dist, p)).href) as Promise<T>;
  const { openDb } = await imp<typeof import('../src/cli/open-db.js')>('src/cli/open-db.js');
  const { buildServer } = await imp<typeof import('../src/app/server.js')>('src/app/server.js');
  const { createLoggers } = await imp<typeof import('../src/cli/logger.js')>('src/cli/logger.js');
  const { rotateIngestToken } = await imp<typeof import('../src/service/ingest-token.js')>(
    'src/service/ingest-token.js',
  );
  const { getIdentity } = await imp<typeof import('../src/service/identity.js')>('src/service/identity.js');
  const { generateDemoSessions } =
    await imp<typeof import('../src/demo/demo-data.js')>('src/demo/demo-data.js');
  const { codecFor } = await imp<typeof import('../src/modules/sessions/wire/codecs.js')>(
    'src/modules/sessions/wire/codecs.js',
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'ingest-inject-'));
  const db = path.join(dir, 'bench.db');
  copyFileSync(values.db!, db);
  const store = await openDb(db, { command: 'serve', create: false });
  const app = await buildServer(store, { logger: createLoggers('silent').log });
  try {
    const token = await rotateIngestToken(store);
    const us = await getIdentity(store);
    if (!us) throw new Error(`${values.db}: no identity (not a data set of the ingest scenario)`);
    const authorization = `Token ${Buffer.from(token, 'utf8').toString('base64')}`;
    const templates = [
      ...generateDemoSessions({
        count: 200,
        seed: 9,
        emsps: [{ countryCode: 'NL', partyId: 'EMS' }],
        cpo: us,
        now: Date.parse('2025-06-01T00:00:00Z'),
      }),
    ].map((s) => JSON.parse(codecFor('ocpi-2.2.1').render(s)) as Record<string, unknown>);
    const t0 = Date.now();
    let n = 0;
    const one = async () => {
      const i = n++;
      const id = `INJ-${i}`;
      const body = { ...templates[i % templates.length], id, last_updated: new Date(t0 + i).toISOString() };
      const r = await app.inject({
        method: 'PUT',
        url: `/ingest/2.2.1/sessions/${us.countryCode}/${us.partyId}/${id}`,
        headers: { authorization, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      if (r.statusCode !== 201) throw new Error(`HTTP ${r.statusCode}: ${r.body.slice(0, 200)}`);
    };
    const run = async (total: number) => {
      let left = total;
      const lane = async () => {
        while (left-- > 0) await one();
      };
      await Promise.all(Array.from({ length: 32 }, lane));
    };
    await run(Number(values.warmup));
    const creates = Number(values.creates);
    const cpu = process.cpuUsage();
    await run(creates);
    const used = process.cpuUsage(cpu);
    console.log(JSON.stringify({ us: (used.user + used.system) / creates }));
  } finally {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function spread(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  return [s[0]!, s[Math.floor(s.length / 2)]!, s[s.length - 1]!].map((x) => x.toFixed(0)).join(' / ');
}

function parent(): void {
  const builds: [string, string][] = [
    ...(values.before ? [[values.before, values.before] as [string, string]] : []),
    ['this build', HERE_DIST],
  ];
  const figures = new Map<string, number[]>(builds.map(([name]) => [name, []]));
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const [name, dist] of builds) {
      const out = execFileSync(
        process.execPath,
        [fileURLToPath(import.meta.url), '--child', '--dist', dist, ...passOn()],
        { encoding: 'utf8' },
      );
      const { us } = JSON.parse(out.trim().split('\n').pop()!) as { us: number };
      figures.get(name)!.push(us);
      console.error(`round ${round}, ${name}: ${us.toFixed(0)} µs CPU per create`);
    }
  }
  console.log('| build | µs CPU per PUT-create (min / median / max) |\n| --- | --- |');
  for (const [name, xs] of figures) console.log(`| ${name} | ${spread(xs)} |`);
}

function passOn(): string[] {
  return ['--creates', values.creates!, '--warmup', values.warmup!, '--db', values.db!];
}

if (values.child) await child();
else parent();
