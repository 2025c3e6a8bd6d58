// PostgreSQL stopped, frozen and restarted underneath a running `ocpi-sessions serve`, on a throwaway cluster
// this test starts itself (never the shared server): while the database is away every request is answered
// within a bounded time with 503 + an OCPI envelope (3000), /health says 503, nothing half-written; once it is
// back, requests succeed again without restarting ocpi-sessions (same pid).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import pg from 'pg';
import { request, type Answer } from '../support/http.js';
import { freePort } from '../support/ports.js';
import { tokenHeader } from '../support/server.js';
import { startCluster, type Cluster } from '../support/postgres.js';
import { body221, sleep } from './helpers.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { setParty, addPartnerWithToken, cli, serve, type Served } from '../support/cli.js';

const QUERY_TIMEOUT_MS = 3000;

describe('PostgreSQL restarted underneath a running server', () => {
  let cluster: Cluster | undefined;
  let why: string | undefined;
  let server: Served;
  let db: string;
  let ingest: Record<string, string>;
  const emsp = tokenHeader('restart-token');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  let n = 0;
  const fresh = [
    ...generateDemoSessions({
      count: 400,
      seed: 3,
      emsps: [{ countryCode: 'DE', partyId: 'EMP' }],
      cpo: { countryCode: 'NL', partyId: 'OCS' },
      now: Date.UTC(2031, 0, 1),
    }),
  ];

  before(async () => {
    try {
      cluster = await startCluster();
    } catch (e) {
      why = `cannot start a PostgreSQL cluster of our own: ${(e as Error).message}`;
      return;
    }
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('CREATE DATABASE ocpi_faults');
    await admin.end();
    db = cluster.url.replace(/\/postgres$/, '/ocpi_faults');
    setParty(db, 'NL-OCS', 'CPO', 'Us');
    cli(['demo', '--db', db, '--sessions', '300', '--emsp', 'DE-EMP', '--seed', '2']);
    addPartnerWithToken(db, 'DE-EMP', 'restart-token');
    ingest = tokenHeader(cli(['ingest-token', '--db', db]).trim());
    const port = await freePort();
    process.env.PG_QUERY_TIMEOUT_MS = String(QUERY_TIMEOUT_MS);
    process.env.PG_CONNECT_TIMEOUT_MS = '2000';
    server = await serve(db, port);
  });
  after(async () => {
    if (server) assert.equal(await server.stop(), 0);
    cluster?.destroy();
  });

  /** One of each: a page, a write, the health check. */
  async function round(): Promise<{ list: Answer; put: Answer; health: Answer; id: string }> {
    const s = fresh[n++ % fresh.length]!;
    const id = `PGR-${n}`;
    const [list, put, health] = await Promise.all([
      request(agent, server.url, 'GET', '/ocpi/cpo/2.2.1/sessions?limit=50', emsp),
      request(agent, server.url, 'PUT', `/ingest/2.2.1/sessions/NL/OCS/${id}`, ingest, { ...body221(s), id }),
      request(agent, server.url, 'GET', '/health', {}),
    ]);
    return { list, put, health, id };
  }

  async function outage(name: string, begin: () => void, end: () => void) {
    const pid = server.pid;
    const up = await round();
    assert.equal(up.list.status, 200, up.list.text);
    assert.equal(up.put.status, 201, up.put.text);
    begin();
    const refused: string[] = [];
    let worst = 0;
    const t0 = Date.now();
    try {
      await during();
    } finally {
      end();
    }
    async function during() {
      while (Date.now() - t0 < 8000) {
        const r = await round();
        for (const a of [r.list, r.put, r.health]) {
          // Answered (no hang, no reset), with 503 and an envelope saying 3000.
          assert.equal(a.status, 503, `${name}: ${a.status} ${a.error ?? ''} ${a.text}`);
          assert.equal(a.json.status_code, 3000, a.text);
          assert.equal(typeof a.json.status_message, 'string');
          worst = Math.max(worst, a.ms);
        }
        refused.push(r.id);
      }
    }
    // Back: without restarting ocpi-sessions.
    const t1 = Date.now();
    let back: Awaited<ReturnType<typeof round>> | undefined;
    while (Date.now() - t1 < 30_000) {
      back = await round();
      if (back.list.status === 200 && back.put.status === 201 && back.health.status === 200) break;
      await sleep(200);
    }
    assert.equal(back?.list.status, 200, back?.list.text);
    assert.equal(back?.put.status, 201, back?.put.text);
    assert.equal(server.child.exitCode, null);
    assert.equal(server.pid, pid);
    // Nothing refused was written.
    const check = new pg.Client({ connectionString: db });
    await check.connect();
    const found = await check.query('SELECT count(*)::int AS n FROM sessions WHERE id_ci = ANY($1)', [
      refused.map((x) => x.toUpperCase()),
    ]);
    await check.end();
    assert.equal(found.rows[0].n, 0);
    console.log(
      `${name}: ${refused.length * 3} requests during the outage, all 503 + 3000, slowest ${Math.round(worst)} ms; back after ${Date.now() - t1} ms, same process`,
    );
  }

  it('stopped (pg_ctl stop -m fast) and started again: 503 + envelope meanwhile, then 200', async (t) => {
    if (!cluster) return t.skip(why);
    await outage(
      'stopped',
      () => cluster!.stop(),
      () => cluster!.start(),
    );
  });

  it('frozen (SIGSTOP: connections accepted, nothing answered) and thawed: 503 within the query timeout, then 200', async (t) => {
    if (!cluster) return t.skip(why);
    await outage(
      'frozen',
      () => cluster!.freeze(),
      () => cluster!.thaw(),
    );
  });

  it('stopped and started twice more in a row', async (t) => {
    if (!cluster) return t.skip(why);
    for (let i = 0; i < 2; i++)
      await outage(
        `stopped again (${i + 1})`,
        () => cluster!.stop(),
        () => cluster!.start(),
      );
  });
});
