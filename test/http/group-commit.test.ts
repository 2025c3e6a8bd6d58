// Group commit of the ingest and receiver writes (src/service/group-commit.ts, GroupedWrites), through real HTTP
// on both stores: concurrent PUTs share transactions and each 2xx is stored exactly once and readable through
// the sender; an invalid body in a batch is refused alone; a PUT and a PATCH of one session sent back to back
// apply in arrival order; a store fault during a batch answers 503 + 3000 to each member and the server goes on.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import Database from 'better-sqlite3';
import type { Session } from '../../src/domain/session.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { setIdentity } from '../../src/service/identity.js';
import { rotateIngestToken } from '../../src/service/ingest-token.js';
import { addPartner } from '../../src/service/partners.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { startTestServer, tokenHeader, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';
import { bothStores } from '../support/stores.js';

const T0 = Date.UTC(2030, 0, 1);
const body = (s: Session) => JSON.parse(codecFor('ocpi-2.2.1').render(s)) as Record<string, unknown>;

const template = [
  ...generateDemoSessions({
    count: 1,
    seed: 3,
    emsps: [{ countryCode: 'DE', partyId: 'EMP' }],
    cpo: { countryCode: 'NL', partyId: 'OCS' },
    now: Date.UTC(2025, 0, 1),
  }),
][0]!;
const session = (id: string): Session => ({ ...template, id, lastUpdated: T0 });

const stores = bothStores('group.db');

/** Sends the requests back to back on one connection (HTTP/1.1 pipelining): they arrive in this order. */
function pipelined(
  url: string,
  requests: { method: string; path: string; headers: Record<string, string>; body: unknown }[],
): Promise<{ status: number; code: number }[]> {
  const { hostname, port } = new URL(url);
  const bytes = requests
    .map((r, i) => {
      const b = JSON.stringify(r.body);
      const head = Object.entries({
        ...r.headers,
        host: `${hostname}:${port}`,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(b)),
        ...(i === requests.length - 1 ? { connection: 'close' } : {}),
      }).map(([k, v]) => `${k}: ${v}`);
      return `${r.method} ${r.path} HTTP/1.1\r\n${head.join('\r\n')}\r\n\r\n${b}`;
    })
    .join('');
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(bytes));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', reject);
    socket.on('close', () => {
      const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
      const codes = [...text.matchAll(/"status_code":(\d+)/g)].map((m) => Number(m[1]));
      resolve(statuses.map((status, i) => ({ status, code: codes[i]! })));
    });
  });
}

for (const [kind, open] of stores) {
  describe(`group commit of ingest writes: ${kind}`, () => {
    let server: TestServer;
    let done: () => Promise<void>;
    let file: string | undefined;
    let ingest: Record<string, string>;
    let emsp: Record<string, string>;
    let agent: http.Agent;
    /** putSessions calls of the server's store (one per transaction). */
    let transactions = 0;
    const path = (id: string) => `/ingest/2.2.1/sessions/NL/OCS/${id}`;
    const put = (b: Record<string, unknown>, id: string) =>
      request(agent, server.url, 'PUT', path(id), ingest, b);

    before(async () => {
      const opened = await open();
      done = opened.done;
      file = opened.file;
      const store = opened.store;
      const putSessions = store.putSessions.bind(store);
      store.putSessions = (records, options) => {
        transactions++;
        return putSessions(records, options);
      };
      server = await startTestServer({}, store);
      await setIdentity(store, { countryCode: 'NL', partyId: 'OCS', roles: ['CPO'], name: 'Us' });
      ingest = tokenHeader(await rotateIngestToken(store));
      emsp = tokenHeader(
        (await addPartner(store, { countryCode: 'DE', partyId: 'EMP', roles: ['EMSP'] })).token,
      );
      agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    });
    after(async () => {
      agent.destroy();
      await server.close();
      await done();
    });

    it('concurrent PUTs over 32 connections share transactions; each 201 is stored once and listed by the sender', async () => {
      const ids = Array.from({ length: 300 }, (_, i) => `GC-${i}`);
      const before = transactions;
      const answers = await Promise.all(ids.map((id) => put(body(session(id)), id)));
      for (const [i, a] of answers.entries()) assert.equal(a.status, 201, `${ids[i]}: ${a.status} ${a.text}`);
      const used = transactions - before;
      assert.ok(used < ids.length, `${ids.length} creates took ${used} transactions: none shared`);
      const page = await request(false, server.url, 'GET', '/ocpi/cpo/2.2.1/sessions?limit=1000', emsp);
      assert.equal(page.status, 200);
      const listed = (page.json.data as { id: string }[])
        .map((s) => s.id)
        .filter((id) => id.startsWith('GC-'));
      assert.deepEqual([...listed].sort(), [...ids].sort(), 'every session listed exactly once');
      assert.equal(page.headers['x-total-count'], String(ids.length));
    });

    it('a batch with one invalid body answers that one 400 + 2001 and stores the others', async () => {
      const ids = Array.from({ length: 40 }, (_, i) => `GI-${i}`);
      const answers = await Promise.all(
        ids.map((id, i) => put(i === 17 ? { ...body(session(id)), kwh: 'lots' } : body(session(id)), id)),
      );
      for (const [i, a] of answers.entries()) {
        if (i === 17) {
          assert.equal(a.status, 400, a.text);
          assert.equal(a.json.status_code, 2001);
        } else assert.equal(a.status, 201, `${ids[i]}: ${a.status} ${a.text}`);
      }
      assert.equal(await server.store.getSession('NL', 'OCS', 'GI-17'), undefined);
      assert.ok(await server.store.getSession('NL', 'OCS', 'GI-16'));
    });

    it('a PUT and a PATCH of one session arriving together apply in arrival order', async () => {
      const s = session('GO-1');
      const patch = {
        kwh: 42,
        charging_periods: [
          { start_date_time: new Date(T0).toISOString(), dimensions: [{ type: 'ENERGY', volume: 42 }] },
        ],
        last_updated: new Date(T0 + 1000).toISOString(),
      };
      // Other creates at the same moment, so that the two share the server's batches with them.
      const others = Array.from({ length: 20 }, (_, i) => put(body(session(`GO-X${i}`)), `GO-X${i}`));
      const answers = await pipelined(server.url, [
        { method: 'PUT', path: path('GO-1'), headers: ingest, body: body(s) },
        { method: 'PATCH', path: path('GO-1'), headers: ingest, body: patch },
      ]);
      for (const a of await Promise.all(others)) assert.equal(a.status, 201, a.text);
      assert.deepEqual(answers, [
        { status: 201, code: 1000 },
        { status: 200, code: 1000 },
      ]);
      const stored = (await server.store.getSession('NL', 'OCS', 'GO-1'))!;
      assert.equal(stored.session.kwh, 42);
      assert.equal(stored.session.lastUpdated, T0 + 1000);
      assert.deepEqual(
        stored.session.chargingPeriods.map((p) => p.dimensions[0]!.volume),
        [...s.chargingPeriods.map((p) => p.dimensions[0]!.volume), 42],
      );
      assert.equal(stored.rev, 2);
    });

    if (kind === 'sqlite') {
      it('a store fault during a batch answers 503 + 3000 to each member; then the server writes again', async () => {
        // Another connection holds SQLite's write lock past the store's busy timeout (5 s): the batch fails.
        const other = new Database(file!);
        other.exec('BEGIN IMMEDIATE');
        let answers;
        try {
          const ids = Array.from({ length: 8 }, (_, i) => `GF-${i}`);
          answers = await Promise.all(ids.map((id) => put(body(session(id)), id)));
        } finally {
          other.exec('ROLLBACK');
          other.close();
        }
        for (const a of answers) {
          assert.equal(a.status, 503, a.text);
          assert.equal(a.json.status_code, 3000);
        }
        assert.equal(await server.store.getSession('NL', 'OCS', 'GF-0'), undefined);
        const again = await put(body(session('GF-0')), 'GF-0');
        assert.equal(again.status, 201, again.text);
      });
    }
  });
}
