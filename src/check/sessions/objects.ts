// Every walked session validated by our codecs for the version and key style (the documented camelCase / integer
// format when the answers are camel), each violation with its JSON path; DateTimes with their `Z`; the caller's
// party on every session.
import { parseDateTime } from '../../domain/datetime.js';
import { parsePartyKey } from '../../domain/session.js';
import { since22 } from '../../domain/wire-format.js';
import { codecFor } from '../../modules/sessions/wire/codecs.js';
import { idOf } from '../../modules/sessions/service/classify.js';
import { formatOf } from '../../modules/sessions/service/pull.js';
import type { ParseContext } from '../../wire/codec.js';
import type { Evidence } from '../model.js';
import { excerpt } from '../probe.js';
import type { Cx, Walk } from './context.js';
import { field } from './pages.js';

/** Listed violations per check (all are counted). */
const MAX_LISTED = 20;
/** 2.1.1 sessions do not name their CPO; the codecs need one to build the canonical session. */
const SOME_PARTY = { countryCode: 'ZZ', partyId: 'ZZZ' };

interface Found {
  line: string;
  evidence: Evidence;
}

function objectEvidence(page: Walk['pages'][number], obj: unknown): Evidence {
  return { ...page.probe.evidence, excerpt: excerpt(JSON.stringify(obj), 600) };
}

export function checkObjects(cx: Cx, w: Walk): void {
  const party = cx.o.party ? parsePartyKey(cx.o.party) : undefined;
  const ctx: ParseContext = { cpo: SOME_PARTY, emsp: party ?? SOME_PARTY };
  const invalid: Found[] = [];
  const noZ: Found[] = [];
  const foreign: Found[] = [];
  let count = 0;
  w.pages.forEach((page, p) => {
    page.objects.forEach((obj, i) => {
      count += 1;
      const name = `session ${JSON.stringify(idOf(obj) ?? null)} (page ${p + 1}, #${i + 1})`;
      const format = formatOf(obj, cx.version, cx.style ?? 'ocpi');
      const parsed = format
        ? codecFor(format).parse(obj, ctx)
        : { ok: false as const, issues: [{ path: '$', message: 'not an object' }] };
      if (!parsed.ok)
        for (const issue of parsed.issues)
          invalid.push({
            line: `${name}: ${issue.path}: ${issue.message}`,
            evidence: objectEvidence(page, obj),
          });
      for (const [path, text] of dateTimesWithoutZ(obj, '$'))
        noZ.push({ line: `${name}: ${path}: ${JSON.stringify(text)}`, evidence: objectEvidence(page, obj) });
      if (party && since22(cx.version)) {
        const token = field(obj, 'cdr_token', 'cdrToken');
        const cc = field(token, 'country_code', 'countryCode');
        const pid = field(token, 'party_id', 'partyId');
        if (cc !== party.countryCode || pid !== party.partyId)
          foreign.push({
            line: `${name}: cdr_token of ${String(cc)}-${String(pid)}`,
            evidence: objectEvidence(page, obj),
          });
      }
    });
  });
  report(
    cx,
    'objects.valid',
    invalid,
    `${count} sessions valid as ${formatOf({}, cx.version, cx.style ?? 'ocpi')}`,
  );
  const stamps = cx.probes.flatMap((p) => {
    const t = (p.answer?.json as { timestamp?: unknown } | undefined)?.timestamp;
    return typeof t === 'string' && parseDateTime(t) !== undefined && !/[Zz]$/.test(t)
      ? [{ line: `envelope timestamp ${JSON.stringify(t)}`, evidence: p.evidence }]
      : [];
  });
  report(cx, 'objects.datetime-z', [...noZ, ...stamps], `every DateTime of ${count} sessions ends in Z`);
  if (!party)
    cx.results.undetermined(
      'filters.own-party',
      'no --party given: whose sessions may be listed is not known',
    );
  else if (!since22(cx.version))
    cx.results.undetermined('filters.own-party', 'OCPI 2.1.1 sessions do not name the eMSP of their token');
  else report(cx, 'filters.own-party', foreign, `${count} sessions, all of ${cx.o.party}`);
}

function report(
  cx: Cx,
  id: 'objects.valid' | 'objects.datetime-z' | 'filters.own-party',
  found: Found[],
  ok: string,
) {
  if (found.length === 0) {
    cx.results.pass(id, ok);
    return;
  }
  const more = found.length > MAX_LISTED ? `\n… and ${found.length - MAX_LISTED} more` : '';
  const lines = found.slice(0, MAX_LISTED).map((f) => f.line);
  const evidence = [...new Map(found.map((f) => [f.evidence.excerpt, f.evidence])).values()];
  cx.results.fail(id, `${found.length} violation(s):\n${lines.join('\n')}${more}`, evidence);
}

/** Strings that are OCPI DateTimes without the `Z` designator, with their JSON paths. */
function dateTimesWithoutZ(value: unknown, path: string): [string, string][] {
  if (typeof value === 'string')
    return parseDateTime(value) !== undefined && !/[Zz]$/.test(value) ? [[path, value]] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => dateTimesWithoutZ(v, `${path}[${i}]`));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => dateTimesWithoutZ(v, `${path}.${k}`));
  return [];
}
