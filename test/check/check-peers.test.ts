// `ocpi-sessions check` (the CLI process) against small CPOs with one real-world defect each
// (test/support/defective-cpo.ts): exactly the expected check fails, with evidence that shows the defect; the same
// CPO without a defect passes every check. Also: the request budget, GETs only, usage errors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { CHECK_IDS } from '../../src/check/catalogue.js';
import type { CheckReport } from '../../src/check/model.js';
import { runCli, runCliAsync } from '../support/cli.js';
import { cliPath } from '../support/paths.js';
import {
  PEER_PARTY,
  PEER_TOKEN,
  startDefectiveCpo,
  type Defect,
  type DefectiveCpo,
} from '../support/defective-cpo.js';
import { tempDb } from '../support/server.js';

/** The one check each defect must fail, and what its detail and evidence must show. */
const EXPECTED: Record<Defect, { check: string; detail: RegExp; evidence: RegExp; args?: string[] }> = {
  'total-is-page-length': {
    check: 'pagination.total-count',
    detail: /X-Total-Count says 2, the Link chain reached 24 objects over 12 pages/,
    evidence: /"x-total-count":"2"/,
  },
  'date-to-inclusive': {
    check: 'filters.date-to-exclusive',
    detail: /date_to=\S+ lists session "S\d{3}" .* date_to is inclusive/,
    evidence: /date_to=/,
  },
  'link-to-empty-page': {
    check: 'pagination.last-page',
    detail: /the Link of the last page \(24 objects reached\) leads to an empty page/,
    evidence: /offset=24&limit=4.*"excerpt":"\{\\"data\\":\[\]/,
  },
  'link-renamed-filters': {
    check: 'pagination.link-filters',
    detail: /the Link drops date_to \(its query: \?offset=4&limit=4&to=2\d{3}-/,
    evidence: /"link":"<http:\/\/127\.0\.0\.1:\d+\/ocpi\/2\.2\.1\/sessions\?offset=4&limit=4&to=2\d{3}-/,
  },
  'link-https': {
    check: 'pagination.link-target',
    detail:
      /the Link points to https:\/\/127\.0\.0\.1:\d+\/ocpi\/2\.2\.1\/sessions\?.*, the endpoint is http:/,
    evidence: /"link":"<https:/,
  },
  'link-wrong-path': {
    check: 'pagination.link-target',
    detail: /the Link points to http:\/\/127\.0\.0\.1:\d+\/ocpi\/2\.2\.1\/session\?/,
    evidence: /"link":"<http:\/\/127\.0\.0\.1:\d+\/ocpi\/2\.2\.1\/session\?/,
  },
  'limit-refused': {
    check: 'pagination.limit-capped',
    detail: /limit=100000 was refused \(HTTP 400, OCPI 2001\)/,
    evidence: /"status":400.*limit must be at most 20/,
  },
  'ordered-by-last-updated': {
    check: 'ordering.not-by-last-updated',
    detail: /the 24 walked sessions are in ascending last_updated order although their start order differs/,
    evidence: /"request":"GET http:\/\/127\.0\.0\.1:\d+\/ocpi\/2\.2\.1\/sessions\?date_to=/,
  },
  'base64-refused': {
    check: 'authorization.encoding',
    detail: /Base64 refused, raw accepted: OCPI 2\.2\.1 clients send the token Base64-encoded/,
    evidence: /"status":401/,
  },
  'forbidden-403': {
    check: 'authorization.wrong-token',
    detail: /HTTP 403 for an unknown token, not 401/,
    evidence: /"status":403/,
  },
  'datetime-without-z': {
    check: 'objects.datetime-z',
    detail: /48 violation\(s\):\nsession "S000" \(page 1, #1\): \$\.start_date_time: "2025-05-01T00:00:00"/,
    evidence: /\\"last_updated\\":\\"2025-05-02T00:00:00\\"/,
  },
  'invalid-enum': {
    check: 'objects.valid',
    detail: /session "S0\d\d" \(page \d+, #1\): \$\.status: /,
    evidence: /\\"status\\":\\"CHARGING\\"/,
  },
  // Every page past the first answers SLOW_PAGE_MS (300 ms) late: with --slow-ms 100 those are flagged, whatever
  // the machine's load (a late answer can only be later).
  'slow-deep-pages': {
    check: 'performance.latency',
    detail: /^\d+ answer\(s\) slower than 100 ms; pages of the walk: median \d+ ms, max \d+ ms over \d+/,
    evidence: /"request":"GET http:\/\/127\.0\.0\.1:\d+\/ocpi\/2\.2\.1\/sessions\?[^"]*offset=[1-9]/,
    args: ['--slow-ms', '100'],
  },
};

// No pacing; and no latency verdict that a busy machine could turn (performance.latency is not what these test).
const FAST = ['--pace-ms', '0', '--slow-ms', '600000'];

async function checkJson(peer: DefectiveCpo, extra: string[] = []) {
  const r = await runCliAsync([
    'check',
    peer.versionsUrl,
    '--token',
    PEER_TOKEN,
    '--party',
    PEER_PARTY,
    '--format',
    'json',
    ...FAST,
    ...extra,
  ]);
  return { status: r.status, stderr: r.stderr, report: JSON.parse(r.stdout) as CheckReport };
}

const failed = (r: CheckReport) => r.results.filter((x) => x.outcome === 'fail').map((x) => x.id);

describe('check against a CPO without defects', () => {
  let peer: DefectiveCpo;
  before(async () => (peer = await startDefectiveCpo()));
  after(() => peer.close());

  it('passes every check, exit 0, with GETs only and within the budget', async () => {
    const { status, report, stderr } = await checkJson(peer);
    assert.equal(status, 0, stderr);
    assert.deepEqual(failed(report), []);
    assert.deepEqual(
      report.results.filter((x) => x.outcome !== 'pass').map((x) => x.id),
      [],
      'every check decided',
    );
    assert.deepEqual(report.summary, {
      passed: CHECK_IDS.length,
      failed: 0,
      notDetermined: 0,
      total: CHECK_IDS.length,
    });
    assert.deepEqual(
      peer.requests.filter((r) => r.method !== 'GET'),
      [],
      'read-only',
    );
    assert.equal(report.requests.made, peer.requests.length);
    assert.ok(peer.requests.length <= 60, `${peer.requests.length} requests`);
  });

  it('--max-requests bounds the requests; what the budget did not reach is not determined, with the reason', async () => {
    const before = peer.requests.length;
    const { status, report } = await checkJson(peer, ['--max-requests', '10']);
    assert.ok(peer.requests.length - before <= 10, `${peer.requests.length - before} requests`);
    assert.equal(report.requests.made, peer.requests.length - before);
    assert.deepEqual(failed(report), []);
    assert.equal(status, 0);
    const undecided = report.results.filter((x) => x.outcome === 'not-determined');
    assert.ok(undecided.length > 0);
    for (const x of undecided) assert.match(x.detail, /--max-requests 10/, x.id);
    assert.equal(report.results.find((x) => x.id === 'pagination.total-count')?.outcome, 'not-determined');
  });

  it('usage errors exit 2: no token, a bad --since, --role emsp without write checks', () => {
    const base = ['check', peer.versionsUrl];
    for (const args of [
      base,
      [...base, '--token', 't', '--since', 'yesterday'],
      [...base, '--token', 't', '--role', 'emsp'],
      [...base, '--token', 't', '--party', 'nope'],
      ['check', 'not a url', '--token', 't'],
    ]) {
      const r = runCli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /error: /);
    }
  });
});

describe('check progress', () => {
  it('on a terminal (script(1) gives the command a pty): one redrawn line per request, cleared before the report', async () => {
    const peer = await startDefectiveCpo();
    try {
      const command = ['node', cliPath, 'check', peer.versionsUrl, '--token', PEER_TOKEN, ...FAST];
      const child = spawn('script', ['-qfec', command.join(' '), '/dev/null']);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(status, 0, out);
      const lines = out.split('\r\x1b[K').filter((l) => l.startsWith('['));
      assert.equal(lines.length, peer.requests.length, out.slice(0, 500));
      assert.match(lines[0]!, /^\[1\/60\] http:\/\/127\.0\.0\.1:\d+\/ocpi\/versions$/);
      assert.ok(out.includes('\r\x1b[Kocpi-sessions check: http:'), 'the line is cleared before the report');
    } finally {
      await peer.close();
    }
  });
});

describe('check against a CPO with one defect: exactly the expected check fails', () => {
  for (const [defect, want] of Object.entries(EXPECTED) as [Defect, (typeof EXPECTED)[Defect]][]) {
    it(`${defect} → ${want.check}`, async () => {
      const peer = await startDefectiveCpo(defect);
      try {
        const { status, report, stderr } = await checkJson(peer, want.args);
        assert.equal(status, 1, stderr);
        assert.deepEqual(failed(report), [want.check]);
        const result = report.results.find((x) => x.id === want.check)!;
        assert.match(result.detail, want.detail);
        assert.ok(result.evidence.length > 0, 'evidence');
        assert.match(JSON.stringify(result.evidence), want.evidence);
        assert.ok(result.spec.startsWith('OCPI 2.2.1 §'), result.spec);
        assert.deepEqual(
          peer.requests.filter((r) => r.method !== 'GET'),
          [],
          'read-only',
        );
      } finally {
        await peer.close();
      }
    });
  }
});

describe('check reports: text, JUnit (read back with an XML parser), --out', () => {
  it('a failing check in text shows the detail, spec and evidence; in JUnit a <failure> of that testcase', async () => {
    const peer = await startDefectiveCpo('forbidden-403');
    try {
      const args = ['check', peer.versionsUrl, '--token', PEER_TOKEN, ...FAST];
      const text = await runCliAsync(args);
      assert.equal(text.status, 1);
      assert.match(
        text.stdout,
        /FAIL authorization\.wrong-token \[error\]: a wrong token gets HTTP 401\n\s+HTTP 403 for an unknown token, not 401\n\s+spec: OCPI 2\.2\.1 §4\.1\.2/,
      );
      assert.match(text.stdout, /< HTTP 403/);
      assert.match(text.stdout, /\nFAILED: 21 passed, 1 failed, 1 not determined \(23 checks\)\n$/);

      const out = tempDb('check.xml');
      const junit = await runCliAsync([...args, '--format', 'junit', '--out', out]);
      assert.equal(junit.status, 1);
      assert.equal(junit.stdout, '');
      assert.match(junit.stderr, /failed: 21 passed, 1 failed, 1 not determined; report written to/);
      const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
        readFileSync(out, 'utf8'),
      );
      const suites = xml.testsuites;
      assert.equal(suites.tests, '23');
      assert.equal(suites.failures, '1');
      assert.equal(suites.skipped, '1');
      const all = [suites.testsuite].flat();
      const auth = all.find((s: { name: string }) => s.name === 'authorization');
      const cases = [auth.testcase].flat();
      const wrong = cases.find((c: { name: string }) => c.name.startsWith('authorization.wrong-token:'));
      assert.equal(wrong.failure.message, 'HTTP 403 for an unknown token, not 401');
      assert.equal(wrong.failure.type, 'error');
      assert.match(wrong.failure['#text'], /"status":403/);
      const own = [all.find((s: { name: string }) => s.name === 'filters').testcase]
        .flat()
        .find((c: { name: string }) => c.name.startsWith('filters.own-party:'));
      assert.match(own.skipped.message, /no --party given/);
    } finally {
      await peer.close();
    }
  });
});
