// The served /openapi.json passes a second linter: Redocly CLI's `lint` with its recommended rules (redocly.yaml),
// zero errors; warnings only of rules that redocly.yaml sets to `warn` with a reason, and only where it says.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/paths.js';
import { startTestServer, tempDb, type TestServer } from '../support/server.js';
import { getJson } from '../support/http.js';

interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: { pointer: string }[];
}

/** `redocly lint --format=json` on a file; no telemetry, no update check (the tests make no outside calls). */
function redoclyLint(
  file: string,
): Promise<{ totals: { errors: number; warnings: number }; problems: LintProblem[] }> {
  const bin = path.join(repoRoot, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
  const child = spawn(
    process.execPath,
    [bin, 'lint', file, '--config', path.join(repoRoot, 'redocly.yaml'), '--format=json'],
    { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', CI: 'true' } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(stdout));
      } catch {
        reject(new Error(`redocly lint printed no report: ${stderr}${stdout}`));
      }
    });
  });
}

describe('OpenAPI document: Redocly lint (recommended rules)', () => {
  let server: TestServer;
  let file: string;
  before(async () => {
    server = await startTestServer({ console: true }); // the console's operations are linted too
    const r = await getJson(`${server.url}/openapi.json`);
    assert.equal(r.status, 200);
    file = tempDb('openapi.json');
    writeFileSync(file, JSON.stringify(r.body));
  });
  after(() => server.close());

  it('has no errors, and warnings only of operation-4xx-response on the health checks', async () => {
    const report = await redoclyLint(file);
    const errors = report.problems.filter((p) => p.severity === 'error');
    assert.deepEqual(
      errors.map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`),
      [],
    );
    assert.equal(report.totals.errors, 0);
    const warned = report.problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer}`).sort();
    assert.deepEqual(warned, [
      'operation-4xx-response #/paths/~1health/get/responses',
      'operation-4xx-response #/paths/~1health~1live/get/responses',
      'operation-4xx-response #/paths/~1health~1ready/get/responses',
    ]);
  });

  it('finds errors where there are some (the linter really runs on the document)', async () => {
    const broken = tempDb('broken.json');
    const doc = JSON.parse(JSON.stringify((await getJson(`${server.url}/openapi.json`)).body)) as {
      servers?: unknown;
      paths: Record<string, { get?: { security?: unknown } }>;
    };
    delete doc.servers;
    delete doc.paths['/health']!.get!.security;
    writeFileSync(broken, JSON.stringify(doc));
    const report = await redoclyLint(broken);
    assert.deepEqual(
      report.problems
        .filter((p) => p.severity === 'error')
        .map((p) => p.ruleId)
        .sort(),
      ['no-empty-servers', 'security-defined'],
    );
  });
});
