// Paging through the real HTTP API on both stores, with enough sessions per partner that whole blocks of 1024
// positions are complete (src/store/paging.ts enters those at the position itself) and others are not (a session
// moved away; a date window): the Link chain and rebuilt offset/limit URLs must give exactly the caller's filtered
// sessions, each once, in creation order.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Session } from '../../src/domain/session.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { addPartner } from '../../src/service/partners.js';
import { writeSessions } from '../../src/modules/sessions/service/writer.js';
import { sessionsUrl, startTestServer, tokenHeader, type TestServer } from '../support/server.js';
import { getJson, walkLinks } from '../support/http.js';
import { bothStores } from '../support/stores.js';

const NOW = Date.UTC(2025, 5, 1);
const EMSPS = [
  { countryCode: 'NL', partyId: 'EMS' },
  { countryCode: 'DE', partyId: 'EMP' },
];

const stores = bothStores('paging.db');

for (const [kind, open] of stores) {
  describe(`sessions sender paging over HTTP: ${kind}`, () => {
    let server: TestServer;
    let done: () => Promise<void>;
    let token: string;
    let owned: Session[];

    before(async () => {
      const opened = await open();
      done = opened.done;
      server = await startTestServer({ defaultLimit: 100, maxLimit: 1000 }, opened.store);
      const sessions = [
        ...generateDemoSessions({
          count: 2600,
          seed: 11,
          emsps: EMSPS,
          cpo: { countryCode: 'NL', partyId: 'OCS' },
          now: NOW,
        }),
      ];
      await writeSessions(server.store, sessions, { mode: 'replace' });
      token = (await addPartner(server.store, { countryCode: 'NL', partyId: 'EMS', format: 'ocpi' })).token;
      // One of NL-EMS's sessions in its second block goes to DE-EMP: that block gets a gap.
      const mine = sessions.filter((s) => s.cdrToken.countryCode === 'NL');
      assert.ok(mine.length > 1100, `NL-EMS owns ${mine.length}`);
      const moved = mine[1050]!;
      await writeSessions(
        server.store,
        [
          {
            ...moved,
            cdrToken: { ...moved.cdrToken, countryCode: 'DE', partyId: 'EMP' },
            lastUpdated: moved.lastUpdated + 1,
          },
        ],
        { mode: 'replace' },
      );
      owned = mine.filter((s) => s.id !== moved.id);
    });
    after(async () => {
      await server.close();
      await done();
    });

    const expectedIds = (from?: number, to?: number) =>
      owned
        .filter(
          (s) => (from === undefined || s.lastUpdated >= from) && (to === undefined || s.lastUpdated < to),
        )
        .map((s) => s.id);

    it('walking the Link chain yields exactly the filtered sessions, each once (property)', async () => {
      const times = owned.map((s) => s.lastUpdated);
      const lo = Math.min(...times) - 1000;
      const hi = Math.max(...times) + 1000;
      await fc.assert(
        fc.asyncProperty(
          fc.option(fc.integer({ min: lo, max: hi }), { nil: undefined, freq: 2 }),
          fc.option(fc.integer({ min: lo, max: hi }), { nil: undefined, freq: 2 }),
          fc.integer({ min: 37, max: 1000 }),
          fc.constantFrom('2.1.1', '2.2.1', '2.3.0'),
          async (from, to, limit, version) => {
            const url = sessionsUrl(server.url, version, from, to, limit);
            const pages = await walkLinks(url, tokenHeader(token), owned.length + 1);
            for (const r of pages) assert.equal(r.status, 200);
            const total = pages[0]!.headers.get('x-total-count');
            const seen = pages.flatMap((r) => r.body.data.map((d: { id: string }) => d.id));
            const expected = expectedIds(from, to);
            assert.equal(total, String(expected.length));
            assert.deepEqual(seen, expected);
          },
        ),
        { numRuns: 36 },
      );
    });

    it('answers rebuilt offset/limit URLs at and across the block edges exactly', async () => {
      const all = expectedIds();
      const wide = expectedIds(Math.min(...owned.map((s) => s.lastUpdated))); // every session, through a window
      for (const [query, expected] of [
        ['', all],
        [`date_from=${new Date(Math.min(...owned.map((s) => s.lastUpdated))).toISOString()}&`, wide],
      ] as const) {
        for (const offset of [0, 1, 1000, 1021, 1022, 1023, 1024, 1049, 1050, 2045, 2047, all.length - 1]) {
          const r = await getJson(
            `${server.url}/ocpi/cpo/2.2.1/sessions?${query}offset=${offset}&limit=5`,
            tokenHeader(token),
          );
          assert.equal(r.status, 200);
          assert.deepEqual(
            r.body.data.map((d: { id: string }) => d.id),
            expected.slice(offset, offset + 5),
            `${query}offset ${offset}`,
          );
        }
      }
    });
  });
}
