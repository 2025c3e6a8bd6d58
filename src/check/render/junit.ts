// The report as JUnit XML for CI systems: one testsuite per area, one testcase per check; a failed check is a
// <failure> (message: the detail; body: spec and evidence), a check not determined is <skipped>.
import { AREAS, type CheckReport, type CheckResult } from '../model.js';

export function renderJunit(r: CheckReport): string {
  const suites = AREAS.map((area) => r.results.filter((x) => x.area === area)).filter((xs) => xs.length > 0);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites name="ocpi-sessions check ${attr(r.target.sessionsUrl ?? r.target.url)}" tests="${r.summary.total}" ` +
      `failures="${r.summary.failed}" skipped="${r.summary.notDetermined}" errors="0">`,
  );
  for (const xs of suites) {
    const fails = xs.filter((x) => x.outcome === 'fail').length;
    const skips = xs.filter((x) => x.outcome === 'not-determined').length;
    out.push(
      `  <testsuite name="${xs[0]!.area}" tests="${xs.length}" failures="${fails}" skipped="${skips}" errors="0" timestamp="${r.startedAt}">`,
    );
    for (const x of xs) out.push(...testcase(x));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function testcase(x: CheckResult): string[] {
  const open = `    <testcase classname="ocpi-sessions.check.${x.area}" name="${attr(x.id)}: ${attr(x.title)}"`;
  if (x.outcome === 'pass') return [`${open}/>`];
  if (x.outcome === 'not-determined')
    return [`${open}>`, `      <skipped message="${attr(x.detail)}"/>`, '    </testcase>'];
  const body = [`spec: ${x.spec}`, ...x.evidence.map((e) => JSON.stringify(e))].join('\n');
  return [
    `${open}>`,
    `      <failure message="${attr(x.detail)}" type="${x.severity}">${text(body)}</failure>`,
    '    </testcase>',
  ];
}

/** Characters XML 1.0 cannot carry at all are dropped. */
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}

function text(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}
