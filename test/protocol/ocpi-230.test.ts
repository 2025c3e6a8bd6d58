// OCPI 2.3.0 between two real ocpi-sessions processes on loopback, a CPO and an eMSP: registration over 2.3.0 (both
// sides record 2.3.0 and its endpoints), a live session fed on the 2.3.0 ingest (TokenType EMAID, a tax breakdown)
// pushed in 2.3.0 (arrives without loss), the same partner reading the sender on the 2.3.0 and 2.2.1 URLs (same
// sessions, each price in its version's shape), and a pull from the 2.3.0 sender into a third store.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../src/domain/session.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { cli, runCliAsync, setParty, startCli } from '../support/cli.js';
import { freePort, waitFor } from '../support/ports.js';
import { tempDb, tokenHeader } from '../support/server.js';
import { getJson } from '../support/http.js';

async function withStore<T>(db: string, fn: (s: SqliteStore) => Promise<T>): Promise<T> {
  const store = new SqliteStore(db);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const readSession = (db: string, id: string): Promise<Session | undefined> =>
  withStore(db, async (s) => (await s.getSession('NL', 'CPO', id))?.session);

const taxes = [{ name: 'VAT', account_number: 'NL001234567B01', percentage: 10, amount: 0.85 }];

/** A 2.3.0 Session of NL-CPO for the token of DE-EMS (shaped on the spec's session_example_2_short_finished). */
function session230(id: string, at: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    country_code: 'NL',
    party_id: 'CPO',
    id,
    start_date_time: new Date(at - 3_600_000).toISOString(),
    kwh: 41.12,
    cdr_token: {
      country_code: 'DE',
      party_id: 'EMS',
      uid: 'EMAID1',
      type: 'EMAID',
      contract_id: 'DE-EMS-C1234567-X',
    },
    auth_method: 'WHITELIST',
    location_id: 'LOC1',
    evse_uid: '3256',
    connector_id: '1',
    currency: 'EUR',
    charging_periods: [
      {
        start_date_time: new Date(at - 3_600_000).toISOString(),
        dimensions: [{ type: 'ENERGY', volume: 120 }],
      },
    ],
    status: 'ACTIVE',
    last_updated: new Date(at).toISOString(),
    ...fields,
  };
}

describe('CPO ↔ eMSP over OCPI 2.3.0', () => {
  it('registers, pushes in 2.3.0 without loss, serves 2.3.0 and 2.2.1 alike, and is pulled from', async () => {
    const cpoDb = tempDb('cpo.db');
    const emspDb = tempDb('emsp.db');
    setParty(cpoDb, 'NL-CPO', 'CPO', 'Test CPO');
    setParty(emspDb, 'DE-EMS', 'EMSP', 'Test eMSP');
    const emspPort = await freePort();
    const cpo = startCli(
      ['serve', '--db', cpoDb, '--port', '0', '--push-backoff-ms', '100'],
      /listening on (\S+)/,
    );
    const emsp = startCli(
      ['serve', '--db', emspDb, '--port', String(emspPort), '--push-backoff-ms', '100'],
      /listening on/,
    );
    try {
      const cpoUrl = /listening on (\S+)/.exec(await cpo.started)![1]!;
      await emsp.started;

      // Registration: the highest version both speak is 2.3.0 (no --version given).
      const inv = JSON.parse(cli(['partners', 'invite', '--db', emspDb, '--json']));
      const reg = JSON.parse(cli(['register', '--db', cpoDb, inv.url, '--token', inv.token, '--json']));
      assert.equal(reg.key, 'DE-EMS');
      const cpoSide = JSON.parse(cli(['partners', 'list', '--db', cpoDb, '--json']));
      const emspSide = JSON.parse(cli(['partners', 'list', '--db', emspDb, '--json']));
      assert.deepEqual(
        cpoSide.map((p: any) => [p.key, p.state, p.version, p.roles]),
        [['DE-EMS', 'registered', '2.3.0', ['EMSP']]],
      );
      assert.deepEqual(
        emspSide.map((p: any) => [p.key, p.state, p.version, p.roles]),
        [['NL-CPO', 'registered', '2.3.0', ['CPO']]],
      );
      assert.ok(
        cpoSide[0].endpoints.some(
          (e: any) =>
            e.identifier === 'sessions' &&
            e.role === 'RECEIVER' &&
            e.url.endsWith('/ocpi/emsp/2.3.0/sessions'),
        ),
      );

      // The CPO back end feeds a session on the 2.3.0 ingest: PUT, then a PATCH with a period and the cost.
      const ingestToken = cli(['ingest-token', '--db', cpoDb]).trim();
      const ingest = async (method: 'PUT' | 'PATCH', body: unknown) => {
        const res = await fetch(`${cpoUrl}/ingest/2.3.0/sessions/NL/CPO/S230`, {
          method,
          headers: { ...tokenHeader(ingestToken), 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        assert.ok(res.status === 200 || res.status === 201, `${method} ${res.status} ${await res.text()}`);
      };
      const t0 = Date.now() - 60_000;
      await ingest('PUT', session230('S230', t0, { x_vendor_field: { kept: false } }));
      const period2 = {
        start_date_time: new Date(t0 + 1000).toISOString(),
        dimensions: [{ type: 'ENERGY', volume: 41000 }],
      };
      await ingest('PATCH', {
        charging_periods: [period2],
        total_cost: { before_taxes: 8.5, taxes },
        status: 'COMPLETED',
        end_date_time: new Date(t0 + 2000).toISOString(),
        last_updated: new Date(t0 + 2000).toISOString(),
      });

      // Pushed in 2.3.0: the eMSP holds the token type and the tax breakdown, which 2.2.1 could not carry.
      const arrived = await waitFor('the completed session at the eMSP', async () => {
        const s = await readSession(emspDb, 'S230');
        return s?.status === 'COMPLETED' ? s : undefined;
      });
      assert.equal(arrived.cdrToken.type, 'EMAID');
      assert.deepEqual(arrived.totalCost, {
        exclVat: 8.5,
        taxes: [{ name: 'VAT', accountNumber: 'NL001234567B01', percentage: 10, amount: 0.85 }],
      });
      assert.equal(arrived.chargingPeriods.length, 2, 'the PATCH appended its period (2.3.0 = 2.2.1 rule)');
      assert.deepEqual(arrived, (await readSession(cpoDb, 'S230'))!);

      // The eMSP reads the CPO's sender with its token on both URLs: the same session, each price in its shape.
      const token = await withStore(emspDb, async (s) => s.getTheirToken((await s.getPartner('NL-CPO'))!.id));
      const page = async (v: string) => {
        const r = await getJson(`${cpoUrl}/ocpi/cpo/${v}/sessions`, tokenHeader(token!));
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.headers.get('x-total-count'), '1');
        return r.body.data as Record<string, any>[];
      };
      const [s230] = await page('2.3.0');
      const [s221] = await page('2.2.1');
      assert.equal(s230!.id, 'S230');
      assert.equal(s221!.id, 'S230');
      assert.deepEqual(s230!.total_cost, { before_taxes: 8.5, taxes });
      assert.equal(s230!.cdr_token.type, 'EMAID');
      assert.deepEqual(s221!.total_cost, { excl_vat: 8.5, incl_vat: 9.35 });
      assert.equal(s221!.cdr_token.type, 'OTHER');
      assert.equal('x_vendor_field' in s230!, false);
      const { total_cost: _a, cdr_token: _b, ...rest230 } = s230!;
      const { total_cost: _c, cdr_token: _d, ...rest221 } = s221!;
      assert.deepEqual(rest230, rest221);

      // Pull from the 2.3.0 sender into a third store, no --version: discovery picks 2.3.0, the highest both
      // speak; the session arrives as the CPO has it.
      const pulledDb = tempDb('pulled.db');
      setParty(pulledDb, 'DE-EMS', 'EMSP', 'Pulling eMSP');
      const pull = await runCliAsync([
        'pull',
        '--db',
        pulledDb,
        '--partner',
        'NL-CPO',
        '--url',
        `${cpoUrl}/ocpi/versions`,
        '--token',
        token!,
        '--json',
      ]);
      assert.equal(pull.status, 0, pull.stderr);
      const summary = JSON.parse(pull.stdout);
      assert.equal(summary.version, '2.3.0');
      assert.equal(summary.sessions.new, 1);
      assert.deepEqual(await readSession(pulledDb, 'S230'), await readSession(cpoDb, 'S230'));
    } finally {
      await emsp.stop();
      await cpo.stop();
    }
  });
});
