// Graceful shutdown on SIGTERM under load: requests in flight when the signal arrives finish with complete
// answers (among them PUTs whose bodies are still arriving), later ones are refused cleanly (503 envelope or
// connection refused), the process exits 0, and the store holds every acknowledged write whole and nothing
// half-written (integrity_check, counts and bodies consistent).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Session } from '../../src/domain/session.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { tempDb, tokenHeader } from '../support/server.js';
import { request, send, type Answer } from '../support/http.js';
import { freePort } from '../support/ports.js';
import { body221, integrityCheck, sleep } from './helpers.js';
import { setParty, addPartnerWithToken, cli, serve } from '../support/cli.js';

/** A PUT whose body trickles in over `ms`: it is in flight at the server the whole time. */
function slowPut(
  base: string,
  path: string,
  headers: Record<string, string>,
  body: string,
  ms: number,
): Promise<Answer> {
  const h = { ...headers, 'content-type': 'application/json' };
  return send(base, { method: 'PUT', path, headers: h, body, agent: false, trickleMs: ms, settle: true });
}

describe('graceful shutdown on SIGTERM', () => {
  it('finishes what is in flight, refuses the rest cleanly, exits 0, leaves a consistent store', async () => {
    const db = tempDb('sigterm.db');
    setParty(db, 'NL-OCS', 'CPO', 'Us');
    // The partner first: the demo then stores its formats with the sessions (a partner added after them would
    // start a background render of 3 000 sessions, and pages rendered from the documents meanwhile).
    addPartnerWithToken(db, 'DE-EMP', 'term-token');
    cli(['demo', '--db', db, '--sessions', '3000', '--emsp', 'DE-EMP', '--seed', '6']);
    const ingest = tokenHeader(cli(['ingest-token', '--db', db]).trim());
    const server = await serve(db, await freePort());
    const base = server.url;
    const emsp = tokenHeader('term-token');
    const fresh = [
      ...generateDemoSessions({
        count: 50,
        seed: 7,
        emsps: [{ countryCode: 'DE', partyId: 'EMP' }],
        cpo: { countryCode: 'NL', partyId: 'OCS' },
        now: Date.UTC(2031, 0, 1),
      }),
    ];
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

    const log: { kind: 'GET' | 'PUT'; id?: string; answer: Answer }[] = [];
    let stop = false;
    let n = 0;
    const worker = async (w: number) => {
      while (!stop) {
        if (w % 2 === 0) {
          const answer = await request(
            agent,
            base,
            'GET',
            '/ocpi/cpo/2.2.1/sessions?limit=1000&offset=1000',
            emsp,
          );
          log.push({ kind: 'GET', answer });
        } else {
          const s: Session = fresh[n % fresh.length]!;
          const id = `TERM-${n++}`;
          const answer = await request(agent, base, 'PUT', `/ingest/2.2.1/sessions/NL/OCS/${id}`, ingest, {
            ...body221(s),
            id,
          });
          log.push({ kind: 'PUT', id, answer });
        }
        if (log.at(-1)!.answer.error === 'ECONNREFUSED') return; // it is gone
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    await sleep(1500);
    // In flight when the signal arrives: five PUTs whose bodies are still coming in for another ~1.5 s.
    const slow = fresh.slice(0, 5).map((s, i) => {
      const id = `SLOW-${i}`;
      return {
        id,
        answer: slowPut(
          base,
          `/ingest/2.2.1/sessions/NL/OCS/${id}`,
          ingest,
          JSON.stringify({ ...body221(s), id }),
          2000,
        ),
      };
    });
    await sleep(500);
    const t0 = Date.now();
    const exited = new Promise<number | null>((r) => server.child.once('exit', (code) => r(code)));
    server.child.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(20_000).then(() => 'hung' as const)]);
    const shutdownMs = Date.now() - t0;
    stop = true;
    await Promise.all(workers);
    assert.equal(code, 0, `exit code ${code}: ${server.output()}`);

    // In-flight requests got complete answers.
    for (const s of slow) {
      const a = await s.answer;
      assert.equal(a.status, 201, `${s.id} in flight at SIGTERM: ${a.status} ${a.error ?? ''} ${a.text}`);
    }
    // Every answer that arrived is complete and an envelope; the rest never reached a handler.
    const outcomes: Record<string, number> = {};
    for (const { answer } of log) {
      const key = answer.status ? String(answer.status) : answer.error!;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      if (answer.status) {
        assert.ok(
          answer.status === 200 || answer.status === 201 || answer.status === 503,
          `${answer.status} ${answer.text.slice(0, 200)}`,
        );
        assert.ok(
          answer.json && typeof (answer.json.status_code ?? answer.json.statusCode) === 'number',
          `truncated or not an envelope: ${answer.text.slice(0, 200)}`,
        );
      } else {
        assert.ok(
          ['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(answer.error!),
          `unexpected failure ${answer.error}`,
        );
      }
    }

    // The store: consistent, every acknowledged write present and whole, nothing refused written.
    assert.equal(integrityCheck(db), 'ok');
    const store = new SqliteStore(db);
    try {
      const all = [
        ...log.filter((l) => l.kind === 'PUT'),
        ...(await Promise.all(
          slow.map(async (s) => ({ kind: 'PUT' as const, id: s.id, answer: await s.answer })),
        )),
      ];
      let acked = 0;
      for (const { id, answer } of all) {
        const stored = await store.getSession('NL', 'OCS', id!);
        if (answer.status === 201) {
          acked++;
          assert.ok(stored, `acknowledged ${id} lost`);
          // Whole: the stored body in every format renders.
          assert.equal(JSON.parse(codecFor('ocpi-2.2.1').render(stored.session)).id, id);
        }
        if (answer.status === 503) assert.equal(stored, undefined, `${id} refused but stored`);
        // A connection reset may only hit a request the server never started: never one it applied.
        if (answer.status === 0)
          assert.equal(stored, undefined, `${id} applied but its answer was cut off (${answer.error})`);
      }
      // Counts agree with the rows: X-Total-Count of the owner equals the sessions scanned.
      const scanned = (await store.scanSessions(0, 1_000_000)).filter((s) => s.owner === 'DE-EMP').length;
      const page = await store.listSessions({ owner: 'DE-EMP' }, { offset: 0, limit: 1 }, 'ocpi-2.2.1', (s) =>
        codecFor('ocpi-2.2.1').render(s),
      );
      assert.equal(page.total, scanned);
      console.log(
        `SIGTERM: exit 0 after ${shutdownMs} ms; ${log.length + slow.length} requests: ${JSON.stringify(outcomes)} + 5 in-flight slow PUTs all 201; ` +
          `${acked} acknowledged writes all present; integrity_check ok; counts consistent (${scanned})`,
      );
    } finally {
      await store.close();
    }
  });
});
