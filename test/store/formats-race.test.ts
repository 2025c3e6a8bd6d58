// Writes racing the addition of a stored format on PostgreSQL (issue 16): while two processes (separate pools)
// create and update sessions on many connections, a third adds a format and renders it at once, racing the writers
// in flight. Afterwards every session has a body in the new format, and it is the render of its stored document
// (no body missing, none of an older revision): an addition waits for the writers that read the set before it
// (stored_formats FOR SHARE), and every writer after it writes the new format.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { Session } from '../../src/domain/session.js';
import type { WireFormat } from '../../src/domain/wire-format.js';
import type { RenderBody } from '../../src/store/contract.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { makeSession } from '../support/sessions.js';

const T0 = Date.UTC(2025, 0, 1);
/** A body that tells the revision it was rendered from (kWh and last_updated change with every write). */
const render: RenderBody = (format: WireFormat, s: Session) =>
  JSON.stringify({ id: s.id, f: format, lu: s.lastUpdated, kwh: s.kwh });

describe('postgres: writes racing a format addition lose no body', () => {
  const databases: string[] = [];
  after(() => Promise.all(databases.map(dropDatabase)));

  it('every session has a body of the added format, rendered from its last revision', async () => {
    const url = await postgresUrl();
    databases.push(url);
    const [a, b, adder] = await Promise.all([
      PostgresStore.connect(url, { poolSize: 8 }),
      PostgresStore.connect(url, { poolSize: 8 }),
      PostgresStore.connect(url, { poolSize: 2 }),
    ]);
    let stop = false;
    let writers: Promise<void>[] = [];
    try {
      await a.addStoredFormats(['ocpi-2.2.1']);
      let writes = 0;
      // 16 writers: each creates its own sessions and keeps updating them, a few per transaction.
      const writer = async (store: PostgresStore, w: number) => {
        for (let round = 0; !stop || round < 3; round++) {
          const batch = Array.from({ length: 4 }, (_, k) => {
            const s = makeSession(`W${w}-${(round * 4 + k) % 40}`, 'NL-EMS', T0 + round * 1000 + k);
            return { session: { ...s, kwh: round + k }, owner: 'NL-EMS', renders: {} };
          });
          await store.putSessions(batch, { mode: 'replace', render });
          writes += batch.length;
        }
      };
      writers = Array.from({ length: 16 }, (_, w) =>
        writer(w % 2 ? a : b, w).catch((err: unknown) => {
          stop = true;
          throw err;
        }),
      );
      const failed = Promise.all(writers).then(() => undefined);
      let added: WireFormat[] = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        while (writes < 200 * (attempt + 1)) {
          await Promise.race([failed, new Promise((resolve) => setTimeout(resolve, 5))]);
          assert.ok(!stop, 'the writers failed');
        }
        // Add a format and render it while the writers go on; each attempt races another format.
        const format = (['camel-2.1.1', 'camel-2.2.1', 'ocpi-2.3.0', 'ocpi-2.1.1'] as const)[attempt % 4]!;
        added = [...added, ...(await adder.addStoredFormats([format]))];
        await adder.renderPendingBodies(render, 50);
        assert.ok((await adder.storedFormats()).ready.includes(format));
      }
      stop = true;
      await Promise.all(writers);
      const sql = new pg.Pool({ connectionString: url, max: 1 });
      try {
        const rows = (
          await sql.query<{ id: string; doc: string; fmt: number | null; body: string | null }>(
            `SELECT s.id_ci AS id, s.doc, f.fmt, b.body FROM sessions s
             CROSS JOIN unnest($1::smallint[]) AS f(fmt)
             LEFT JOIN page_bodies b ON b.owner = s.owner AND b.ord = s.ord AND b.fmt = f.fmt`,
            [[1, 2, 3, 4, 0]],
          )
        ).rows;
        assert.deepEqual(added, ['camel-2.1.1', 'camel-2.2.1', 'ocpi-2.3.0', 'ocpi-2.1.1']);
        assert.ok(rows.length >= 16 * 40 * 5 * 0.5, `${rows.length} bodies checked`);
        const names = ['ocpi-2.1.1', 'ocpi-2.2.1', 'camel-2.1.1', 'camel-2.2.1', 'ocpi-2.3.0'] as const;
        const wrong = rows.filter((r) => r.body !== render(names[r.fmt!]!, JSON.parse(r.doc) as Session));
        assert.deepEqual(
          wrong.slice(0, 5).map((r) => [r.id, names[r.fmt!], r.body === null ? 'missing' : 'stale']),
          [],
          `${wrong.length} of ${rows.length} bodies missing or stale`,
        );
      } finally {
        await sql.end();
      }
    } finally {
      stop = true;
      await Promise.allSettled(writers);
      await Promise.all([a.close(), b.close(), adder.close()]);
    }
  });
});
