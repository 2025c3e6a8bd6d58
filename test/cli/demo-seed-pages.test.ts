// `ocpi-sessions demo` (a worker thread generating and rendering, batches stored in one transaction each) leaves a
// store that serves exactly the pages of a store written session by session through the writer (one putSessions per
// session): the same bytes of every page, the same X-Total-Count and Link, for every eMSP, every wire format (OCPI
// 2.1.1, 2.2.1, 2.3.0 and camelCase 2.1.1, 2.2.1), on both stores.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { writeSessions } from '../../src/modules/sessions/service/writer.js';
import { addPartner } from '../../src/service/partners.js';
import type { SessionStore } from '../../src/store/contract.js';
import { openStore } from '../../src/store/open.js';
import { cliAsync } from '../support/cli.js';
import { WIRE_FORMATS } from '../../src/domain/wire-format.js';
import { declareFormats } from '../support/sessions.js';
import { send } from '../support/http.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { startTestServer, tempDb, tokenHeader, type TestServer } from '../support/server.js';

const NOW = '2025-06-01T00:00:00Z';
const SEED = 9;
const EMSPS = [
  { countryCode: 'NL', partyId: 'EMS' },
  { countryCode: 'DE', partyId: 'EMP' },
];
const CPO = { countryCode: 'NL', partyId: 'OCS' };
const COUNT = 2300; // more than one batch of the seeder (2000)
const LIMIT = 400;

type Style = 'ocpi' | 'camel';
const VERSIONS: Record<Style, string[]> = { ocpi: ['2.1.1', '2.2.1', '2.3.0'], camel: ['2.1.1', '2.2.1'] };

/** Every page of every eMSP in every format: [what, status, X-Total-Count, Link (without the origin), body]. */
async function allPages(server: TestServer, style: Style): Promise<string[][]> {
  const out: string[][] = [];
  for (const e of EMSPS) {
    const key = `${e.countryCode}-${e.partyId}`;
    const old = await server.store.getPartner(key);
    if (old) await server.store.removePartnerById(old.id);
    const { token } = await addPartner(server.store, { ...e, format: style });
    for (const version of VERSIONS[style]) {
      for (let offset = 0, total = Infinity; offset <= total; offset += LIMIT) {
        const path = `/ocpi/cpo/${version}/sessions?offset=${offset}&limit=${LIMIT}`;
        const r = await send(server.url, { method: 'GET', path, headers: tokenHeader(token) });
        total = Number(r.headers['x-total-count']);
        const link = String(r.headers['link'] ?? '').replace(server.url, '');
        // The envelope's timestamp is the time of the answer: the only part that may differ.
        const body = r.text.replace(/"timestamp":"[^"]*"/, '"timestamp":"-"');
        out.push([`${key} ${style} ${version} ${offset}`, String(r.status), String(total), link, body]);
      }
    }
  }
  return out;
}

describe('a seeded store serves the pages of a store written session by session', () => {
  const databases: string[] = [];
  after(() => Promise.all(databases.map(dropDatabase)));

  for (const kind of ['sqlite', 'postgres'] as const) {
    it(`${kind}: ${COUNT} sessions, every page byte for byte`, async () => {
      const newDb = async () => {
        if (kind === 'sqlite') return tempDb('pages.db');
        const url = await postgresUrl();
        databases.push(url);
        return url;
      };
      const seededDb = await newDb();
      // Both stores keep every format the test reads (a new store keeps only its partners' formats, issue 16).
      await declareFormats(seededDb, WIRE_FORMATS);
      await cliAsync([
        'demo',
        '--db',
        seededDb,
        '--sessions',
        String(COUNT),
        '--seed',
        String(SEED),
        '--emsp',
        EMSPS.map((e) => `${e.countryCode}-${e.partyId}`).join(','),
        '--now',
        NOW,
      ]);
      const sessions = [
        ...generateDemoSessions({ count: COUNT, seed: SEED, emsps: EMSPS, cpo: CPO, now: Date.parse(NOW) }),
      ];
      const oneByOne: SessionStore = await openStore(await newDb(), { create: true });
      await oneByOne.addStoredFormats(WIRE_FORMATS);
      for (const s of sessions) await writeSessions(oneByOne, [s], { mode: 'replace' });
      const servers = [
        await startTestServer({ maxLimit: 1000 }, await openStore(seededDb, { create: false })),
        await startTestServer({ maxLimit: 1000 }, oneByOne),
      ];
      try {
        for (const style of ['ocpi', 'camel'] as const) {
          const [seeded, written] = await Promise.all(servers.map((s) => allPages(s, style)));
          const pages = EMSPS.length * VERSIONS[style].length * Math.ceil(COUNT / EMSPS.length / LIMIT);
          assert.ok(written!.length >= pages, `${written!.length} pages`);
          assert.ok(written!.every((p) => p[1] === '200'));
          assert.deepEqual(seeded, written);
        }
      } finally {
        await Promise.all(servers.map((s) => s.close()));
      }
    });
  }
});
