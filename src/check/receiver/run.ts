// `ocpi-sessions check --role emsp --write --party CC-PID`: an eMSP's Sessions RECEIVER, with one clearly marked
// test session of the caller's own party (id `OCPI-SESSIONS-CHECK-…`, location and token uid `OCPI-SESSIONS-CHECK`):
// PUT, GET it back, PATCH it (kwh, a later last_updated) and read it again, a PUT with a wrong token; finally the
// session is PATCHed to status INVALID (OCPI has no DELETE for sessions), so the receiver keeps it as void.
import { randomUUID } from 'node:crypto';
import { formatDateTime } from '../../domain/datetime.js';
import { generateDemoSessions } from '../../demo/demo-data.js';
import { parsePartyKey, type Session } from '../../domain/session.js';
import { wireFormatFor, type OcpiVersion } from '../../domain/wire-format.js';
import { succeeded } from '../../client/transport.js';
import { codecFor } from '../../modules/sessions/wire/codecs.js';
import { RECEIVER_CHECK_IDS } from '../catalogue.js';
import { makeReport, type CheckReport } from '../model.js';
import { BudgetSpent, Prober, type Probe } from '../probe.js';
import { Results } from '../results.js';
import { discover } from '../sessions/access.js';
import type { SenderCheckOptions } from '../sessions/context.js';

export const TEST_MARK = 'OCPI-SESSIONS-CHECK';

/** The test session: the caller's party, its token too, nothing charged, PENDING; for 2.1.1 (whose sessions carry
 * their Location) a demo location renamed after the mark. */
export function testSession(party: { countryCode: string; partyId: string }, now: number): Session {
  const demo = generateDemoSessions({ count: 1, seed: 17, emsps: [party], cpo: party, now }).next()
    .value as Session;
  return {
    ...party,
    id: `${TEST_MARK}-${now.toString(36).toUpperCase()}`,
    startDateTime: now - 60_000,
    kwh: 0,
    cdrToken: {
      ...party,
      uid: TEST_MARK,
      type: 'OTHER',
      contractId: `${party.countryCode}-${party.partyId}-${TEST_MARK}`,
    },
    authMethod: 'WHITELIST',
    locationId: TEST_MARK,
    evseUid: demo.evseUid,
    connectorId: demo.connectorId,
    ...(demo.location
      ? { location: { ...demo.location, id: TEST_MARK, name: `${TEST_MARK} test session` } }
      : {}),
    currency: 'EUR',
    chargingPeriods: [],
    status: 'PENDING',
    lastUpdated: now,
  };
}

export async function checkSessionsReceiver(o: SenderCheckOptions & { party: string }): Promise<CheckReport> {
  const started = Date.now();
  const prober = new Prober(o);
  const results = new Results(RECEIVER_CHECK_IDS);
  const probes: Probe[] = [];
  let reason = 'the Sessions RECEIVER endpoint was not found';
  let target: { url: string; version: OcpiVersion } | undefined;
  try {
    const found = await discover(
      o,
      prober,
      results,
      probes,
      { identifier: 'sessions', role: 'RECEIVER' },
      {
        endpoint: 'receiver.endpoint',
      },
    );
    if (found) {
      target = { url: found.sessionsUrl, version: found.version };
      reason = await writeChecks(prober, results, found, parsePartyKey(o.party)!, started);
    }
  } catch (e) {
    if (!(e instanceof BudgetSpent)) throw e;
    reason = e.message;
  }
  const about: CheckReport['target'] = {
    url: o.url,
    role: 'emsp',
    ...(target ? { sessionsUrl: target.url, version: target.version, style: 'ocpi' as const } : {}),
    party: o.party,
  };
  return makeReport(about, started, { made: prober.made, max: prober.max }, results.list(reason), []);
}

async function writeChecks(
  prober: Prober,
  results: Results,
  found: { sessionsUrl: string; version: OcpiVersion; encoding: 'raw' | 'base64' },
  party: { countryCode: string; partyId: string },
  now: number,
): Promise<string> {
  const session = testSession(party, now);
  const codec = codecFor(wireFormatFor('ocpi', found.version));
  const body = JSON.parse(codec.render(session)) as Record<string, unknown>;
  const url = `${found.sessionsUrl.replace(/\/$/, '')}/${party.countryCode}/${party.partyId}/${session.id}`;
  const call = (method: 'GET' | 'PUT' | 'PATCH', payload?: unknown, token?: string) =>
    prober.request(method, url, found.encoding, { body: payload, ...(token ? { token } : {}) });
  const ok = (p: Probe) => p.answer !== undefined && succeeded(p.answer);
  const said = (p: Probe) =>
    p.answer
      ? `HTTP ${p.answer.http}${p.answer.statusCode !== undefined ? `, OCPI ${p.answer.statusCode}` : ''}`
      : `no answer: ${p.evidence.error}`;

  const put = await call('PUT', body);
  if (!ok(put)) {
    results.fail('receiver.put', `PUT of test session ${session.id} refused: ${said(put)}`, [put.evidence]);
    return 'the test session could not be PUT';
  }
  results.pass('receiver.put', `test session ${session.id}: ${said(put)}`, [put.evidence]);

  const get = await call('GET');
  const data = get.answer?.data as { id?: unknown } | undefined;
  if (ok(get) && data?.id === session.id)
    results.pass('receiver.get', `${session.id} read back`, [get.evidence]);
  else results.fail('receiver.get', `GET gave ${said(get)}, id ${JSON.stringify(data?.id)}`, [get.evidence]);

  const patch = await call('PATCH', { kwh: 1.5, last_updated: formatDateTime(now + 1000) });
  const after = ok(patch) ? await call('GET') : undefined;
  const kwh = (after?.answer?.data as { kwh?: unknown } | undefined)?.kwh;
  if (!ok(patch)) results.fail('receiver.patch', `PATCH refused: ${said(patch)}`, [patch.evidence]);
  else if (kwh !== 1.5)
    results.fail('receiver.patch', `PATCH of kwh 1.5 accepted, read back kwh ${JSON.stringify(kwh)}`, [
      patch.evidence,
      after!.evidence,
    ]);
  else results.pass('receiver.patch', 'kwh 0 → 1.5 applied', [patch.evidence]);

  const wrong = await call('PUT', body, `ocpi-sessions-check-${randomUUID()}`);
  if (wrong.answer?.http === 401) results.pass('receiver.wrong-token', 'HTTP 401', [wrong.evidence]);
  else
    results.fail('receiver.wrong-token', `${said(wrong)} for an unknown token, not HTTP 401`, [
      wrong.evidence,
    ]);

  // Void the test session (not a check: the receiver keeps it, as INVALID).
  await call('PATCH', { status: 'INVALID', last_updated: formatDateTime(now + 2000) });
  return 'not reached';
}
