// `pull` (issue #6): our own client pulls every session of the data set from our own server over loopback, one
// crawl per eMSP token (each sees only its own sessions), one after the other into the same client store:
//   ocpi-sessions pull --db <emsp.db> --url <sessions URL> --token <t> --page-size 1000 --json
// Reports sessions/s and where the CPU went: the client (its whole life: the CPU this process's reaped children
// used, cutime + cstime of /proc/self/stat, is exact where sampling /proc/<pid>/stat would miss its last moments),
// the server (utime + stime of /proc/<pid>/stat before and after) and, for PostgreSQL, the server's backends.
// When the build has no `pull` command it says so and measures nothing.
// --before <cli>: that build's CLI (e.g. main's dist/src/cli/main.js) pulls too, each eMSP's crawl by both builds
// one after the other (order alternating), each build into its own client store: an interleaved comparison.
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { CommonOptions } from '../main.js';
import { ensureDataset } from '../lib/dataset.js';
import { measureCpu } from '../lib/load.js';
import { CLI, cliHas, reapedChildrenCpuSeconds, runCli, scratchDir } from '../lib/procs.js';
import { loadAverage, log, machineDescription, markdownTable, num } from '../lib/report.js';
import { startTarget } from '../lib/target.js';
import { BULK_NODE_FLAGS } from '../../src/cli/node-flags.js';

const PAGE_SIZE = 1000;
const TIMEOUT_MS = 30 * 60_000;

export async function pull(o: CommonOptions): Promise<void> {
  if (!(await cliHas('pull'))) {
    console.log(
      '## pull: not run\n\n`ocpi-sessions pull` does not exist in this build (src/client/ is not there yet). The ' +
        'scenario is implemented against the documented interface (pull --db --url --token --page-size --json) ' +
        'and runs once it exists.',
    );
    return;
  }
  const startedLoad = loadAverage();
  const rows: string[][] = [];
  const tmp = scratchDir();
  try {
    for (const store of o.stores) {
      const dataset = await ensureDataset(store, { ...o, log });
      const target = await startTarget(dataset);
      const builds = [{ name: 'ours', cli: CLI }, ...(o.before ? [{ name: 'before', cli: o.before }] : [])];
      const sums = new Map(
        builds.map((b) => [b.name, { sessions: 0, wall: 0, client: 0, server: 0, db: 0, hasDb: false }]),
      );
      try {
        for (const [i, partner] of dataset.partners.entries()) {
          for (const build of i % 2 === 0 ? builds : [...builds].reverse()) {
            const sum = sums.get(build.name)!;
            const label = builds.length > 1 ? `${store} ${build.name}` : store;
            const expected = target.counts.get(partner.key) ?? 0;
            const emspDb = path.join(tmp, `emsp-${store}-${build.name}.db`);
            const url = new URL('/ocpi/cpo/2.2.1/sessions', target.server.url).toString();
            log(`${label}: pulling ${expected} sessions of ${partner.key} from ${url}`);
            const clientBefore = reapedChildrenCpuSeconds();
            const m = await measureCpu(target.watched, () =>
              runCli(
                [
                  'pull',
                  '--db',
                  emspDb,
                  '--url',
                  url,
                  '--token',
                  partner.token,
                  '--page-size',
                  String(PAGE_SIZE),
                  '--json',
                ],
                TIMEOUT_MS,
                build.cli,
                BULK_NODE_FLAGS,
              ),
            );
            const client = reapedChildrenCpuSeconds() - clientBefore;
            const r = m.value;
            const summary = lastJson(r.stdout);
            const pulled = sessionsIn(summary) ?? expected;
            const total = client + m.server + (m.db ?? 0);
            const share = (v: number) => `${((v / total) * 100).toFixed(0)}%`;
            const notes = [`exit ${r.code}`];
            if (r.code !== 0)
              notes.push((r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ').slice(0, 200));
            if (summary) notes.push(describe(summary));
            if (sessionsIn(summary) === undefined)
              notes.push(`sessions = X-Total-Count (${expected}), not in summary`);
            Object.assign(sum, {
              sessions: sum.sessions + pulled,
              wall: sum.wall + m.wall,
              client: sum.client + client,
              server: sum.server + m.server,
              db: sum.db + (m.db ?? 0),
              hasDb: m.db !== undefined,
            });
            rows.push([
              `${label} ${partner.key}`,
              String(pulled),
              num(m.wall),
              num(pulled / m.wall),
              num(client),
              num(m.server),
              m.db === undefined ? '' : num(m.db),
              `${share(client)} / ${share(m.server)}${m.db === undefined ? '' : ` / ${share(m.db)}`}`,
              num(Math.max(0, m.other - client) / m.wall, 2),
              notes.join('; '),
            ]);
          }
        }
        for (const build of builds) {
          const sum = sums.get(build.name)!;
          const total = sum.client + sum.server + sum.db;
          const share = (v: number) => `${((v / total) * 100).toFixed(0)}%`;
          rows.push([
            `**${builds.length > 1 ? `${store} ${build.name}` : store} all ${dataset.partners.length}**`,
            `**${sum.sessions}**`,
            num(sum.wall),
            `**${num(sum.sessions / sum.wall)}**`,
            num(sum.client),
            num(sum.server),
            sum.hasDb ? num(sum.db) : '',
            `${share(sum.client)} / ${share(sum.server)}${sum.hasDb ? ` / ${share(sum.db)}` : ''}`,
            '',
            'one crawl per eMSP token, in sequence, into one client store',
          ]);
        }
      } finally {
        await target.close();
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(
    [
      `## pull: every session of the ${o.sessions}-session data set, page size ${PAGE_SIZE} (${new Date().toISOString()})`,
      '',
      `- machine: ${machineDescription()} (load average at start ${startedLoad})`,
      '- client = `ocpi-sessions pull` into a fresh SQLite file; CPU shares of client + server (+ PostgreSQL backends)',
      '',
      markdownTable(
        [
          'store / eMSP',
          'sessions',
          'wall s',
          'sessions/s',
          'client CPU s',
          'server CPU s',
          'db CPU s',
          'share client / server / db',
          'other cores',
          'notes',
        ],
        rows,
      ),
    ].join('\n'),
  );
}

/** The last line of `out` that parses as a JSON object. */
function lastJson(out: string): Record<string, unknown> | undefined {
  const whole = tryJson(out.trim());
  if (whole) return whole;
  for (const line of out.trim().split('\n').reverse()) {
    const j = tryJson(line.trim());
    if (j) return j;
  }
  return undefined;
}

function tryJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A session count in the summary under a likely name (the summary format is the client's to define). */
function sessionsIn(summary: Record<string, unknown> | undefined): number | undefined {
  if (!summary) return undefined;
  for (const k of ['sessions', 'received', 'fetched', 'pulled', 'stored', 'total', 'count']) {
    const v = summary[k];
    if (typeof v === 'number') return v;
  }
  return undefined;
}

/** The summary's main counts (PullSummary of src/service/pull-runner.ts), else its first 200 characters. */
function describe(summary: Record<string, unknown>): string {
  const { pages, received, sessions, invalid, complete, sessionsPerSecond, error } = summary as {
    pages?: number;
    received?: number;
    sessions?: { new?: number; updated?: number; unchanged?: number };
    invalid?: number;
    complete?: boolean;
    sessionsPerSecond?: number;
    error?: string;
  };
  if (pages === undefined && received === undefined)
    return `summary ${JSON.stringify(summary).slice(0, 200)}`;
  const parts = [
    `${pages} pages`,
    `received ${received}`,
    typeof sessions === 'object'
      ? `new ${sessions.new}, updated ${sessions.updated}, unchanged ${sessions.unchanged}`
      : '',
    `invalid ${invalid}`,
    `complete ${complete}`,
    sessionsPerSecond !== undefined ? `client-reported ${num(sessionsPerSecond)} sessions/s` : '',
    error ? `error: ${error}` : '',
  ];
  return parts.filter(Boolean).join(', ');
}
