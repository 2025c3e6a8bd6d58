// Version discovery (OCPI 2.1.1 version_information_endpoint / 2.2.1 §6 Versions module), for any module: read a
// versions list → choose a version → read its version details → pick the endpoint for {identifier, role}.
//
// The URL given to discoverEndpoint may be
// - the module's endpoint itself (its path ends with `/<identifier>`): taken as it is;
// - a versions URL: its `data` is a list of {version, url}; the most preferred version both sides support is
//   chosen (VERSION_PREFERENCE, or the one asked for), then its version details are read;
// - a version details URL: its `data` is {version, endpoints: [{identifier, role?, url}]}.
// discoverVersion takes a versions URL and gives the whole endpoint list of the chosen version (registration).
// Relative URLs are resolved against the URL that served them. The documents are read through the caller's
// `read` (its transport, token encodings and errors); what cannot be used is a DiscoveryError.
import type { Endpoint } from '../domain/party.js';
import { VERSION_PREFERENCE, type OcpiVersion } from '../domain/wire-format.js';
import { OcpiHttpError } from './transport.js';

/** A module interface of the peer: OCPI 2.2.1 §6.2.2 identifier and role (2.1.1 endpoints have no role). */
export interface InterfaceRef {
  identifier: string;
  role: NonNullable<Endpoint['role']>;
}

/** A document read: the URL that answered (relative URLs resolve against it) and the envelope's `data`. */
export interface DiscoveryDocument {
  url: string;
  data: unknown;
}

/** Reads the document at `url`: the URL given (`chosen` undefined), or the details of the `chosen` version. */
export type ReadDocument = (url: string, chosen?: OcpiVersion) => Promise<DiscoveryDocument>;

export interface DiscoveredEndpoint {
  url: string;
  /** undefined when the endpoint URL was given without a version and its path names none. */
  version: OcpiVersion | undefined;
  via: 'direct' | 'versions' | 'details';
}

export interface VersionEndpoints {
  version: OcpiVersion;
  /** The version details URL that answered. */
  url: string;
  /** As the peer listed them (URLs not resolved). */
  endpoints: Endpoint[];
}

/** What discovery could not use: `no-version` (none in common, see `offered`), `not-a-url`, `unusable`. */
export class DiscoveryError extends OcpiHttpError {
  constructor(
    readonly reason: 'no-version' | 'not-a-url' | 'unusable',
    url: string,
    message: string,
    /** The versions the peer offers (reason `no-version`). */
    readonly offered: string[] = [],
  ) {
    super('protocol', url, message);
  }
}

/** True when the URL's path ends with `/<identifier>` (the module's endpoint given directly). */
export function isEndpointUrl(url: string, identifier: string): boolean {
  try {
    const path = new URL(url).pathname.replace(/\/$/, '').toLowerCase();
    return path.endsWith(`/${identifier.toLowerCase()}`);
  } catch {
    return false;
  }
}

/** The version a URL names in a path segment (`…/2.2.1/<module>`), if any. */
export function versionInPath(url: string): OcpiVersion | undefined {
  try {
    const segments = new URL(url).pathname.split('/');
    return VERSION_PREFERENCE.find((v) => segments.includes(v));
  } catch {
    return undefined;
  }
}

/** The endpoint of `module` from a versions URL, a version details URL or the endpoint URL itself. */
export async function discoverEndpoint(
  read: ReadDocument,
  url: string,
  module: InterfaceRef,
  wanted?: OcpiVersion,
): Promise<DiscoveredEndpoint> {
  if (isEndpointUrl(url, module.identifier))
    return { url, version: wanted ?? versionInPath(url), via: 'direct' };
  const first = await read(url);
  const data = first.data;
  if (Array.isArray(data)) {
    const details = await readChosenDetails(read, first, url, wanted);
    return {
      url: endpointUrl(details.data, details.url, module, details.version),
      version: details.version,
      via: 'versions',
    };
  }
  if (data && typeof data === 'object' && 'endpoints' in data) {
    const v = field(data, 'version');
    const version = VERSION_PREFERENCE.find((s) => s === v) ?? wanted;
    if (wanted && v && v !== wanted)
      throw new DiscoveryError('unusable', url, `${url} describes OCPI ${v}, not ${wanted}`);
    return { url: endpointUrl(data, first.url, module, version), version, via: 'details' };
  }
  const id = module.identifier;
  throw new DiscoveryError(
    'unusable',
    url,
    `${url} is neither a versions list, version details nor a ${id} URL (path ending in /${id})`,
  );
}

/** The versions list at `url` → the chosen version → its details: every endpoint of that version. */
export async function discoverVersion(
  read: ReadDocument,
  url: string,
  wanted?: OcpiVersion,
): Promise<VersionEndpoints> {
  const details = await readChosenDetails(read, await read(url), url, wanted);
  const endpoints: Endpoint[] = [];
  for (const e of listedEndpoints(details.data, details.url)) {
    const identifier = field(e, 'identifier');
    const endpointUrl = field(e, 'url');
    const role = field(e, 'role');
    if (identifier && endpointUrl)
      endpoints.push({
        identifier,
        ...(role === 'SENDER' || role === 'RECEIVER' ? { role } : {}),
        url: endpointUrl,
      });
  }
  return { version: details.version, url: details.url, endpoints };
}

/** Chooses the version from a versions list and reads its details. */
async function readChosenDetails(
  read: ReadDocument,
  list: DiscoveryDocument,
  url: string,
  wanted: OcpiVersion | undefined,
): Promise<DiscoveryDocument & { version: OcpiVersion }> {
  if (!Array.isArray(list.data)) throw new DiscoveryError('unusable', url, `${url} is not a versions list`);
  const offered = new Map<string, string>();
  for (const item of list.data) {
    const v = field(item, 'version');
    const u = field(item, 'url');
    if (v && u && !offered.has(v)) offered.set(v, u);
  }
  const candidates = wanted ? [wanted] : VERSION_PREFERENCE;
  const version = candidates.find((v) => offered.has(v));
  if (!version) {
    const names = [...offered.keys()];
    const named = names.join(', ') || 'none';
    throw new DiscoveryError(
      'no-version',
      url,
      wanted
        ? `the peer does not offer OCPI ${wanted} (it offers: ${named})`
        : `no OCPI version in common: the peer offers ${named}; we speak ${VERSION_PREFERENCE.join(', ')}`,
      names,
    );
  }
  const details = await read(resolve(offered.get(version)!, list.url, url), version);
  return { ...details, version };
}

function listedEndpoints(data: unknown, base: string): unknown[] {
  const endpoints =
    data && typeof data === 'object' ? (data as { endpoints?: unknown }).endpoints : undefined;
  if (!Array.isArray(endpoints))
    throw new DiscoveryError('unusable', base, `version details at ${base} list no endpoints`);
  return endpoints;
}

/** The URL of `module`'s endpoint in version details, resolved against `base`. */
function endpointUrl(
  data: unknown,
  base: string,
  module: InterfaceRef,
  version: OcpiVersion | undefined,
): string {
  const { identifier, role } = module;
  const same = listedEndpoints(data, base).filter(
    (e) => field(e, 'identifier')?.toLowerCase() === identifier.toLowerCase(),
  );
  // OCPI 2.2.1 §6.2.2.1: the role of the endpoint; one without a role (2.1.1) is fine too.
  const chosen =
    same.find((e) => field(e, 'role')?.toUpperCase() === role) ??
    same.find((e) => field(e, 'role') === undefined);
  const url = chosen ? field(chosen, 'url') : undefined;
  if (!url) {
    const other = role === 'SENDER' ? 'RECEIVER' : 'SENDER';
    const why =
      same.length > 0
        ? `only a ${identifier} ${other} endpoint, no ${role}`
        : `no ${identifier} endpoint${version ? ` for OCPI ${version}` : ''}`;
    throw new DiscoveryError('unusable', base, `the peer's version details at ${base} list ${why}`);
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
    throw new DiscoveryError('not-a-url', what, `not a URL: ${ref}`);
  }
}
