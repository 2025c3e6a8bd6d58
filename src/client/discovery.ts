// Finding a CPO's Sessions sender endpoint (OCPI 2.1.1 version_information_endpoint / 2.2.1 §6 Versions module).
//
// The URL given may be
// - a sessions URL (its path ends with `/sessions`): taken as it is;
// - a versions URL: its `data` is a list of {version, url}; the highest version both sides support is chosen
//   (2.2.1 > 2.1.1, or the one asked for), then its version details are read;
// - a version details URL: its `data` is {version, endpoints: [{identifier, role?, url}]}.
// In the details, OCPI 2.2.1 §6.2.2 names the module `sessions` with role SENDER on a CPO (RECEIVER is the
// eMSP side); OCPI 2.1.1 endpoints have no role. Relative URLs are resolved against the URL that served them.
import { VERSION_PREFERENCE, type OcpiVersion } from '../domain/wire-format.js';
import { OcpiHttpError, type OcpiClient } from './transport.js';

export interface SessionsEndpoint {
  url: string;
  /** undefined when a sessions URL was given without --version and its path names no version. */
  version: OcpiVersion | undefined;
  via: 'direct' | 'versions' | 'details';
}

/** True when the URL's path ends with `/sessions` (a Sessions endpoint given directly). */
export function isSessionsUrl(url: string): boolean {
  try {
    return /\/sessions\/?$/i.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

/** The version a URL names in a path segment (`…/2.2.1/sessions`), if any. */
export function versionInPath(url: string): OcpiVersion | undefined {
  try {
    const segments = new URL(url).pathname.split('/');
    return VERSION_PREFERENCE.find((v) => segments.includes(v));
  } catch {
    return undefined;
  }
}

export async function discoverSessionsEndpoint(
  http: OcpiClient,
  url: string,
  wanted?: OcpiVersion,
): Promise<SessionsEndpoint> {
  if (isSessionsUrl(url)) return { url, version: wanted ?? versionInPath(url), via: 'direct' };
  const first = await http.get(url);
  const data = first.envelope.data;
  if (Array.isArray(data)) {
    const offered = new Map<string, string>();
    for (const item of data) {
      const v = field(item, 'version');
      const u = field(item, 'url');
      if (v && u) offered.set(v, resolve(u, first.url, url));
    }
    const candidates = wanted ? [wanted] : VERSION_PREFERENCE;
    const version = candidates.find((v) => offered.has(v));
    if (!version) {
      const list = [...offered.keys()].join(', ') || 'none';
      throw new OcpiHttpError(
        'protocol',
        url,
        wanted
          ? `the peer does not offer OCPI ${wanted} (it offers: ${list})`
          : `no OCPI version in common: the peer offers ${list}; we speak ${VERSION_PREFERENCE.join(', ')}`,
      );
    }
    const details = await http.get(offered.get(version)!);
    return { url: sessionsIn(details.envelope.data, details.url, version), version, via: 'versions' };
  }
  if (data && typeof data === 'object' && 'endpoints' in data) {
    const v = field(data, 'version');
    const version = VERSION_PREFERENCE.find((s) => s === v) ?? wanted;
    if (wanted && v && v !== wanted)
      throw new OcpiHttpError('protocol', url, `${url} describes OCPI ${v}, not ${wanted}`);
    return { url: sessionsIn(data, first.url, version), version, via: 'details' };
  }
  throw new OcpiHttpError(
    'protocol',
    url,
    `${url} is neither a versions list, version details nor a sessions URL (path ending in /sessions)`,
  );
}

function sessionsIn(data: unknown, base: string, version: OcpiVersion | undefined): string {
  const endpoints =
    data && typeof data === 'object' ? (data as { endpoints?: unknown }).endpoints : undefined;
  if (!Array.isArray(endpoints))
    throw new OcpiHttpError('protocol', base, `version details at ${base} list no endpoints`);
  const sessions = endpoints.filter((e) => field(e, 'identifier')?.toLowerCase() === 'sessions');
  // OCPI 2.2.1 §6.2.2.1: the role of the endpoint. We pull from the SENDER; no role (2.1.1) is fine too.
  const sender =
    sessions.find((e) => field(e, 'role')?.toUpperCase() === 'SENDER') ??
    sessions.find((e) => field(e, 'role') === undefined);
  const url = sender ? field(sender, 'url') : undefined;
  if (!url) {
    const why =
      sessions.length > 0
        ? 'only a sessions RECEIVER endpoint (an eMSP, not a CPO)'
        : `no sessions endpoint${version ? ` for OCPI ${version}` : ''}`;
    throw new OcpiHttpError('protocol', base, `the peer's version details at ${base} list ${why}`);
  }
  return resolve(url, base, base);
}

function field(obj: unknown, name: string): string | undefined {
  if (!obj || typeof obj !== 'object') return undefined;
  const v = (obj as Record<string, unknown>)[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function resolve(ref: string, base: string, what: string): string {
  try {
    return new URL(ref, base).toString();
  } catch {
    throw new OcpiHttpError('protocol', what, `not a URL: ${ref}`);
  }
}
