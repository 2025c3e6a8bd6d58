// Soak (bounded, loopback only): four eMSPs pulling (walking Link chains from the start, again and again) and a
// CPO back end ingesting (PUT new sessions, PATCH them with charging periods) at once against one real
// `ocpi-sessions serve`, for SOAK_SECONDS (default 120) per store (SOAK_STORES, default "sqlite,postgres").
// Every 5 s: requests, p50/p99 latency, errors and the server's RSS. Errors must be 0; no Link walk may see a
// session twice. Prints a table per store.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Session } from '../../src/domain/session.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { tempDb, tokenHeader } from '../support/server.js';
import { request, type Answer } from '../support/http.js';
import { freePort } from '../support/ports.js';
import { body221, percentile, rssMiB, sleep } from './helpers.js';
import { setParty, cli, serve } from '../support/cli.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
const STORES = (process.env.SOAK_STORES ?? 'sqlite,postgres').split(',').filter(Boolean) as (
  'sqlite' | 'postgres'
)[];
const EMSPS = ['NL-EMS', 'DE-EMP', 'FR-MSP', 'BE-EMA'];
const INGEST_PER_SECOND = 100;

interface Sample {
  at: number;
  pulls: number[];
  ingests: number[];
  errors: number;
  rss?: number;
}

async function soak(kind: 'sqlite' | 'postgres') {
  const db = kind === 'sqlite' ? tempDb('soak.db') : await postgresUrl();
  try {
    setParty(db, 'NL-OCS', 'CPO', 'Us');
    cli(['demo', '--db', db, '--sessions', '20000', '--emsp', EMSPS.join(','), '--seed', '10']);
    for (const key of EMSPS) {
      const [cc, pid] = key.split('-') as [string, string];
      cli(['partners', 'add', '--db', db, '--country-code', cc, '--party-id', pid, '--token', `soak-${key}`]);
    }
    const ingest = tokenHeader(cli(['ingest-token', '--db', db]).trim());
    const server = await serve(db, await freePort());
    const base = server.url;
    const end = Date.now() + SECONDS * 1000;
    const samples: Sample[] = [];
    let current: Sample = { at: 0, pulls: [], ingests: [], errors: 0 };
    const errors: string[] = [];
    const walks = { done: 0, pages: 0, duplicates: 0 };
    const record = (kindOf: 'pull' | 'ingest', a: Answer, what: string) => {
      (kindOf === 'pull' ? current.pulls : current.ingests).push(a.ms);
      if (a.status < 200 || a.status >= 300) {
        current.errors++;
        if (errors.length < 10) errors.push(`${what}: ${a.status} ${a.error ?? ''} ${a.text.slice(0, 200)}`);
      }
    };

    const puller = async (key: string) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const auth = tokenHeader(`soak-${key}`);
      for (let round = 0; Date.now() < end; round++) {
        const limit = [50, 100, 250, 500][round % 4]!;
        const window = round % 3 === 1 ? '&date_from=2025-01-01T00:00:00Z' : '';
        let path: string | undefined =
          `/ocpi/cpo/${round % 2 ? '2.1.1' : '2.2.1'}/sessions?limit=${limit}${window}`;
        const seen = new Set<string>();
        while (path && Date.now() < end) {
          const a = await request(agent, base, 'GET', path, auth);
          record('pull', a, `GET ${path}`);
          walks.pages++;
          if (a.status !== 200) break;
          for (const s of a.json.data as { id: string }[]) {
            if (seen.has(s.id)) walks.duplicates++;
            seen.add(s.id);
          }
          const link = a.headers?.link as string | undefined;
          path = link
            ? new URL(/^<([^>]+)>/.exec(link)![1]!).pathname + new URL(/^<([^>]+)>/.exec(link)![1]!).search
            : undefined;
          if (!path) walks.done++;
        }
      }
      agent.destroy();
    };

    const ingester = async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
      const pool: Session[] = [];
      for (const [i, key] of EMSPS.entries()) {
        const [cc, pid] = key.split('-') as [string, string];
        pool.push(
          ...generateDemoSessions({
            count: 50,
            seed: 100 + i,
            emsps: [{ countryCode: cc, partyId: pid }],
            cpo: { countryCode: 'NL', partyId: 'OCS' },
            now: Date.now(),
          }),
        );
      }
      const live: { id: string; k: number }[] = [];
      const t0 = Date.now();
      for (let n = 0; Date.now() < end; n++) {
        // Paced: INGEST_PER_SECOND on average, two at a time.
        const due = t0 + (n * 2000) / INGEST_PER_SECOND;
        if (due > Date.now()) await sleep(due - Date.now());
        const batch: Promise<void>[] = [];
        for (let j = 0; j < 2; j++) {
          if (n % 5 === 0 || live.length === 0) {
            const s = pool[n % pool.length]!;
            const id = `SOAK-${n}-${j}`;
            batch.push(
              request(agent, base, 'PUT', `/ingest/2.2.1/sessions/NL/OCS/${id}`, ingest, {
                ...body221(s),
                id,
                last_updated: new Date().toISOString(),
              }).then((a) => {
                record('ingest', a, `PUT ${id}`);
                if (a.status === 201) live.push({ id, k: 0 });
              }),
            );
          } else {
            const target = live[(n * 7 + j) % live.length]!;
            target.k++;
            const body = {
              charging_periods: [
                {
                  start_date_time: new Date(Date.now() + target.k).toISOString(),
                  dimensions: [{ type: 'ENERGY', volume: target.k }],
                },
              ],
              kwh: target.k,
              last_updated: new Date(Date.now() + target.k).toISOString(),
            };
            batch.push(
              request(agent, base, 'PATCH', `/ingest/2.2.1/sessions/NL/OCS/${target.id}`, ingest, body).then(
                (a) => record('ingest', a, `PATCH ${target.id}`),
              ),
            );
          }
        }
        await Promise.all(batch);
      }
      agent.destroy();
    };

    const t0 = Date.now();
    const sampler = setInterval(() => {
      current.at = Math.round((Date.now() - t0) / 1000);
      current.rss = rssMiB(server.pid);
      samples.push(current);
      current = { at: 0, pulls: [], ingests: [], errors: 0 };
    }, 5000);
    samples.push({ at: 0, pulls: [], ingests: [], errors: 0, rss: rssMiB(server.pid) });
    await Promise.all([...EMSPS.map(puller), ingester()]);
    clearInterval(sampler);
    current.at = Math.round((Date.now() - t0) / 1000);
    current.rss = rssMiB(server.pid);
    samples.push(current);
    assert.equal(await server.stop(), 0);

    const all = (f: (s: Sample) => number[]) => samples.flatMap(f);
    const fmt = (x: number) => x.toFixed(1).padStart(7);
    const rows = samples.map(
      (s) =>
        `${String(s.at).padStart(5)} s ${String(s.pulls.length).padStart(6)} ${fmt(percentile(s.pulls, 50))} ${fmt(percentile(s.pulls, 99))} ` +
        `${String(s.ingests.length).padStart(6)} ${fmt(percentile(s.ingests, 50))} ${fmt(percentile(s.ingests, 99))} ${String(s.errors).padStart(6)} ${fmt(s.rss ?? 0)}`,
    );
    const pulls = all((s) => s.pulls);
    const ingests = all((s) => s.ingests);
    const errorCount = samples.reduce((a, s) => a + s.errors, 0);
    const rss = samples.map((s) => s.rss ?? 0).filter((x) => x > 0);
    console.log(
      [
        `soak (${kind}, ${SECONDS} s, 4 pullers + 1 ingester paced at ≤ ${INGEST_PER_SECOND}/s, 20 000 demo sessions):`,
        '     t  pulls  p50 ms  p99 ms ingest  p50 ms  p99 ms errors RSS MiB',
        ...rows,
        `total: ${pulls.length} pull requests (p50 ${percentile(pulls, 50).toFixed(1)} ms, p99 ${percentile(pulls, 99).toFixed(1)} ms, max ${Math.max(...pulls).toFixed(1)} ms), ` +
          `${ingests.length} ingest requests (${(ingests.length / SECONDS).toFixed(0)}/s, p50 ${percentile(ingests, 50).toFixed(1)} ms, p99 ${percentile(ingests, 99).toFixed(1)} ms, max ${Math.max(...ingests).toFixed(1)} ms), ` +
          `errors ${errorCount}, ${walks.done} complete Link walks (${walks.pages} pages, ${walks.duplicates} duplicates), ` +
          `RSS ${rss[0]?.toFixed(0)} → max ${Math.max(...rss).toFixed(0)} → end ${rss.at(-1)?.toFixed(0)} MiB`,
      ].join('\n'),
    );
    assert.equal(errorCount, 0, errors.join('\n'));
    assert.equal(walks.duplicates, 0);
    assert.ok(walks.done > 0);
  } finally {
    if (kind === 'postgres') await dropDatabase(db);
  }
}

describe('soak', () => {
  for (const kind of STORES)
    it(`${kind}: pullers and an ingester for ${SECONDS} s, no errors`, () => soak(kind));
});
