// Several stateless ocpi-sessions processes on one PostgreSQL: writes through one are visible through the other,
// and a crawl that alternates between them returns every session exactly once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { addPartnerWithToken, runCli, startCli } from '../support/cli.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { tokenHeader } from '../support/server.js';
import { getJson, nextLink } from '../support/http.js';

describe('two processes on one PostgreSQL', () => {
  let db: string;
  const servers: ReturnType<typeof startCli>[] = [];
  const urls: string[] = [];
  let ingest: string;

  before(async () => {
    db = await postgresUrl();
    const m = runCli(['migrate', '--db', db]);
    assert.equal(m.status, 0, m.stderr);
    assert.match(m.stdout, /postgres store is up to date/);
    const d = runCli(['demo', '--db', db, '--sessions', '600', '--emsp', 'NL-EMS,DE-EMP', '--seed', '4']);
    assert.equal(d.status, 0, d.stderr);
    addPartnerWithToken(db, 'NL-EMS', 'mp-token');
    ingest = runCli(['ingest-token', '--db', db]).stdout.trim();
    for (let i = 0; i < 2; i++) {
      const s = startCli(['serve', '--db', db, '--port', '0', '--max-limit', '37'], /listening on (\S+)/);
      servers.push(s);
      urls.push(/listening on (\S+)/.exec(await s.started)![1]!);
    }
  });
  after(async () => {
    for (const s of servers) await s.stop();
    await dropDatabase(db);
  });

  it('a session written through one process is listed and counted through the other at once', async () => {
    const first = await getJson(`${urls[1]}/ocpi/cpo/2.2.1/sessions`, tokenHeader('mp-token'));
    const total = Number(first.headers.get('x-total-count'));
    assert.equal(total, 300);
    const [s] = [
      ...generateDemoSessions({
        count: 1,
        seed: 99,
        emsps: [{ countryCode: 'NL', partyId: 'EMS' }],
        cpo: { countryCode: 'NL', partyId: 'OCS' },
        now: Date.UTC(2032, 0, 1),
      }),
    ];
    const body = {
      ...JSON.parse(codecFor('ocpi-2.2.1').render(s!)),
      id: 'via-process-a',
      last_updated: '2032-01-01T00:00:00Z',
    };
    const put = await fetch(`${urls[0]}/ingest/2.2.1/sessions/NL/OCS/via-process-a`, {
      method: 'PUT',
      headers: { authorization: `Token ${ingest}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(put.status, 201, await put.text());
    const after = await getJson(
      `${urls[1]}/ocpi/cpo/2.2.1/sessions?date_from=2031-12-01T00:00:00Z`,
      tokenHeader('mp-token'),
    );
    assert.deepEqual(
      after.body.data.map((x: { id: string }) => x.id),
      ['via-process-a'],
    );
    const all = await getJson(`${urls[1]}/ocpi/cpo/2.2.1/sessions`, tokenHeader('mp-token'));
    assert.equal(all.headers.get('x-total-count'), String(total + 1));
  });

  it('a crawl alternating between the processes returns every session once', async () => {
    const seen: string[] = [];
    let url: string | undefined = `${urls[0]}/ocpi/cpo/2.1.1/sessions`;
    let i = 0;
    let expected = 0;
    while (url) {
      const r = await getJson(url, tokenHeader('mp-token'));
      assert.equal(r.status, 200);
      expected = Number(r.headers.get('x-total-count'));
      seen.push(...r.body.data.map((x: { id: string }) => x.id));
      const next = nextLink(r.headers);
      i += 1;
      // The Link names the process that answered; the load balancer sends the next request to the other one.
      url = next?.replace(/^http:\/\/[^/]+/, urls[i % 2]!);
    }
    assert.ok(i > 5);
    assert.equal(seen.length, expected);
    assert.equal(new Set(seen).size, expected);
  });
});
