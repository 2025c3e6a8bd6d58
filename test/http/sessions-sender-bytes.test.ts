// The sender's pages, byte for byte, through the real HTTP API on both stores: whatever way a store reads a page
// (a fast path must keep this test green), the `data` of every page is exactly the bodies the renderer (renderAll,
// as the writer stores them) makes of the caller's sessions, joined by commas, in creation order: every wire format,
// limits 1 to 1000, offsets at block edges and near the end, with and without date windows; non-ASCII text included.
import { WIRE_FORMATS } from '../../src/domain/wire-format.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../src/domain/session.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { addPartner } from '../../src/service/partners.js';
import { writeSessions } from '../../src/modules/sessions/service/writer.js';
import { renderAll } from '../../src/modules/sessions/wire/codecs.js';
import { send } from '../support/http.js';
import { startTestServer, tokenHeader, type TestServer } from '../support/server.js';
import { bothStores } from '../support/stores.js';

const NOW = Date.UTC(2025, 5, 1);
const DAY = 86_400_000;

const stores = bothStores('bytes.db');

for (const [kind, open] of stores) {
  describe(`sessions sender pages byte for byte over HTTP: ${kind}`, () => {
    let server: TestServer;
    let done: () => Promise<void>;
    const tokens: Record<'ocpi' | 'camel', string> = { ocpi: '', camel: '' };
    let owned: Session[];

    before(async () => {
      const opened = await open();
      done = opened.done;
      server = await startTestServer({ defaultLimit: 100, maxLimit: 1000 }, opened.store);
      const sessions = [
        ...generateDemoSessions({
          count: 1400,
          seed: 5,
          emsps: [{ countryCode: 'NL', partyId: 'EMS' }],
          cpo: { countryCode: 'NL', partyId: 'OCS' },
          now: NOW,
        }),
      ].map((s, i) =>
        // Multi-byte UTF-8 in some bodies: byte lengths differ from character counts.
        i % 7 === 3 ? { ...s, authorizationReference: `ré-€-😀-${i}` } : s,
      );
      // Every format the pages are read in is stored as the sessions are written (issue 16).
      await server.store.addStoredFormats(WIRE_FORMATS);
      await writeSessions(server.store, sessions, { mode: 'replace' });
      // One session moved to another owner: a gap in NL-EMS's positions (inside the second block of 1024).
      const moved = sessions[1100]!;
      await writeSessions(
        server.store,
        [{ ...moved, cdrToken: { ...moved.cdrToken, countryCode: 'DE', partyId: 'EMP' }, lastUpdated: NOW }],
        { mode: 'replace' },
      );
      owned = sessions.filter((s) => s.id !== moved.id);
      tokens.ocpi = (
        await addPartner(server.store, { countryCode: 'NL', partyId: 'EMS', format: 'ocpi' })
      ).token;
    });
    after(async () => {
      await server.close();
      await done();
    });

    const times = () => owned.map((s) => s.lastUpdated).sort((a, b) => a - b);
    const windows = (): Array<[number | undefined, number | undefined]> => {
      const t = times();
      return [
        [undefined, undefined],
        [t[Math.floor(t.length * 0.3)]!, undefined],
        [t[Math.floor(t.length * 0.2)]!, t[Math.floor(t.length * 0.8)]! + DAY / 3],
      ];
    };

    it('every format, limit, offset and window gives the rendered bodies joined, exactly', async () => {
      for (const style of ['ocpi', 'camel'] as const) {
        if (style === 'camel') {
          // The same eMSP, now configured for the camelCase format: its pages come in that format.
          await server.store.removePartnerById((await server.store.getPartner('NL-EMS'))!.id);
          tokens.camel = (
            await addPartner(server.store, { countryCode: 'NL', partyId: 'EMS', format: 'camel' })
          ).token;
        }
        for (const version of ['2.1.1', '2.2.1'] as const) {
          const format = `${style}-${version}` as const;
          for (const [from, to] of windows()) {
            const expected = owned.filter(
              (s) =>
                (from === undefined || s.lastUpdated >= from) && (to === undefined || s.lastUpdated < to),
            );
            const n = expected.length;
            for (const limit of [1, 37, 100, 101, 250, 1000]) {
              for (const offset of [0, 99, 1023, 1024, 1099, n - limit, n - 1, n]) {
                if (offset < 0) continue;
                const q = new URLSearchParams();
                if (from !== undefined) q.set('date_from', new Date(from).toISOString());
                if (to !== undefined) q.set('date_to', new Date(to).toISOString());
                q.set('offset', String(offset));
                q.set('limit', String(limit));
                const r = await send(server.url, {
                  method: 'GET',
                  path: `/ocpi/cpo/${version}/sessions?${q}`,
                  headers: tokenHeader(tokens[style]),
                });
                const what = `${format} ${q}`;
                assert.equal(r.status, 200, what);
                assert.equal(r.headers['x-total-count'], String(n), what);
                const data = expected
                  .slice(offset, offset + limit)
                  .map((s) => renderAll(s)[format])
                  .join(',');
                const status = style === 'camel' ? '"statusCode":1000' : '"status_code":1000';
                assert.ok(r.text.startsWith(`{"data":[${data}],${status},`), what);
              }
            }
          }
        }
      }
    });

    it("an owner's last block, partial: read exactly without a gap, with one, and after a new session", async () => {
      // BE-EMS: 1100 sessions, ords 1..1100; its last block (ords 1024..1100) is entered at the position itself
      // while it has no gap (src/store/paging.ts), stepped through once it has one.
      let mine = [
        ...generateDemoSessions({
          count: 1100,
          seed: 11,
          emsps: [{ countryCode: 'BE', partyId: 'EMS' }],
          cpo: { countryCode: 'NL', partyId: 'OCS' },
          now: NOW,
        }),
      ].map((s, i) => (i % 5 === 1 ? { ...s, authorizationReference: `ré-€-😀-${i}` } : s));
      await server.store.addStoredFormats(['ocpi-2.2.1']); // the format read, stored with the writes
      await writeSessions(server.store, mine, { mode: 'replace' });
      const token = (await addPartner(server.store, { countryCode: 'BE', partyId: 'EMS', format: 'ocpi' }))
        .token;
      const check = async (what: string) => {
        const n = mine.length;
        for (const limit of [1, 37, 100]) {
          for (const offset of [1000, 1022, 1023, 1024, 1050, n - limit, n - 1]) {
            const path = `/ocpi/cpo/2.2.1/sessions?offset=${offset}&limit=${limit}`;
            const r = await send(server.url, { method: 'GET', path, headers: tokenHeader(token) });
            assert.equal(r.status, 200, `${what} ${path}`);
            assert.equal(r.headers['x-total-count'], String(n), `${what} ${path}`);
            const data = mine
              .slice(offset, offset + limit)
              .map((s) => renderAll(s)['ocpi-2.2.1'])
              .join(',');
            assert.ok(r.text.startsWith(`{"data":[${data}],"status_code":1000,`), `${what} ${path}`);
          }
        }
      };
      await check('no gap');
      // One session of the last block moves to another owner: a gap at ord 1031.
      const moved = mine[1030]!;
      await writeSessions(
        server.store,
        [{ ...moved, cdrToken: { ...moved.cdrToken, countryCode: 'DE', partyId: 'EMP' }, lastUpdated: NOW }],
        { mode: 'replace' },
      );
      mine = mine.filter((s) => s.id !== moved.id);
      await check('a gap');
      // A new session (ord 1101) after the gap.
      const added = { ...mine[0]!, id: 'LAST-BLOCK-NEW', lastUpdated: NOW };
      await writeSessions(server.store, [added], { mode: 'replace' });
      mine = [...mine, added];
      await check('a new session');
    });
  });
}
