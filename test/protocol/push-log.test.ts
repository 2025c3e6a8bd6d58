// The push worker logs each failed delivery at warn: partner, the receiver URL, the HTTP status (none when there
// was no answer), the attempt and when the next one is due. A real receiver on loopback answers 503, then the
// receiver is gone (connection refused).
import { WIRE_FORMATS } from '../../src/domain/wire-format.js';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { sessionsPush } from '../../src/modules/sessions/service/push.js';
import { toRecord } from '../../src/modules/sessions/service/writer.js';
import { setIdentity } from '../../src/service/identity.js';
import { PushDelivery } from '../../src/service/push-delivery.js';
import { hashToken } from '../../src/service/tokens.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDb } from '../support/server.js';

/** Our identity, partner DE-EMS registered with its Sessions receiver at `base`, one session pending for it. */
async function oneSessionFor(store: SqliteStore, base: string) {
  await setIdentity(store, { countryCode: 'NL', partyId: 'CPO', roles: ['CPO'], name: 'CPO' });
  const partner = await store.addPartner({
    countryCode: 'DE',
    partyId: 'EMS',
    roles: ['EMSP'],
    format: 'ocpi',
    tokenHash: hashToken('their-token-for-us'),
  });
  await store.updatePartner(partner.id, {
    state: 'registered',
    version: '2.2.1',
    endpoints: [{ identifier: 'sessions', role: 'RECEIVER', url: base }],
    theirToken: 'our-token-for-them',
  });
  const [session] = [
    ...generateDemoSessions({
      count: 1,
      seed: 3,
      emsps: [{ countryCode: 'DE', partyId: 'EMS' }],
      cpo: { countryCode: 'NL', partyId: 'CPO' },
      now: Date.UTC(2025, 5, 1),
    }),
  ];
  await store.putSessions([toRecord(session!, undefined, WIRE_FORMATS)], {
    mode: 'replace',
    pushTo: ['DE-EMS'],
  });
  return session!;
}

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('push failures are logged at warn', () => {
  it('with partner, URL, status, attempt and next attempt time', async () => {
    const receiver = http.createServer((_req, res) => {
      res
        .writeHead(503, { 'content-type': 'application/json' })
        .end('{"status_code":3000,"status_message":"busy"}');
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/ocpi/emsp/2.2.1/sessions`;
    const store = new SqliteStore(tempDb('push-log.db'));
    const warnings: { fields: Record<string, unknown>; message: string }[] = [];
    const log = {
      warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }),
    };
    try {
      const session = await oneSessionFor(store, base);
      const worker = new PushDelivery(store, [sessionsPush], { log, baseBackoffMs: 1000 });

      const before = Date.now();
      assert.equal(await worker.runOnce(), 1);
      assert.equal(warnings.length, 1);
      const first = warnings[0]!;
      const url = `${base}/NL/CPO/${encodeURIComponent(session.id)}`;
      assert.deepEqual(
        [
          first.fields.partner,
          first.fields.module,
          first.fields.url,
          first.fields.status,
          first.fields.attempt,
        ],
        ['DE-EMS', 'sessions', url, 503, 1],
      );
      const next = Date.parse(String(first.fields.nextAttemptAt));
      assert.ok(
        next >= before + 500 && next <= Date.now() + 1000,
        `next attempt ${first.fields.nextAttemptAt}`,
      );
      assert.match(first.message, /^push to DE-EMS failed \(attempt 1\): HTTP 503 3000 busy$/);

      // No answer at all (the receiver is gone): logged without a status.
      receiver.closeAllConnections();
      await new Promise((r) => receiver.close(r));
      assert.equal(await worker.runOnce(next + 1), 1);
      const second = warnings[1]!;
      assert.deepEqual([second.fields.url, second.fields.status, second.fields.attempt], [url, undefined, 2]);
    } finally {
      receiver.closeAllConnections();
      receiver.close();
      await store.close();
    }
  });

  it("does not follow a receiver's redirect: the 3xx is the answer, a failed attempt", async () => {
    // The push sends to the receiver the partner registered, nowhere else (exchange.ts `direct`).
    const elsewhere: string[] = [];
    const other = await listen((req, res) => {
      elsewhere.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status_code":1000}');
    });
    const receiver = await listen((req, res) => {
      req.resume();
      res.writeHead(307, { location: `${other.url}${req.url}` }).end();
    });
    const store = new SqliteStore(tempDb('push-redirect.db'));
    const warnings: { fields: Record<string, unknown>; message: string }[] = [];
    const log = {
      warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }),
    };
    try {
      await oneSessionFor(store, `${receiver.url}/ocpi/emsp/2.2.1/sessions`);
      const worker = new PushDelivery(store, [sessionsPush], { log });
      assert.equal(await worker.runOnce(), 1);
      assert.deepEqual(elsewhere, [], 'nothing sent where the redirect points');
      assert.deepEqual(
        warnings.map((w) => w.fields.status),
        [307],
      );
      assert.equal(await store.outboxDepth(), 1, 'the delivery stays in the outbox');
    } finally {
      for (const s of [receiver.server, other.server]) {
        s.closeAllConnections();
        s.close();
      }
      await store.close();
    }
  });
});
