// The report for people: grouped by area, each check with its outcome, detail and (for failures) the evidence,
// and a summary line.
import { AREAS, type CheckReport, type CheckResult, type Evidence } from '../model.js';

const MARK = { pass: 'PASS', fail: 'FAIL', 'not-determined': 'N/D ' } as const;

export function renderText(r: CheckReport): string {
  const out: string[] = [];
  const t = r.target;
  out.push(`ocpi-sessions check: ${t.sessionsUrl ?? t.url}`);
  out.push(
    `  OCPI ${t.version ?? '?'}, ${t.style ?? '?'} format${t.party ? `, party ${t.party}` : ''}; ` +
      `${r.requests.made} of at most ${r.requests.max} requests`,
  );
  for (const area of AREAS) {
    const results = r.results.filter((x) => x.area === area);
    if (results.length === 0) continue;
    out.push('', area);
    for (const x of results) out.push(...result(x));
  }
  if (r.quirks.length) out.push('', `quirks for the pull client: ${r.quirks.join(', ')}`);
  const s = r.summary;
  out.push(
    '',
    `${s.failed === 0 ? 'PASSED' : 'FAILED'}: ${s.passed} passed, ${s.failed} failed, ${s.notDetermined} not determined (${s.total} checks)`,
  );
  return `${out.join('\n')}\n`;
}

function result(x: CheckResult): string[] {
  const lines = [`  ${MARK[x.outcome]} ${x.id} [${x.severity}]: ${x.title}`];
  const indent = (s: string) => s.split('\n').map((l) => `         ${l}`);
  lines.push(...indent(x.detail));
  if (x.outcome === 'fail') {
    lines.push(...indent(`spec: ${x.spec}`));
    for (const e of x.evidence) lines.push(...indent(evidence(e)));
  }
  return lines;
}

function evidence(e: Evidence): string {
  const parts = [`> ${e.request}`];
  if (e.status !== undefined) parts.push(`< HTTP ${e.status}${e.ms !== undefined ? ` (${e.ms} ms)` : ''}`);
  for (const [k, v] of Object.entries(e.headers ?? {})) parts.push(`< ${k}: ${v}`);
  if (e.error) parts.push(`! ${e.error}`);
  if (e.excerpt) parts.push(`< ${e.excerpt}`);
  return parts.join('\n');
}
