// Concurrent changes of one session must all land: PATCHes (each appending one charging period) fired at a few
// sessions over many connections at once, and charging preferences set in between, on SQLite (one process) and
// on PostgreSQL (two processes sharing the database). Every PATCH answered "Success" appears exactly once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Session } from '../../src/domain/session.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { SessionStore } from '../../src/store/contract.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { runCli, setParty, startCli } from '../support/cli.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { raw } from '../support/http.js';
import { b64, partyServer, type PartyServer } from './helpers.js';

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/** A JSON request with a token over a keep-alive agent of its own (16 sockets); throws when there is no answer. */
function call(base: string, method: string, path: string, token: string, body: unknown) {
  const headers = { authorization: `Token ${b64(token)}`, 'content-type': 'application/json' };
  return raw(base, { method, path, agent, headers, body: JSON.stringify(body) });
}

const T0 = Date.UTC(2030, 0, 1);
/** PATCH n: one charging period that says which PATCH it is (start = T0 + n s, volume = n). */
const patch = (n: number) => ({
  charging_periods: [
    { start_date_time: new Date(T0 + n * 1000).toISOString(), dimensions: [{ type: 'ENERGY', volume: n }] },
  ],
  kwh: n,
  last_updated: new Date(T0 + n * 1000).toISOString(),
});

/** Fires `count` PATCHes over `sessions` at the given servers (round robin), all at once. */
async function storm(bases: string[], token: string, sessions: Session[], count: number) {
  const applied = new Map<string, number[]>(); // session id → PATCH numbers answered Success
  const answers = await Promise.all(
    Array.from({ length: count }, async (_, n) => {
      const s = sessions[n % sessions.length]!;
      const r = await call(
        bases[n % bases.length]!,
        'PATCH',
        `/ingest/2.2.1/sessions/NL/OCS/${s.id}`,
        token,
        patch(n + 1),
      );
      if (r.status === 200 && r.json.status_message === 'Success') {
        applied.set(s.id, [...(applied.get(s.id) ?? []), n + 1]);
      }
      return r;
    }),
  );
  return { applied, answers };
}

async function verify(
  store: SessionStore,
  sessions: Session[],
  applied: Map<string, number[]>,
  count: number,
) {
  let acknowledged = 0;
  for (const s of sessions) {
    const stored = (await store.getSession('NL', 'OCS', s.id))!.session;
    const numbers = stored.chargingPeriods
      .filter((p) => p.startDateTime >= T0)
      .map((p) => p.dimensions[0]!.volume);
    // No period twice, every acknowledged one present.
    assert.equal(new Set(numbers).size, numbers.length, `${s.id}: a period appears twice`);
    for (const n of applied.get(s.id) ?? [])
      assert.ok(numbers.includes(n), `${s.id}: acknowledged PATCH ${n} lost`);
    acknowledged += applied.get(s.id)?.length ?? 0;
    // "Not applied" answers (a newer last_updated was already stored) left nothing behind either.
    for (const n of numbers)
      assert.ok((applied.get(s.id) ?? []).includes(n), `${s.id}: PATCH ${n} stored but not acknowledged`);
  }
  assert.ok(acknowledged > count / 10, `only ${acknowledged} of ${count} applied`);
  return acknowledged;
}

describe('concurrent PATCHes of one session', () => {
  describe('SQLite, one process', () => {
    let p: PartyServer;
    before(async () => {
      p = await partyServer({}, 4);
    });
    after(() => p.server.close());

    it('every PATCH answered Success is stored exactly once; charging preferences do not undo them', async () => {
      const sessions = p.sessions.slice(0, 3);
      // Charging preferences on the same sessions, concurrently: a read-modify-write of the whole session.
      const owner = p.sessions[0]!.cdrToken;
      const prefs = Promise.all(
        Array.from({ length: 30 }, () =>
          call(
            p.server.url,
            'PUT',
            `/ocpi/cpo/2.2.1/sessions/${sessions[0]!.id}/charging_preferences`,
            p.tokens[`${owner.countryCode}-${owner.partyId}`]!,
            { profile_type: 'FAST' },
          ),
        ),
      );
      const { applied, answers } = await storm([p.server.url], p.ingest, sessions, 300);
      await prefs;
      for (const a of answers) assert.equal(a.status, 200, JSON.stringify(a.json));
      const n = await verify(p.server.store, sessions, applied, 300);
      console.log(
        `concurrency (SQLite): 300 concurrent PATCHes on 3 sessions, ${n} applied, 0 lost, 0 duplicated`,
      );
    });
  });

  describe('a PATCH delivered twice (its answer was lost, the sender retried)', () => {
    let p: PartyServer;
    before(async () => {
      p = await partyServer({}, 2);
    });
    after(() => p.server.close());

    it('appends its charging period once; a new change with other periods still appends', async () => {
      const s = p.sessions[0]!;
      const url = `/ingest/2.2.1/sessions/NL/OCS/${s.id}`;
      const before = (await p.server.store.getSession('NL', 'OCS', s.id))!.session.chargingPeriods.length;
      for (let i = 0; i < 3; i++)
        assert.equal((await call(p.server.url, 'PATCH', url, p.ingest, patch(1))).status, 200);
      let stored = (await p.server.store.getSession('NL', 'OCS', s.id))!.session;
      assert.equal(stored.chargingPeriods.length, before + 1);
      // Same last_updated, a different period: not a re-delivery.
      const other = { ...patch(1), charging_periods: patch(2).charging_periods };
      assert.equal((await call(p.server.url, 'PATCH', url, p.ingest, other)).status, 200);
      assert.equal((await call(p.server.url, 'PATCH', url, p.ingest, patch(3))).status, 200);
      stored = (await p.server.store.getSession('NL', 'OCS', s.id))!.session;
      assert.deepEqual(
        stored.chargingPeriods.slice(before).map((x) => x.dimensions[0]!.volume),
        [1, 2, 3],
      );
    });
  });

  describe('PostgreSQL, two processes', () => {
    let db: string;
    const servers: ReturnType<typeof startCli>[] = [];
    const urls: string[] = [];
    let ingest: string;
    let sessions: Session[];

    before(async () => {
      db = await postgresUrl();
      setParty(db, 'NL-OCS', 'CPO', 'Us');
      ingest = runCli(['ingest-token', '--db', db]).stdout.trim();
      for (let i = 0; i < 2; i++) {
        const s = startCli(['serve', '--db', db, '--port', '0'], /listening on (\S+)/);
        servers.push(s);
        urls.push(/listening on (\S+)/.exec(await s.started)![1]!);
      }
      sessions = [
        ...generateDemoSessions({
          count: 3,
          seed: 5,
          emsps: [{ countryCode: 'DE', partyId: 'EMP' }],
          cpo: { countryCode: 'NL', partyId: 'OCS' },
          now: Date.UTC(2025, 0, 1),
        }),
      ];
      for (const s of sessions) {
        const r = await call(
          urls[0]!,
          'PUT',
          `/ingest/2.2.1/sessions/NL/OCS/${s.id}`,
          ingest,
          JSON.parse(codecFor('ocpi-2.2.1').render(s)),
        );
        assert.equal(r.status, 201);
      }
    });
    after(async () => {
      for (const s of servers) await s.stop();
      await dropDatabase(db);
    });

    it('every PATCH answered Success is stored exactly once', async () => {
      const { applied, answers } = await storm(urls, ingest, sessions, 300);
      for (const a of answers) assert.equal(a.status, 200, JSON.stringify(a.json));
      const store = await PostgresStore.connect(db);
      try {
        const n = await verify(store, sessions, applied, 300);
        console.log(
          `concurrency (PostgreSQL, 2 processes): 300 concurrent PATCHes on 3 sessions, ${n} applied, 0 lost, 0 duplicated`,
        );
      } finally {
        await store.close();
      }
    });
  });
});
