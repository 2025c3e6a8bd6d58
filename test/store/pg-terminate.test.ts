// PostgreSQL connections of a running `ocpi-sessions serve` killed underneath it (pg_terminate_backend: what an
// administrator, a failover or a connection pooler's reset does): the process never exits; a request whose
// connection died gets 503 + OCPI 3000 (never a 500, never a reset socket), the pool replaces the connections and
// 200s come back at once; and every PUT that was acknowledged (2xx) is in the database afterwards.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import pg from 'pg';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { addPartnerWithToken, runCli, setParty, startCli } from '../support/cli.js';
import { waitFor } from '../support/ports.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { request, type Answer } from '../support/http.js';
import { tokenHeader } from '../support/server.js';

const LIST = '/ocpi/cpo/2.2.1/sessions?limit=50';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('PostgreSQL backends terminated under a running server', () => {
  let db: string;
  let server: ReturnType<typeof startCli>;
  let url: string;
  let ingest: Record<string, string>;
  const emsp = tokenHeader('terminate-token');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const sessions = [
    ...generateDemoSessions({
      count: 200,
      seed: 12,
      emsps: [{ countryCode: 'DE', partyId: 'EMP' }],
      cpo: { countryCode: 'NL', partyId: 'OCS' },
      now: Date.UTC(2031, 0, 1),
    }),
  ].map((s) => JSON.parse(codecFor('ocpi-2.2.1').render(s)) as Record<string, unknown>);
  let n = 0;

  before(async () => {
    db = await postgresUrl();
    setParty(db, 'NL-OCS', 'CPO', 'Us');
    const demo = runCli(['demo', '--db', db, '--sessions', '300', '--emsp', 'DE-EMP', '--seed', '3']);
    assert.equal(demo.status, 0, demo.stderr);
    addPartnerWithToken(db, 'DE-EMP', 'terminate-token');
    ingest = tokenHeader(runCli(['ingest-token', '--db', db]).stdout.trim());
    server = startCli(['serve', '--db', db, '--port', '0'], /listening on (\S+)/);
    url = /listening on (\S+)/.exec(await server.started)![1]!;
  });
  after(async () => {
    agent.destroy();
    if (server) await server.stop();
    if (db) await dropDatabase(db);
  });

  /** Terminates every connection to the test database but the caller's own; returns how many. */
  async function terminateAll(): Promise<number> {
    const c = new pg.Client({ connectionString: db });
    c.on('error', () => undefined); // this test's own connection: its errors fail the query below, not the process
    await c.connect();
    try {
      const r = await c.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      return r.rowCount ?? 0;
    } finally {
      await c.end();
    }
  }

  const get = () => request(agent, url, 'GET', LIST, emsp, undefined, 15_000);
  function put(): Promise<Answer & { id: string }> {
    const id = `TERM-${++n}`;
    const body = { ...sessions[n % sessions.length], id };
    return request(agent, url, 'PUT', `/ingest/2.2.1/sessions/NL/OCS/${id}`, ingest, body, 15_000).then(
      (a) => ({ ...a, id }),
    );
  }

  function assertAlive(): void {
    const log = server.errors();
    const at = log.indexOf("Unhandled 'error' event");
    const why = at >= 0 ? log.slice(Math.max(0, at - 300), at + 900) : log.slice(-1500);
    assert.equal(server.child.exitCode ?? server.child.signalCode, null, `the server exited:\n${why}`);
  }

  /** 200/201, or 503 with an OCPI envelope saying 3000: nothing else (no 500, no answerless reset). */
  function assertAnswer(a: Answer, what: string): void {
    if (a.status === 200 || a.status === 201) return;
    assert.equal(a.status, 503, `${what}: ${a.status} ${a.error ?? ''} ${a.text.slice(0, 300)}`);
    assert.equal(a.json?.status_code, 3000, `${what}: ${a.text.slice(0, 300)}`);
    assert.equal(typeof a.json?.status_message, 'string', a.text);
  }

  it('with its pool clients idle: the process stays up and the next requests succeed', async () => {
    // Fill the pool with a few connections, then let them sit idle.
    for (const a of await Promise.all([get(), get(), get(), get()])) assert.equal(a.status, 200, a.text);
    await sleep(300);
    const logged = server.errors().length;
    assert.ok((await terminateAll()) >= 1, 'no backend of the server to terminate');
    await sleep(1000);
    assertAlive();
    // The idle clients saw their connections die (the pool's 'error' event, reported and survived).
    assert.match(server.errors().slice(logged), /PostgreSQL idle client error: terminating connection/);
    const list = await get();
    assert.equal(list.status, 200, `${list.status} ${list.error ?? ''} ${list.text.slice(0, 300)}`);
    const written = await put();
    assert.equal(
      written.status,
      201,
      `${written.status} ${written.error ?? ''} ${written.text.slice(0, 300)}`,
    );
    assertAlive();
  });

  it('during concurrent GETs and ingest PUTs, several times: 200/201 or 503 + 3000, then 200s; no 2xx PUT lost', async () => {
    const answers: Array<{ what: string; a: Answer }> = [];
    const acknowledged: string[] = [];
    let stop = false;
    const worker = async (what: 'GET' | 'PUT') => {
      while (!stop) {
        const a: Answer & { id?: string } = what === 'GET' ? await get() : await put();
        answers.push({ what, a });
        if (a.id !== undefined && (a.status === 200 || a.status === 201)) acknowledged.push(a.id);
        if (a.status === 0) await sleep(50); // no answer: do not spin (the assertions below report it)
      }
    };
    const workers = [
      ...Array.from({ length: 4 }, () => worker('GET')),
      ...Array.from({ length: 4 }, () => worker('PUT')),
    ];
    let killed = 0;
    try {
      await sleep(300);
      for (let i = 0; i < 6; i++) {
        killed += await terminateAll();
        await sleep(250);
      }
      await sleep(500);
    } finally {
      stop = true;
      await Promise.all(workers);
    }
    assertAlive();
    assert.ok(killed >= 6, `only ${killed} backends terminated`);
    for (const { what, a } of answers) assertAnswer(a, what);

    // Back within a few seconds, same process.
    const t0 = Date.now();
    await waitFor(
      'a 200 GET and a 201 PUT after the terminations',
      async () => {
        const [list, written] = await Promise.all([get(), put()]);
        if (written.status === 201) acknowledged.push(written.id);
        return list.status === 200 && written.status === 201 ? true : undefined;
      },
      5000,
    );
    assertAlive();

    // Every acknowledged PUT is stored.
    const c = new pg.Client({ connectionString: db });
    c.on('error', () => undefined); // this test's own connection: its errors fail the query below, not the process
    await c.connect();
    try {
      const r = await c.query<{ id: string }>(
        "SELECT doc::json->>'id' AS id FROM sessions WHERE id_ci = ANY($1)",
        [acknowledged.map((id) => id.toUpperCase())],
      );
      const stored = new Set(r.rows.map((row) => row.id));
      assert.deepEqual(
        acknowledged.filter((id) => !stored.has(id)),
        [],
        'acknowledged PUTs missing from the database',
      );
    } finally {
      await c.end();
    }
    const count = (s: number) => answers.filter(({ a }) => a.status === s).length;
    console.log(
      `${killed} backends terminated over 6 rounds; ${answers.length} answers: ${count(200)} × 200, ` +
        `${count(201)} × 201, ${count(503)} × 503 (3000); ${acknowledged.length} PUTs acknowledged, all stored; ` +
        `200s back after ${Date.now() - t0} ms`,
    );
  });
});
