// The real `ocpi-sessions pull` command against a real ocpi-sessions CPO server over loopback, in each OCPI
// version and wire format: afterwards the eMSP store holds exactly the CPO's view for that partner.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import type { Session } from '../../src/domain/session.js';
import { wireFormatFor, type OcpiVersion } from '../../src/domain/wire-format.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDb, type TestServer } from '../support/server.js';
import { runCliAsync } from '../support/cli.js';
import { allStored, byId, CPO, PARTNERS, serverWithPartners, throughFormat } from './helpers.js';

describe('pull from a real ocpi-sessions server (the CLI)', () => {
  let server: TestServer;
  const view: Record<string, Session[]> = {};

  before(async () => {
    server = await serverWithPartners(3000, 400);
    // The CPO's view for each partner: what its own store says that partner may see.
    for (const p of Object.values(PARTNERS)) view[`${p.countryCode}-${p.partyId}`] = [];
    for (const s of await allStored(server.store))
      view[`${s.cdrToken.countryCode}-${s.cdrToken.partyId}`]?.push(s);
  });
  after(() => server.close());

  for (const version of ['2.2.1', '2.1.1'] as OcpiVersion[]) {
    for (const style of ['ocpi', 'camel'] as const) {
      it(`OCPI ${version}, ${style} format: the eMSP store equals the CPO's view for that partner`, async () => {
        const p = PARTNERS[style];
        const key = `${p.countryCode}-${p.partyId}`;
        const expected = view[key]!;
        assert.ok(expected.length > 900, `${expected.length} sessions for ${key}`);
        const db = tempDb('emsp.db');
        const r = await runCliAsync([
          'pull',
          '--db',
          db,
          '--url',
          `${server.url}/ocpi/cpo/${version}/sessions`,
          '--token',
          p.token,
          '--partner',
          'NL-OCS',
          '--emsp',
          key,
          '--page-size',
          '250',
          '--json',
        ]);
        assert.equal(r.status, 0, r.stderr);
        const summary = JSON.parse(r.stdout);
        assert.equal(summary.complete, true);
        assert.equal(summary.version, version);
        assert.equal(summary.encoding, version === '2.2.1' ? 'base64' : 'raw');
        assert.deepEqual(
          [
            summary.pages,
            summary.received,
            summary.sessions.new,
            summary.invalid,
            summary.retries,
            summary.corrections,
          ],
          [Math.ceil(expected.length / 250), expected.length, expected.length, 0, 0, 0],
        );
        assert.equal(summary.totalCount, expected.length);
        const store = new SqliteStore(db);
        try {
          const stored = (await allStored(store)).sort(byId);
          // Equal modulo what the format cannot carry: the CPO's sessions after a trip through the same codec.
          const want = expected
            .map((s) => throughFormat(s, wireFormatFor(style, version), { cpo: CPO, emsp: p }))
            .sort(byId);
          assert.equal(stored.length, want.length);
          assert.deepEqual(stored, want);
        } finally {
          await store.close();
        }
      });
    }
  }

  it('keeps the state of two tokens pulling from one URL apart: each gets all of its own sessions', async () => {
    const db = tempDb('shared-emsp.db');
    const url = `${server.url}/ocpi/cpo/2.2.1/sessions`;
    const keys = new Set<string>();
    for (const p of Object.values(PARTNERS)) {
      const r = await runCliAsync([
        'pull',
        '--db',
        db,
        '--url',
        url,
        '--token',
        p.token,
        '--page-size',
        '400',
        '--json',
      ]);
      assert.equal(r.status, 0, r.stderr);
      const summary = JSON.parse(r.stdout);
      const own = view[`${p.countryCode}-${p.partyId}`]!.length;
      assert.deepEqual([summary.complete, summary.received, summary.sessions.new], [true, own, own]);
      keys.add(summary.key);
    }
    assert.equal(keys.size, 2);
  });

  it('runs one pull per partner at a time; a lock left by a dead local process does not block', async () => {
    const db = tempDb('locked-emsp.db');
    const url = `${server.url}/ocpi/cpo/2.2.1/sessions`;
    const args = ['pull', '--db', db, '--url', url, '--token', PARTNERS.ocpi.token, '--json'];
    const first = await runCliAsync(args);
    assert.equal(first.status, 0, first.stderr);
    const key = JSON.parse(first.stdout).key as string;
    const store = new SqliteStore(db);
    try {
      // A live holder (this test process) on this machine: the pull is refused, nothing is fetched.
      const live = JSON.stringify({ host: hostname(), pid: process.pid, id: 'x', since: Date.now() });
      assert.equal(await store.acquireLock(`pull:${key}`, live, Date.now(), Date.now() + 60_000), true);
      const refused = await runCliAsync(args);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, new RegExp(`another pull of .* is running \\(process ${process.pid} on `));
      await store.releaseLock(`pull:${key}`, live);
      // A holder whose process is gone (a pull killed with -9): taken over at once.
      const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
      const stale = JSON.stringify({ host: hostname(), pid: dead, id: 'y', since: Date.now() });
      assert.equal(await store.acquireLock(`pull:${key}`, stale, Date.now(), Date.now() + 60_000), true);
      const resumed = await runCliAsync(args);
      assert.equal(resumed.status, 0, resumed.stderr);
      assert.equal(await store.lockHolder(`pull:${key}`), undefined, 'released at the end');
    } finally {
      await store.close();
    }
  });
});
