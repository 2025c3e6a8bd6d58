// `ocpi-sessions check --role emsp --write --party CC-PID` against our own eMSP Sessions RECEIVER: one test session
// (id OCPI-SESSIONS-CHECK-…) under the caller's party is PUT, read back, PATCHed, refused with a wrong token and
// left as INVALID; in 2.1.1, 2.2.1 and 2.3.0. Without --write nothing is written; a CPO without a receiver fails the
// endpoint check and gets no write.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RECEIVER_CHECK_IDS } from '../../src/check/catalogue.js';
import type { CheckReport } from '../../src/check/model.js';
import type { OcpiVersion } from '../../src/domain/wire-format.js';
import { setIdentity } from '../../src/service/identity.js';
import { addPartner } from '../../src/service/partners.js';
import { runCli, runCliAsync } from '../support/cli.js';
import { PEER_TOKEN, startDefectiveCpo } from '../support/defective-cpo.js';
import { repoRoot } from '../support/paths.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { allStored } from '../client/helpers.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const CPO_TOKEN = 'nl-cpx-receiver-token';

describe('check --role emsp --write against our own receiver', () => {
  let server: TestServer;
  const ajv = new Ajv({ allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(
    JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'check-report.schema.json'), 'utf8')),
  );

  before(async () => {
    server = await startTestServer();
    await setIdentity(server.store, { countryCode: 'DE', partyId: 'EMP', roles: ['EMSP'], name: 'eMSP' });
    await addPartner(server.store, {
      countryCode: 'NL',
      partyId: 'CPX',
      format: 'ocpi',
      roles: ['CPO'],
      token: CPO_TOKEN,
    });
  });
  after(() => server.close());

  const args = (version: OcpiVersion) => [
    'check',
    `${server.url}/ocpi/versions`,
    '--token',
    CPO_TOKEN,
    '--version',
    version,
    '--role',
    'emsp',
    '--party',
    'NL-CPX',
    '--pace-ms',
    '0',
  ];

  for (const version of ['2.3.0', '2.2.1', '2.1.1'] as OcpiVersion[])
    it(`OCPI ${version}: every receiver check passes; the test session is left marked and INVALID`, async () => {
      const known = new Set((await allStored(server.store)).map((s) => s.id));
      const r = await runCliAsync([...args(version), '--write', '--format', 'json']);
      assert.equal(r.status, 0, r.stderr + r.stdout);
      const report = JSON.parse(r.stdout) as CheckReport;
      assert.ok(validate(report), ajv.errorsText(validate.errors));
      assert.equal(report.target.role, 'emsp');
      assert.equal(report.target.sessionsUrl, `${server.url}/ocpi/emsp/${version}/sessions`);
      assert.deepEqual(
        report.results.map((x) => [x.id, x.outcome]),
        RECEIVER_CHECK_IDS.map((id) => [id, 'pass']),
      );
      const written = (await allStored(server.store)).filter((s) => !known.has(s.id));
      assert.equal(written.length, 1);
      const s = written[0]!;
      assert.match(s.id, /^OCPI-SESSIONS-CHECK-[0-9A-Z]+$/);
      assert.deepEqual(
        [s.countryCode, s.partyId, s.locationId, s.status, s.kwh],
        ['NL', 'CPX', 'OCPI-SESSIONS-CHECK', 'INVALID', 1.5],
      );
      const put = report.results.find((x) => x.id === 'receiver.put')!;
      assert.match(
        put.evidence[0]!.request,
        /^PUT http:\/\/127\.0\.0\.1:\d+\/ocpi\/emsp\/.+\/NL\/CPX\/OCPI-SESSIONS-CHECK-/,
      );
    });

  it('without --write (or without --party) it refuses, exit 2, and writes nothing', async () => {
    const before = (await allStored(server.store)).length;
    const noWrite = runCli(args('2.2.1'));
    assert.equal(noWrite.status, 2);
    assert.match(noWrite.stderr, /needs --write and --party/);
    const noParty = runCli(
      args('2.2.1')
        .filter((a) => a !== '--party' && a !== 'NL-CPX')
        .concat('--write'),
    );
    assert.equal(noParty.status, 2);
    const senderWrite = runCli(['check', `${server.url}/ocpi/versions`, '--token', CPO_TOKEN, '--write']);
    assert.equal(senderWrite.status, 2);
    assert.match(senderWrite.stderr, /--write goes with --role emsp/);
    assert.equal((await allStored(server.store)).length, before);
  });

  it('a CPO that serves no receiver fails receiver.endpoint and gets no write', async () => {
    const cpo = await startDefectiveCpo();
    try {
      const r = await runCliAsync([
        'check',
        cpo.versionsUrl,
        '--token',
        PEER_TOKEN,
        '--role',
        'emsp',
        '--write',
        '--party',
        'NL-CPX',
        '--format',
        'json',
        '--pace-ms',
        '0',
      ]);
      assert.equal(r.status, 1, r.stderr);
      const report = JSON.parse(r.stdout) as CheckReport;
      const endpoint = report.results.find((x) => x.id === 'receiver.endpoint')!;
      assert.equal(endpoint.outcome, 'fail');
      assert.match(endpoint.detail, /only a sessions SENDER endpoint, no RECEIVER/);
      assert.ok(
        report.results
          .filter((x) => x.id !== 'receiver.endpoint')
          .every((x) => x.outcome === 'not-determined'),
      );
      assert.deepEqual(
        cpo.requests.filter((q) => q.method !== 'GET'),
        [],
      );
    } finally {
      await cpo.close();
    }
  });
});
