// A session page's history of changes and its deliveries' revisions over real HTTP, on SQLite and PostgreSQL:
// a session written through ingest (PUT, PATCH, PATCH, PUT) shows one entry per write, newest first, with the
// write's source and what changed; the history keeps the last HISTORY_LIMIT revisions; a delivery shows the
// revision the partner acknowledged and whether the partner is behind the session's current revision.
import { WIRE_FORMATS } from '../../src/domain/wire-format.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HISTORY_LIMIT } from '../../src/domain/session-change.js';
import type { Session } from '../../src/domain/session.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { toRecord } from '../../src/modules/sessions/service/writer.js';
import { setIdentity } from '../../src/service/identity.js';
import { rotateIngestToken } from '../../src/service/ingest-token.js';
import { addPartner } from '../../src/service/partners.js';
import { consoleGet, operatorAuth } from '../support/console.js';
import { send } from '../support/http.js';
import { startTestServer, tokenHeader, type TestServer } from '../support/server.js';
import { makeSession } from '../support/sessions.js';
import { bothStores } from '../support/stores.js';

const T0 = Date.UTC(2026, 5, 1);
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

interface HistoryItem {
  rev: number;
  at: string;
  last_updated: string;
  source: string | null;
  change: string;
}
interface Delivery {
  partner: string;
  rev: number | null;
  result: string;
  behind: boolean | null;
}

for (const [kind, open] of bothStores('history.db')) {
  describe(`console session history and delivered revisions: ${kind}`, () => {
    let server: TestServer;
    let done: () => Promise<void>;
    let ingest: Record<string, string>;
    let auth: Record<string, string>;

    const ingestPath = (id: string) => `/ingest/2.2.1/sessions/NL/OCS/${id}`;
    const write = async (method: 'PUT' | 'PATCH', id: string, body: unknown) => {
      const r = await send(server.url, {
        method,
        path: ingestPath(id),
        headers: { ...ingest, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.ok(r.status === 200 || r.status === 201, `${method} ${id}: ${r.status} ${r.text}`);
    };
    const wire = (s: Session) => JSON.parse(codecFor('ocpi-2.2.1').render(s)) as Record<string, unknown>;
    const detail = (id: string) => consoleGet(server.url, auth, `/console/api/sessions/NL/OCS/${id}`);

    before(async () => {
      const opened = await open();
      done = opened.done;
      server = await startTestServer({ console: true }, opened.store);
      await setIdentity(opened.store, { countryCode: 'NL', partyId: 'OCS', roles: ['CPO'], name: 'Us' });
      ingest = tokenHeader(await rotateIngestToken(opened.store));
      auth = await operatorAuth(opened.store);
    });
    after(async () => {
      await server.close();
      await done();
    });

    it('a session written four times shows four entries, newest first, with source and change', async () => {
      const s = { ...makeSession('HIST1', 'DE-EMP', T0, 'NL-OCS'), kwh: 0 };
      const started = Date.now();
      await write('PUT', 'HIST1', wire(s));
      await write('PATCH', 'HIST1', {
        kwh: 5,
        charging_periods: [{ start_date_time: iso(T0), dimensions: [{ type: 'ENERGY', volume: 5 }] }],
        last_updated: iso(T0 + MIN),
      });
      await write('PATCH', 'HIST1', {
        status: 'COMPLETED',
        end_date_time: iso(T0 + 2 * MIN),
        total_cost: { excl_vat: 3, incl_vat: 3.6 },
        last_updated: iso(T0 + 2 * MIN),
      });
      const stored = (await server.store.getSession('NL', 'OCS', 'HIST1'))!.session;
      await write('PUT', 'HIST1', wire({ ...stored, kwh: 7, lastUpdated: T0 + 3 * MIN }));
      const data = (await detail('HIST1')) as { rev: number; history: HistoryItem[] };
      assert.equal(data.rev, 4);
      assert.deepEqual(
        data.history.map(({ at: _at, ...h }) => h),
        [
          { rev: 4, last_updated: iso(T0 + 3 * MIN), source: 'ingest-put', change: 'kwh 5→7' },
          {
            rev: 3,
            last_updated: iso(T0 + 2 * MIN),
            source: 'ingest-patch',
            change: 'status ACTIVE→COMPLETED; total_cost 3; end_date_time set',
          },
          {
            rev: 2,
            last_updated: iso(T0 + MIN),
            source: 'ingest-patch',
            change: 'kwh 0→5; +1 charging period',
          },
          { rev: 1, last_updated: iso(T0), source: 'ingest-put', change: 'created' },
        ],
      );
      // `at` is when each revision was written (this test's writes), newest first.
      const at = data.history.map((h) => Date.parse(h.at));
      assert.ok(
        at.every((t) => t >= started - 1000 && t <= Date.now() + 1000),
        data.history[0]!.at,
      );
      assert.deepEqual(
        [...at].sort((a, b) => b - a),
        at,
      );
    });

    it(`keeps the last ${HISTORY_LIMIT} revisions of a session`, async () => {
      const s = makeSession('HIST2', 'DE-EMP', T0, 'NL-OCS');
      const writes = HISTORY_LIMIT + 5;
      for (let i = 0; i < writes; i++)
        await write('PUT', 'HIST2', wire({ ...s, kwh: i, lastUpdated: T0 + i }));
      const history = ((await detail('HIST2')) as { history: HistoryItem[] }).history;
      assert.equal(history.length, HISTORY_LIMIT);
      assert.deepEqual(
        history.map((h) => h.rev),
        Array.from({ length: HISTORY_LIMIT }, (_, i) => writes - i),
      );
      assert.equal(history[0]!.change, `kwh ${writes - 2}→${writes - 1}`);
    });

    it('shows the revision each partner acknowledged and whether it is behind', async () => {
      await addPartner(server.store, { countryCode: 'DE', partyId: 'EMP', roles: ['EMSP'], format: 'ocpi' });
      const s = makeSession('DELIV1', 'DE-EMP', T0, 'NL-OCS');
      await server.store.putSessions([toRecord(s, undefined, WIRE_FORMATS)], {
        mode: 'replace',
        pushTo: ['DE-EMP'],
      });
      const deliveries = async () => ((await detail('DELIV1')) as { deliveries: Delivery[] }).deliveries;
      assert.deepEqual(
        (await deliveries()).map(({ partner, rev, result, behind }) => ({ partner, rev, result, behind })),
        [{ partner: 'DE-EMP', rev: 1, result: 'pending', behind: true }],
      );
      const [d] = await server.store.claimLanes([{ partnerKey: 'DE-EMP', limit: 1 }], Date.now(), 60_000);
      assert.ok(d);
      await server.store.completeDeliveries([{ delivery: d, doc: JSON.stringify(s) }]);
      assert.deepEqual(
        (await deliveries()).map(({ partner, rev, result, behind }) => ({ partner, rev, result, behind })),
        [{ partner: 'DE-EMP', rev: 1, result: 'delivered', behind: false }],
      );
      // A change the partner has not acknowledged (ingest writes: no push target registered, no outbox entry).
      await write('PATCH', 'DELIV1', { kwh: 9, last_updated: iso(T0 + MIN) });
      assert.deepEqual(
        (await deliveries()).map(({ partner, rev, result, behind }) => ({ partner, rev, result, behind })),
        [{ partner: 'DE-EMP', rev: 1, result: 'delivered', behind: true }],
      );
    });
  });
}
