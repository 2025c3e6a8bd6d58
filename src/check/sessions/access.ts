// Versions and version details (discovery of the Sessions SENDER) and authorization: which token encodings are
// accepted, what a wrong token gets.
import { randomUUID } from 'node:crypto';
import type { TokenEncoding } from '../../domain/party.js';
import { defaultEncoding, otherEncoding } from '../../domain/token-encoding.js';
import type { OcpiVersion } from '../../domain/wire-format.js';
import { discoverEndpoint, isEndpointUrl, versionInPath, type InterfaceRef } from '../../client/discovery.js';
import { OcpiHttpError, refused, succeeded } from '../../client/transport.js';
import { adapterOf } from '../../modules/index.js';
import type { CheckId } from '../catalogue.js';
import type { Evidence } from '../model.js';
import type { Prober, Probe } from '../probe.js';
import type { Results } from '../results.js';
import { get, type Cx, type SenderCheckOptions } from './context.js';
import { pageUrl } from './pages.js';

export interface Found {
  sessionsUrl: string;
  version: OcpiVersion;
  encoding: TokenEncoding;
}

/** Finds the Sessions SENDER (versions.* checks), or the interface and checks given; undefined when it cannot be
 * found (the reason is in results). */
export async function discover(
  o: SenderCheckOptions,
  prober: Prober,
  results: Results,
  probes: Probe[],
  sender: InterfaceRef = adapterOf('sessions', 'pull').endpoint,
  ids: { list?: CheckId; endpoint: CheckId } = {
    list: 'versions.list',
    endpoint: 'versions.sessions-endpoint',
  },
): Promise<Found | undefined> {
  const first = o.version ?? versionInPath(o.url);
  let encoding = defaultEncoding(first);
  if (isEndpointUrl(o.url, sender.identifier)) {
    const why = 'the Sessions endpoint was given, not a versions URL';
    if (ids.list) results.undetermined(ids.list, why);
    results.undetermined(ids.endpoint, why);
    return { sessionsUrl: o.url, version: first ?? '2.2.1', encoding };
  }
  const evidence: Evidence[] = [];
  let reads = 0;
  let offered: string[] = [];
  const read = async (url: string) => {
    reads += 1;
    let p = await prober.get(url, encoding);
    probes.push(p);
    if (p.answer && refused(p.answer)) {
      encoding = otherEncoding(encoding);
      p = await prober.get(url, encoding);
      probes.push(p);
    }
    evidence.push(p.evidence);
    const a = p.answer;
    if (!a) throw new OcpiHttpError('protocol', url, `no answer from ${url}: ${p.evidence.error}`);
    if (!succeeded(a) || !a.envelope)
      throw new OcpiHttpError('http', url, `HTTP ${a.http}${a.statusCode ? `, OCPI ${a.statusCode}` : ''}`);
    if (reads === 1 && Array.isArray(a.data))
      offered = a.data.flatMap((v: unknown) =>
        v && typeof v === 'object' && typeof (v as { version?: unknown }).version === 'string'
          ? [(v as { version: string }).version]
          : [],
      );
    return { url: a.url, data: a.data };
  };
  try {
    const found = await discoverEndpoint(read, o.url, sender, o.version);
    const version = found.version ?? o.version ?? '2.2.1';
    if (ids.list)
      results.pass(
        ids.list,
        offered.length > 0
          ? `offers ${offered.join(', ')}; ${version} checked`
          : `version details of ${version}`,
        evidence.slice(0, 1),
      );
    results.pass(ids.endpoint, `Sessions ${sender.role} at ${found.url}`, evidence.slice(1));
    return { sessionsUrl: found.url, version, encoding };
  } catch (e) {
    if (!(e instanceof OcpiHttpError)) throw e;
    if (reads <= 1) {
      if (ids.list) results.fail(ids.list, e.message, evidence);
      if (ids.list) results.undetermined(ids.endpoint, 'the versions list could not be read');
      else results.fail(ids.endpoint, e.message, evidence);
    } else {
      if (ids.list) results.pass(ids.list, `offers ${offered.join(', ')}`, evidence.slice(0, 1));
      results.fail(ids.endpoint, e.message, evidence.slice(1));
    }
    return undefined;
  }
}

/** authorization.*: both encodings on one small page, then a wrong token. False when no encoding is accepted. */
export async function checkAuthorization(cx: Cx): Promise<boolean> {
  const url = pageUrl(cx.sessionsUrl, cx.window, 0, 1);
  const wanted = defaultEncoding(cx.version);
  const tried: Record<TokenEncoding, Probe> = {
    base64: await get(cx, url, undefined, 'base64'),
    raw: await get(cx, url, undefined, 'raw'),
  };
  const ok = (e: TokenEncoding) => tried[e].answer !== undefined && succeeded(tried[e].answer);
  const says = (e: TokenEncoding) => `${e === 'base64' ? 'Base64' : 'raw'} ${ok(e) ? 'accepted' : 'refused'}`;
  const detail = `${says('base64')}, ${says('raw')}`;
  const evidence = [tried.base64.evidence, tried.raw.evidence];
  if (ok(wanted)) {
    cx.results.pass('authorization.encoding', detail, evidence);
    cx.encoding = cx.accepted = wanted;
  } else {
    const other = otherEncoding(wanted);
    cx.results.fail(
      'authorization.encoding',
      `${detail}: OCPI ${cx.version} clients send the token ${wanted === 'base64' ? 'Base64-encoded' : 'raw'}`,
      evidence,
    );
    if (!ok(other)) return false;
    cx.encoding = cx.accepted = other;
  }
  const wrong = await get(cx, url, `ocpi-sessions-check-${randomUUID()}`, wanted);
  const a = wrong.answer;
  if (a?.http === 401) cx.results.pass('authorization.wrong-token', 'HTTP 401', [wrong.evidence]);
  else
    cx.results.fail(
      'authorization.wrong-token',
      a ? `HTTP ${a.http} for an unknown token, not 401` : `no answer: ${wrong.evidence.error}`,
      [wrong.evidence],
    );
  const code = a?.envelope?.statusCode;
  if (a?.envelope && code !== undefined && code >= 2000 && code < 3000)
    cx.results.pass('authorization.error-envelope', `OCPI ${code}`, [wrong.evidence]);
  else
    cx.results.fail(
      'authorization.error-envelope',
      a?.envelope ? `status_code ${code ?? '(none)'}, not 2xxx` : 'the refusal is not an OCPI envelope',
      [wrong.evidence],
    );
  return true;
}
