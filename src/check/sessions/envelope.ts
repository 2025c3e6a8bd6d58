// The envelope of every success answer (field types in the answer's key style) and, over every answer, whether the
// HTTP status and the OCPI status_code tell the same story.
import { parseDateTime } from '../../domain/datetime.js';
import { succeeded } from '../../client/transport.js';
import type { Cx } from './context.js';

export function checkEnvelopes(cx: Cx): void {
  const answered = cx.probes.filter((p) => p.answer?.envelope);
  const ok = answered.filter((p) => succeeded(p.answer!));
  let bad: { why: string; probe: (typeof ok)[number] } | undefined;
  for (const p of ok) {
    const o = p.answer!.json as Record<string, unknown>;
    const camel = p.answer!.envelope!.style === 'camel';
    const [code, message] = camel ? ['statusCode', 'statusMessage'] : ['status_code', 'status_message'];
    const why = !Number.isInteger(o[code])
      ? `${code} is ${JSON.stringify(o[code])}, not an integer`
      : o[message] !== undefined && typeof o[message] !== 'string'
        ? `${message} is not a string`
        : typeof o.timestamp !== 'string' || parseDateTime(o.timestamp) === undefined
          ? `timestamp is ${JSON.stringify(o.timestamp)}, not a DateTime`
          : !('data' in o)
            ? 'no data'
            : undefined;
    if (why) {
      bad = { why, probe: p };
      break;
    }
  }
  if (ok.length === 0) cx.results.undetermined('envelope.fields', 'no success answer was read');
  else if (bad) cx.results.fail('envelope.fields', bad.why, [bad.probe.evidence]);
  else cx.results.pass('envelope.fields', `${ok.length} success answers`);

  const inconsistent = answered.find((p) => {
    const { http, statusCode } = p.answer!;
    if (statusCode === undefined) return false;
    const success = statusCode >= 1000 && statusCode < 2000;
    return (http >= 200 && http < 300) !== success;
  });
  if (answered.length === 0) cx.results.undetermined('envelope.status-consistency', 'no envelope was read');
  else if (inconsistent)
    cx.results.fail(
      'envelope.status-consistency',
      `HTTP ${inconsistent.answer!.http} with OCPI ${inconsistent.answer!.statusCode}`,
      [inconsistent.evidence],
    );
  else cx.results.pass('envelope.status-consistency', `${answered.length} answers`);
}
