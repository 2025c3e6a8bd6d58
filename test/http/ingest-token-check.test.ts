// The ingest token check of the request path (src/service/ingest-token.ts IngestTokenCheck), through real HTTP on
// both stores: concurrent ingest requests share their reads of the stored token hash (not one store read per
// request), and a rotated token is still refused on its very next request, even once the server has seen it
// succeed many times (the rotation writes the store directly, as `ocpi-sessions ingest-token` in another process
// does: nothing in this server is told).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Session } from '../../src/domain/session.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { setIdentity } from '../../src/service/identity.js';
import { rotateIngestToken } from '../../src/service/ingest-token.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { startTestServer, tokenHeader, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';
import { bothStores } from '../support/stores.js';

const template = [
  ...generateDemoSessions({
    count: 1,
    seed: 5,
    emsps: [{ countryCode: 'DE', partyId: 'EMP' }],
    cpo: { countryCode: 'NL', partyId: 'OCS' },
    now: Date.UTC(2025, 0, 1),
  }),
][0]!;
const body = (id: string) =>
  JSON.parse(codecFor('ocpi-2.2.1').render({ ...template, id } as Session)) as Record<string, unknown>;

for (const [kind, open] of bothStores('ingest-token.db')) {
  describe(`ingest token check: ${kind}`, () => {
    let server: TestServer;
    let done: () => Promise<void>;
    let agent: http.Agent;
    /** Reads of the stored ingest token hash by the server's store. */
    let tokenReads = 0;
    const put = (headers: Record<string, string>, id: string) =>
      request(agent, server.url, 'PUT', `/ingest/2.2.1/sessions/NL/OCS/${id}`, headers, body(id));

    before(async () => {
      const opened = await open();
      done = opened.done;
      const store = opened.store;
      const readSetting = store.readSetting.bind(store);
      store.readSetting = (setting) => {
        if (setting.key === 'ingest.token_hash') tokenReads++;
        return readSetting(setting);
      };
      server = await startTestServer({}, store);
      await setIdentity(store, { countryCode: 'NL', partyId: 'OCS', roles: ['CPO'], name: 'Us' });
      agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    });
    after(async () => {
      agent.destroy();
      await server.close();
      await done();
    });

    it('concurrent ingest requests over 32 connections share their reads of the token hash', async () => {
      const ingest = tokenHeader(await rotateIngestToken(server.store));
      const ids = Array.from({ length: 200 }, (_, i) => `TK-${i}`);
      const before = tokenReads;
      const answers = await Promise.all(ids.map((id) => put(ingest, id)));
      for (const [i, a] of answers.entries()) assert.equal(a.status, 201, `${ids[i]}: ${a.status} ${a.text}`);
      const reads = tokenReads - before;
      assert.ok(reads > 0, 'the stored hash is read');
      assert.ok(reads < ids.length / 2, `${ids.length} requests read the token hash ${reads} times`);
    });

    it('a rotated token is refused on its very next request, a wrong one always; the new one is admitted', async () => {
      const old = tokenHeader(await rotateIngestToken(server.store));
      for (let i = 0; i < 20; i++) assert.equal((await put(old, `RT-${i}`)).status, 201);
      const fresh = tokenHeader(await rotateIngestToken(server.store));
      const refused = await put(old, 'RT-old');
      assert.equal(refused.status, 401, refused.text);
      assert.equal(refused.json.status_code, 2000);
      assert.equal(await server.store.getSession('NL', 'OCS', 'RT-old'), undefined);
      // Concurrent requests with the old, a wrong and the new token: each is decided on its own.
      const wrong = tokenHeader('not-the-ingest-token');
      const answers = await Promise.all([
        ...Array.from({ length: 10 }, (_, i) => put(old, `RO-${i}`)),
        ...Array.from({ length: 10 }, (_, i) => put(wrong, `RW-${i}`)),
        ...Array.from({ length: 10 }, (_, i) => put(fresh, `RN-${i}`)),
      ]);
      assert.deepEqual(
        answers.map((a) => a.status),
        [...Array<number>(20).fill(401), ...Array<number>(10).fill(201)],
      );
      assert.equal((await put({}, 'RM-1')).status, 401, 'no Authorization header');
    });
  });
}
