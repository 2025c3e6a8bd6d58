// `ocpi-sessions demo` on SQLite and PostgreSQL: the store ends with exactly the deterministic generator's sessions
// (src/demo/demo-data.ts), each listed once, with every wire format's body as the writer renders it, and the
// sender's counts (X-Total-Count comes from the counters) equal to the number of each eMSP's sessions.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { WIRE_FORMATS } from '../../src/domain/wire-format.js';
import { toRecord } from '../../src/modules/sessions/service/writer.js';
import { openStore } from '../../src/store/open.js';
import { allStored, byId, plain } from '../client/helpers.js';
import { cliAsync } from '../support/cli.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { tempDb } from '../support/server.js';
import { declareFormats } from '../support/sessions.js';

const NOW = '2025-06-01T00:00:00Z';
const EMSPS = [
  { countryCode: 'NL', partyId: 'EMS' },
  { countryCode: 'DE', partyId: 'EMP' },
];
const COUNT = 2500; // more than one batch of the seeder

describe('demo seeds the generator sessions', () => {
  const databases: string[] = [];
  after(() => Promise.all(databases.map(dropDatabase)));

  for (const kind of ['sqlite', 'postgres'] as const) {
    it(`${kind}: ${COUNT} sessions, as generated, with the writer's bodies and exact counts`, async () => {
      const db = kind === 'sqlite' ? tempDb('demo.db') : await postgresUrl();
      if (kind === 'postgres') databases.push(db);
      // The store keeps every format the test reads (a new one keeps only its partners' formats, issue 16).
      await declareFormats(db, WIRE_FORMATS);
      await cliAsync([
        'demo',
        '--db',
        db,
        '--sessions',
        String(COUNT),
        '--seed',
        '4',
        '--emsp',
        EMSPS.map((e) => `${e.countryCode}-${e.partyId}`).join(','),
        '--now',
        NOW,
      ]);
      const cpo = { countryCode: 'NL', partyId: 'OCS' };
      const want = [
        ...generateDemoSessions({ count: COUNT, seed: 4, emsps: EMSPS, cpo, now: Date.parse(NOW) }),
      ];
      const store = await openStore(db, { create: false });
      try {
        const stored = (await allStored(store)).sort(byId);
        assert.equal(stored.length, COUNT);
        assert.deepEqual(stored, want.map(plain).sort(byId));
        for (const emsp of EMSPS) {
          const mine = want.filter((s) => s.cdrToken.partyId === emsp.partyId);
          for (const format of WIRE_FORMATS) {
            const page = await store.listSessions(
              { owner: `${emsp.countryCode}-${emsp.partyId}` },
              { offset: 0, limit: 1000 },
              format,
            );
            assert.equal(page.total, mine.length, `${emsp.partyId} ${format} total`);
            const bodies = page.bodies.map((b) => String(b));
            const expected = mine.slice(0, 1000).map((s) => toRecord(s, undefined, [format]).renders[format]);
            assert.deepEqual(bodies, expected, `${emsp.partyId} ${format} first page`);
          }
        }
      } finally {
        await store.close();
      }
    });
  }
});
