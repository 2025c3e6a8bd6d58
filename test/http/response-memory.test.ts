// Large pages are written into reusable response memory (src/http/response-buffers.ts). A page whose client reads
// slowly stays queued in node:http after send(); its memory must not be handed to later responses meanwhile.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { addPartner } from '../../src/service/partners.js';
import { writeSessions } from '../../src/modules/sessions/service/writer.js';
import { startTestServer, tokenHeader, type TestServer } from '../support/server.js';
import { getJson } from '../support/http.js';

const NOW = Date.UTC(2025, 5, 1);

/** A raw HTTP/1.1 GET whose response is not read until `read()` is called. */
function stalledGet(url: string, headers: Record<string, string>) {
  const u = new URL(url);
  const socket = net.connect(Number(u.port), u.hostname);
  socket.pause();
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.write(
    `GET ${u.pathname}${u.search} HTTP/1.1\r\nhost: ${u.host}\r\nconnection: close\r\n${head}\r\n`,
  );
  return {
    read: () =>
      new Promise<string>((resolve, reject) => {
        const chunks: Buffer[] = [];
        socket.on('data', (c: Buffer) => chunks.push(c));
        socket.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          resolve(raw.slice(raw.indexOf('\r\n\r\n') + 4));
        });
        socket.on('error', reject);
        socket.resume();
      }),
  };
}

describe('response memory reuse', () => {
  let server: TestServer;
  let token: string;
  before(async () => {
    server = await startTestServer({ defaultLimit: 4000, maxLimit: 4000 });
    const emsps = [{ countryCode: 'NL', partyId: 'EMS' }];
    const sessions = [
      ...generateDemoSessions({
        count: 4000,
        seed: 3,
        emsps,
        cpo: { countryCode: 'NL', partyId: 'OCS' },
        now: NOW,
      }),
    ];
    await writeSessions(server.store, sessions, { mode: 'replace' });
    token = (await addPartner(server.store, { countryCode: 'NL', partyId: 'EMS', format: 'ocpi' })).token;
  });
  after(() => server.close());

  it('a page queued for a slow client keeps its bytes while other pages are served', async () => {
    const url = (offset: number) => `${server.url}/ocpi/cpo/2.1.1/sessions?offset=${offset}&limit=3000`;
    const expected = (await getJson(url(0), tokenHeader(token))).body;
    assert.ok(JSON.stringify(expected).length > 6_000_000, 'larger than what loopback socket buffers absorb');
    const slow = stalledGet(url(0), tokenHeader(token));
    await new Promise((r) => setTimeout(r, 300)); // served, and stuck in node:http's write queue
    for (const offset of [1000, 500, 900, 100]) {
      const other = await getJson(url(offset), tokenHeader(token));
      assert.equal(other.status, 200);
    }
    const got = JSON.parse(await slow.read());
    assert.deepEqual(got.data, expected.data, 'the slow client got its own page, byte for byte');
  });
});
