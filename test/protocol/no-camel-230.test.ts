// There is no camel 2.3.0 (README "Versions", docs/DOWN-MAPPING.md): one answer says so, wherever it is given. A camel
// partner registered over 2.3.0 gets it from the 2.3.0 sender (HTTP 404 + 2001), its push is parked with it (the
// push worker's warning), and `schema --format camel --version 2.3.0` prints it: the same text, from one place.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NO_CAMEL_MESSAGE } from '../../src/domain/wire-format.js';
import { hashToken } from '../../src/service/tokens.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli, setParty, startCli } from '../support/cli.js';
import { waitFor } from '../support/ports.js';
import { startReceiver } from '../support/receiver.js';
import { tempDb, tokenHeader } from '../support/server.js';
import { makeRecord, makeSession } from '../support/sessions.js';

describe('no camel 2.3.0: one answer', () => {
  it('the sender, the push worker and the schema command give the same message', async () => {
    const db = tempDb('camel.db');
    setParty(db, 'NL-CPO', 'CPO', 'Test CPO');
    const receiver = await startReceiver();
    const store = new SqliteStore(db);
    try {
      const p = await store.addPartner({
        countryCode: 'DE',
        partyId: 'CAM',
        roles: ['EMSP'],
        format: 'camel',
        tokenHash: hashToken('camel-token'),
      });
      await store.updatePartner(p.id, {
        state: 'registered',
        version: '2.3.0',
        endpoints: [{ identifier: 'sessions', role: 'RECEIVER', url: receiver.url }],
        theirToken: 'their-token',
      });
      await store.putSessions([makeRecord(makeSession('C1', 'DE-CAM', Date.now()))], {
        mode: 'replace',
        pushTo: ['DE-CAM'],
      });
    } finally {
      await store.close();
    }
    const server = startCli(['serve', '--db', db, '--port', '0'], /listening on (\S+)/);
    try {
      const url = /listening on (\S+)/.exec(await server.started)![1]!;
      const res = await fetch(`${url}/ocpi/cpo/2.3.0/sessions`, { headers: tokenHeader('camel-token') });
      assert.equal(res.status, 404);
      const body = (await res.json()) as { statusCode: number; statusMessage: string };
      assert.equal(body.statusCode, 2001);
      assert.equal(body.statusMessage, NO_CAMEL_MESSAGE);

      const parked = await waitFor(
        'the parked push',
        () =>
          server
            .output()
            .split('\n')
            .filter((l) => l.includes('"partner":"DE-CAM"') && l.includes('"error"'))
            .map((l) => (JSON.parse(l) as { error: string }).error)[0],
      );
      assert.equal(parked, NO_CAMEL_MESSAGE);
      assert.equal(receiver.received.length, 0, 'nothing was sent');
    } finally {
      await server.stop();
      await receiver.close();
    }

    const schema = runCli(['schema', 'session', '--version', '2.3.0', '--format', 'camel']);
    assert.notEqual(schema.status, 0);
    assert.ok(schema.stderr.includes(NO_CAMEL_MESSAGE), schema.stderr);
  });
});
