// `check --db … --partner X` records the verdict with X: `partners list` shows it (text and JSON), a later
// `check --partner X` without a URL checks X's saved pull configuration, and the token encoding the check found
// accepted is the one the next pull of X starts with (no refused first request).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, runCliAsync } from '../support/cli.js';
import { PEER_TOKEN, startDefectiveCpo, type DefectiveCpo } from '../support/defective-cpo.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { tempDb } from '../support/server.js';

const RAW = `Token ${PEER_TOKEN}`;

describe('check records its verdict with the partner', () => {
  let peer: DefectiveCpo;
  before(async () => (peer = await startDefectiveCpo('base64-refused')));
  after(() => peer.close());

  const pull = (db: string) =>
    runCliAsync([
      'pull',
      '--db',
      db,
      '--partner',
      'NL-CPO',
      '--url',
      peer.versionsUrl,
      '--token',
      PEER_TOKEN,
      '--emsp',
      'NL-EMS',
      '--json',
    ]);

  const stores: [string, () => Promise<string>][] = [
    ['SQLite', async () => tempDb('emsp.db')],
    ['PostgreSQL', async () => (databases[databases.length] = await postgresUrl())],
  ];
  const databases: string[] = [];
  after(async () => {
    for (const url of databases) await dropDatabase(url);
  });

  for (const [kind, makeDb] of stores)
    it(`${kind}: partners list shows the last verdict; the pull starts with the encoding the check found accepted`, async () => {
      const db = await makeDb();
      assert.equal(runCli(['migrate', '--db', db]).status, 0);
      const checked = await runCliAsync([
        'check',
        peer.versionsUrl,
        '--token',
        PEER_TOKEN,
        '--db',
        db,
        '--partner',
        'nl-cpo',
        '--pace-ms',
        '0',
        '--slow-ms',
        '600000',
        '--format',
        'json',
      ]);
      assert.equal(checked.status, 1, checked.stderr);
      const report = JSON.parse(checked.stdout);
      assert.equal(report.target.encoding, 'raw');

      const text = runCli(['partners', 'list', '--db', db]);
      assert.equal(text.status, 0, text.stderr);
      assert.match(
        text.stdout,
        /^NL-CPO\t-\tchecked\t2\.2\.1\t-\t\tcheck: FAILED 1 of 23 at \d{4}-\d\d-\d\dT[\d:.]+Z \(authorization\.encoding\) quirks: token-encoding\n$/,
      );
      const json = JSON.parse(runCli(['partners', 'list', '--db', db, '--json']).stdout);
      assert.equal(json.length, 1);
      assert.equal(json[0].key, 'NL-CPO');
      assert.equal(json[0].state, 'checked');
      assert.deepEqual(
        { ...json[0].lastCheck, at: undefined },
        {
          at: undefined,
          url: `${peer.url}/ocpi/2.2.1/sessions`,
          version: '2.2.1',
          passed: 21,
          failed: 1,
          notDetermined: 1, // filters.own-party: no --party
          failedChecks: ['authorization.encoding'],
          quirks: ['token-encoding'],
          encoding: 'raw',
        },
      );

      const from = peer.requests.length;
      const r = await pull(db);
      assert.equal(r.status, 0, r.stderr);
      const summary = JSON.parse(r.stdout);
      assert.equal(summary.received, 24);
      assert.equal(summary.authFallbacks, 0);
      assert.deepEqual(
        peer.requests.slice(from).filter((q) => q.authorization !== RAW),
        [],
        'every request of the pull sends the token raw',
      );

      // The control: without the check's record, the same pull is refused first (Base64, OCPI 2.2.1's default).
      const fresh = tempDb('fresh.db');
      assert.equal(runCli(['migrate', '--db', fresh]).status, 0);
      const control = JSON.parse((await pull(fresh)).stdout);
      assert.equal(control.authFallbacks, 1);
    });

  it('check --partner X without a URL checks X saved pull configuration and replaces the verdict', async () => {
    const db = tempDb('emsp.db');
    assert.equal(runCli(['migrate', '--db', db]).status, 0);
    assert.equal((await pull(db)).status, 0);
    const before = peer.requests.length;
    const r = await runCliAsync([
      'check',
      '--db',
      db,
      '--partner',
      'NL-CPO',
      '--pace-ms',
      '0',
      '--slow-ms',
      '600000',
    ]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /FAIL authorization\.encoding/);
    assert.ok(peer.requests.length > before, 'the saved URL was checked');
    const json = JSON.parse(runCli(['partners', 'list', '--db', db, '--json']).stdout);
    assert.deepEqual(json[0].lastCheck.failedChecks, ['authorization.encoding']);

    const unknown = runCli(['check', '--db', db, '--partner', 'DE-XYZ']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /no pull configuration saved for DE-XYZ/);
    const noPartner = runCli(['check', peer.versionsUrl, '--token', 't', '--db', db]);
    assert.equal(noPartner.status, 2);
    assert.match(noPartner.stderr, /--db records the verdict of --partner/);
  });
});
