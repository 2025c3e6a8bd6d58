// `ocpi-sessions check` (the CLI process) against our own server, the peer that does everything right: every check
// passes in OCPI 2.1.1, 2.2.1 and 2.3.0 (standard partner only: no camel 2.3.0), for a standard OCPI partner and a camelCase partner, in every report format. The
// JSON report is validated against docs/check-report.schema.json, the JUnit report read back with an XML parser.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { XMLParser } from 'fast-xml-parser';
import { CHECK_IDS, CHECKS } from '../../src/check/catalogue.js';
import type { CheckReport } from '../../src/check/model.js';
import type { OcpiVersion } from '../../src/domain/wire-format.js';
import { runCliAsync } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';
import type { TestServer } from '../support/server.js';
import { PARTNERS, serverWithPartners } from '../client/helpers.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

describe('check against our own server: everything passes', () => {
  let server: TestServer;
  const schema = JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'check-report.schema.json'), 'utf8'));
  const ajv = new Ajv({ allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(schema);

  before(async () => {
    server = await serverWithPartners(150, 50);
  });
  after(() => server.close());

  for (const version of ['2.3.0', '2.2.1', '2.1.1'] as OcpiVersion[])
    for (const style of ['ocpi', 'camel'] as const) {
      // The camelCase format has no 2.3.0 (README "Versions"; the answer is tested below).
      if (style === 'camel' && version === '2.3.0') continue;
      const p = PARTNERS[style];
      const party = `${p.countryCode}-${p.partyId}`;
      const args = () => [
        'check',
        `${server.url}/ocpi/versions`,
        '--token',
        p.token,
        '--version',
        version,
        '--party',
        party,
        '--pace-ms',
        '0',
        // No latency verdict that a busy machine could turn; the latency figures are still reported.
        '--slow-ms',
        '600000',
      ];

      it(`OCPI ${version}, ${style} partner, json: every check passes; the report matches its schema`, async () => {
        const r = await runCliAsync([...args(), '--format', 'json']);
        assert.equal(r.status, 0, r.stderr + r.stdout);
        const report = JSON.parse(r.stdout) as CheckReport;
        assert.ok(validate(report), ajv.errorsText(validate.errors));
        assert.equal(report.target.version, version);
        assert.equal(report.target.style, style);
        assert.equal(report.target.sessionsUrl, `${server.url}/ocpi/cpo/${version}/sessions`);
        assert.deepEqual(
          report.results.map((x) => x.id),
          CHECK_IDS,
        );
        // 2.1.1 sessions do not name the eMSP of their token: that one check cannot be decided.
        const undecided = version === '2.1.1' ? ['filters.own-party'] : [];
        assert.deepEqual(
          report.results.filter((x) => x.outcome !== 'pass').map((x) => `${x.id}: ${x.detail}`),
          undecided.map((id) => `${id}: OCPI 2.1.1 sessions do not name the eMSP of their token`),
        );
        assert.deepEqual(report.quirks, []);
        const total = report.results.find((x) => x.id === 'pagination.total-count')!;
        assert.match(total.detail, /^X-Total-Count 50; 50 objects over \d+ pages$/);
      });

      it(`OCPI ${version}, ${style} partner, --since: the window starts there, every request asks it`, async () => {
        const since = '2025-01-01T00:00:00Z';
        const r = await runCliAsync([...args(), '--since', since, '--format', 'json']);
        assert.equal(r.status, 0, r.stderr + r.stdout);
        const report = JSON.parse(r.stdout) as CheckReport;
        const requests = report.results.flatMap((x) => x.evidence.map((e) => e.request));
        const listed = requests.filter((q) => q.includes('/sessions?') && q.includes('offset='));
        assert.ok(listed.length > 0);
        // The filter probes ask their own window; every other list request asks date_from = --since.
        for (const q of listed.filter(
          (q) => !report.results.some((x) => x.area === 'filters' && x.evidence.some((e) => e.request === q)),
        ))
          assert.equal(new URL(q.slice(4)).searchParams.get('date_from'), since, q);
        assert.equal(report.summary.failed, 0);
      });

      it(`OCPI ${version}, ${style} partner, text: every area and a PASSED summary line`, async () => {
        const r = await runCliAsync(args());
        assert.equal(r.status, 0, r.stderr + r.stdout);
        for (const area of new Set(CHECK_IDS.map((id) => CHECKS[id].area)))
          assert.match(r.stdout, new RegExp(`\\n${area}\\n`));
        assert.doesNotMatch(r.stdout, /FAIL /);
        const nd = version === '2.1.1' ? 1 : 0;
        assert.match(
          r.stdout,
          new RegExp(`\\nPASSED: ${23 - nd} passed, 0 failed, ${nd} not determined \\(23 checks\\)\\n$`),
        );
        assert.equal(r.stderr, '', 'no progress when stderr is not a terminal');
      });

      it(`OCPI ${version}, ${style} partner, junit: 23 testcases, no failure`, async () => {
        const r = await runCliAsync([...args(), '--format', 'junit']);
        assert.equal(r.status, 0, r.stderr + r.stdout);
        const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(r.stdout);
        assert.equal(xml.testsuites.tests, '23');
        assert.equal(xml.testsuites.failures, '0');
        const cases = [xml.testsuites.testsuite]
          .flat()
          .flatMap((s: { testcase: unknown }) => [s.testcase].flat()) as {
          name: string;
          failure?: unknown;
        }[];
        assert.equal(cases.length, 23);
        assert.deepEqual(
          cases.map((c) => c.name.split(':')[0]),
          CHECK_IDS,
        );
        assert.ok(cases.every((c) => c.failure === undefined));
      });
    }

  it('OCPI 2.3.0, camel partner: the sender answers HTTP 404 + 2001 (camel envelope) naming the version to use', async () => {
    const p = PARTNERS.camel;
    const res = await fetch(`${server.url}/ocpi/cpo/2.3.0/sessions`, {
      headers: { authorization: `Token ${Buffer.from(p.token).toString('base64')}` },
    });
    assert.equal(res.status, 404);
    // In the partner's own envelope style (camelCase keys).
    const body = (await res.json()) as { statusCode: number; statusMessage: string };
    assert.equal(body.statusCode, 2001);
    assert.match(body.statusMessage, /camelCase format.*2\.1\.1 and 2\.2\.1 only: use the 2\.2\.1 URLs/);
  });
});
