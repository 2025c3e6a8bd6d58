// Two real ocpi-sessions processes on loopback, a CPO and an eMSP, registered through the CLI and OCPI:
// live sessions fed into the CPO arrive at the eMSP by push, also after the eMSP was down for a while.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../src/domain/session.js';
import type { OcpiVersion } from '../../src/domain/wire-format.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { cli, setParty, startCli } from '../support/cli.js';
import { freePort, waitFor } from '../support/ports.js';
import { tempDb } from '../support/server.js';
import { getJson } from '../support/http.js';

const CPO = { countryCode: 'NL', partyId: 'CPO' };
const EMSP = { countryCode: 'DE', partyId: 'EMS' };

async function readSession(db: string, id: string): Promise<Session | undefined> {
  const store = new SqliteStore(db);
  try {
    return (await store.getSession(CPO.countryCode, CPO.partyId, id))?.session;
  } finally {
    await store.close();
  }
}

function liveSessions(): Session[] {
  const now = Date.now() - 60_000;
  const all = [...generateDemoSessions({ count: 200, seed: 11, emsps: [EMSP], cpo: CPO, now })];
  // Sessions with a full location and DC/AC periods, started recently.
  return all.filter((s) => s.status === 'COMPLETED' && s.chargingPeriods.length >= 3).slice(0, 2);
}

/** The ingest body: OCPI 2.2.1 Session plus the optional 2.1.1 `location` extension. */
function ingestBody(s: Session): Record<string, unknown> {
  const body = JSON.parse(codecFor('ocpi-2.2.1').render(s));
  body.location = JSON.parse(codecFor('ocpi-2.1.1').render(s)).location;
  return body;
}

for (const version of ['2.2.1', '2.1.1'] as OcpiVersion[]) {
  describe(`CPO ↔ eMSP over OCPI ${version}`, () => {
    it('registers, pushes a live session (PUT, PATCHes, COMPLETED) and catches up after eMSP downtime', async () => {
      const cpoDb = tempDb('cpo.db');
      const emspDb = tempDb('emsp.db');
      setParty(cpoDb, 'NL-CPO', 'CPO', 'Test CPO');
      setParty(emspDb, 'DE-EMS', 'EMSP', 'Test eMSP');
      const emspPort = await freePort();
      const cpo = startCli(
        ['serve', '--db', cpoDb, '--port', '0', '--push-backoff-ms', '100'],
        /listening on (\S+)/,
      );
      let emsp = startCli(
        ['serve', '--db', emspDb, '--port', String(emspPort), '--push-backoff-ms', '100'],
        /listening on/,
      );
      try {
        const cpoUrl = /listening on (\S+)/.exec(await cpo.started)![1]!;
        await emsp.started;

        // The eMSP invites; the CPO registers with token A.
        const inv = JSON.parse(cli(['partners', 'invite', '--db', emspDb, '--json']));
        assert.equal(inv.url, `http://127.0.0.1:${emspPort}/ocpi/versions`);
        const reg = JSON.parse(
          cli(['register', '--db', cpoDb, inv.url, '--token', inv.token, '--version', version, '--json']),
        );
        assert.equal(reg.key, 'DE-EMS');
        const cpoSide = JSON.parse(cli(['partners', 'list', '--db', cpoDb, '--json']));
        const emspSide = JSON.parse(cli(['partners', 'list', '--db', emspDb, '--json']));
        assert.deepEqual(
          cpoSide.map((p: any) => [p.key, p.state, p.version, p.roles]),
          [['DE-EMS', 'registered', version, ['EMSP']]],
        );
        assert.deepEqual(
          emspSide.map((p: any) => [p.key, p.state, p.version, p.roles]),
          [['NL-CPO', 'registered', version, ['CPO']]],
        );
        assert.ok(
          cpoSide[0].endpoints.some(
            (e: any) => e.identifier === 'sessions' && e.url.includes(`/ocpi/emsp/${version}/sessions`),
          ),
        );
        // Token A is dead after registration.
        const deadA = await getJson(inv.url, { authorization: `Token ${inv.token}` });
        assert.equal(deadA.status, 401);

        const ingestToken = cli(['ingest-token', '--db', cpoDb]).trim();
        const auth = {
          authorization: `Token ${Buffer.from(ingestToken).toString('base64')}`,
          'content-type': 'application/json',
        };
        const send = async (method: 'PUT' | 'PATCH', s: Session, body: unknown) => {
          const res = await fetch(`${cpoUrl}/ingest/2.2.1/sessions/NL/CPO/${s.id}`, {
            method,
            headers: auth,
            body: JSON.stringify(body),
          });
          assert.ok(res.status === 200 || res.status === 201, `${method} ${res.status} ${await res.text()}`);
        };

        const [full, second] = liveSessions() as [Session, Session];
        const t0 = full.startDateTime;
        // PUT the session as it started: ACTIVE, first period only.
        const started: Session = {
          ...full,
          status: 'ACTIVE',
          endDateTime: undefined,
          totalCost: undefined,
          chargingPeriods: full.chargingPeriods.slice(0, 1),
          lastUpdated: t0 + 1000,
        };
        await send('PUT', started, ingestBody(started));
        // PATCHes add charging periods (2.2.1 append semantics on ingest), then the completion.
        for (let i = 1; i < full.chargingPeriods.length; i++) {
          const p = JSON.parse(
            codecFor('ocpi-2.2.1').render({ ...full, chargingPeriods: [full.chargingPeriods[i]!] }),
          ).charging_periods;
          await send('PATCH', full, {
            charging_periods: p,
            kwh: full.kwh,
            last_updated: new Date(t0 + 1000 + i * 1000).toISOString(),
          });
        }
        const finalBody = JSON.parse(codecFor('ocpi-2.2.1').render(full));
        await send('PATCH', full, {
          status: 'COMPLETED',
          end_date_time: finalBody.end_date_time,
          total_cost: finalBody.total_cost,
          last_updated: finalBody.last_updated,
        });

        const cpoCopy = (await readSession(cpoDb, full.id))!;
        assert.deepEqual(cpoCopy.chargingPeriods, full.chargingPeriods);
        const format = version === '2.2.1' ? 'ocpi-2.2.1' : 'ocpi-2.1.1';
        const same = (a: Session, b: Session) => codecFor(format).render(a) === codecFor(format).render(b);
        const arrived = await waitFor('the completed session at the eMSP', async () => {
          const s = await readSession(emspDb, full.id);
          return s && s.status === 'COMPLETED' && same(s, cpoCopy) ? s : undefined;
        });
        assert.equal(codecFor(format).render(arrived), codecFor(format).render(cpoCopy));

        // The eMSP goes down; the CPO keeps ingesting; the outbox holds the deliveries.
        assert.equal(await emsp.stop(), 0);
        const started2: Session = {
          ...second,
          status: 'ACTIVE',
          endDateTime: undefined,
          lastUpdated: second.startDateTime + 1000,
        };
        await send('PUT', started2, ingestBody(started2));
        await send('PUT', second, ingestBody(second));
        const health = await waitFor('outbox depth > 0', async () => {
          const h = await getJson(`${cpoUrl}/health`);
          return h.body.data.outbox > 0 ? h : undefined;
        });
        assert.equal(health.status, 200);

        // Back up on the same address: the outbox delivers everything.
        emsp = startCli(
          ['serve', '--db', emspDb, '--port', String(emspPort), '--push-backoff-ms', '100'],
          /listening on/,
        );
        await emsp.started;
        const cpoSecond = (await readSession(cpoDb, second.id))!;
        await waitFor(
          'the second session at the eMSP',
          async () => {
            const s = await readSession(emspDb, second.id);
            return s && same(s, cpoSecond) ? s : undefined;
          },
          60_000,
        );
        await waitFor(
          'an empty outbox',
          async () => ((await getJson(`${cpoUrl}/health`)).body.data.outbox === 0 ? true : undefined),
          60_000,
        );
      } finally {
        await emsp.stop();
        await cpo.stop();
      }
    });
  });
}
