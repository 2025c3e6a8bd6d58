// Versions and Credentials module objects (OCPI 2.1.1 §version_information_endpoint + §credentials,
// 2.2.1 §6 Versions, §7 Credentials, 2.3.0 the same plus `hub_party_id`): schemas, parse and render.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Endpoint, ReachedParty, Role } from '../../../domain/party.js';
import { partyKey } from '../../../domain/session.js';
import type { OcpiVersion } from '../../../domain/wire-format.js';
import type { ParseResult } from '../../../wire/codec.js';
import { addSchemaIssues, IssueList } from '../../../wire/validate.js';

const Url = Type.String({ maxLength: 255, description: 'URL, string(255)' });
// OCPI 2.2.1 §7.3.1: token string(64), printable non-whitespace ASCII.
const Token = Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\x21-\\x7e]+$' });
const CountryCode = Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166 alpha-2, CiString(2)' });
const PartyId = Type.String({ pattern: '^[A-Za-z0-9]{3}$', description: 'CiString(3)' });
const BusinessDetails = Type.Object(
  {
    name: Type.String({ maxLength: 100 }),
    website: Type.Optional(Type.Union([Url, Type.Null()])),
  },
  { additionalProperties: true },
);

export const Credentials211Schema = Type.Object(
  { token: Token, url: Url, business_details: BusinessDetails, party_id: PartyId, country_code: CountryCode },
  { $id: 'OcpiCredentials211', title: 'OCPI 2.1.1 Credentials', additionalProperties: true },
);
export const CredentialsRoleSchema = Type.Object(
  {
    role: Type.String({ description: 'CPO, EMSP, HUB, NAP, NSP, OTHER, SCSP' }),
    business_details: BusinessDetails,
    party_id: PartyId,
    country_code: CountryCode,
  },
  { additionalProperties: true },
);
export const Credentials221Schema = Type.Object(
  { token: Token, url: Url, roles: Type.Array(CredentialsRoleSchema, { minItems: 1 }) },
  { $id: 'OcpiCredentials221', title: 'OCPI 2.2.1 Credentials', additionalProperties: true },
);
// OCPI 2.3.0 credentials §Credentials object: hub_party_id CiString(5), country code and party id concatenated, given
// by a platform doing Hub message routing; Role HUB is gone (types §Role: a hub lists the parties it reaches).
const HubPartyId = Type.String({
  pattern: '^[A-Za-z]{2}[A-Za-z0-9]{3}$',
  description: 'CiString(5): the Hub party of the platform, e.g. NLHUB',
});
const HUB_PARTY_ID_RULE =
  'must be one CiString(5): the Hub party as a 2-letter country code and a 3-character party id concatenated, e.g. NLHUB';
export const Credentials230Schema = Type.Object(
  {
    token: Token,
    url: Url,
    hub_party_id: Type.Optional(Type.Union([HubPartyId, Type.Null()])),
    roles: Type.Array(CredentialsRoleSchema, {
      minItems: 1,
      description: 'Roles of the platform; a Hub lists the parties it reaches (2.3.0)',
    }),
  },
  { $id: 'OcpiCredentials230', title: 'OCPI 2.3.0 Credentials', additionalProperties: true },
);

/** The schema of a Credentials object of one version (validation and OpenAPI). */
export function credentialsSchema(version: OcpiVersion) {
  return version === '2.1.1'
    ? Credentials211Schema
    : version === '2.2.1'
      ? Credentials221Schema
      : Credentials230Schema;
}

export const VersionSchema = Type.Object(
  { version: Type.String(), url: Url },
  { additionalProperties: true },
);
export const VersionListSchema = Type.Array(VersionSchema, { minItems: 1 });
export const EndpointSchema = Type.Object(
  {
    identifier: Type.String(),
    role: Type.Optional(Type.Union([Type.Literal('SENDER'), Type.Literal('RECEIVER')])),
    url: Url,
  },
  { additionalProperties: true },
);
export const VersionDetailsSchema = Type.Object(
  { version: Type.String(), endpoints: Type.Array(EndpointSchema, { minItems: 1 }) },
  { additionalProperties: true },
);

/** What a credentials object tells us about the other party. */
export interface PeerCredentials {
  token: string;
  url: string;
  countryCode: string;
  partyId: string;
  roles: Role[];
  businessName: string;
  /** OCPI 2.3.0: the Hub party (`CC-PID`) of a platform that routes messages for others; absent otherwise. */
  hubPartyId?: string;
  /** The CPO/EMSP roles its credentials list, each with its party (2.2.1/2.3.0; empty for 2.1.1). */
  parties: ReachedParty[];
}

const compiled = new Map<TSchema, ReturnType<typeof TypeCompiler.Compile>>();
function check<T extends TSchema>(schema: T, json: unknown): ParseResult<Static<T>> {
  let c = compiled.get(schema);
  if (!c) compiled.set(schema, (c = TypeCompiler.Compile(schema)));
  const issues = new IssueList();
  addSchemaIssues(c, json, issues);
  return issues.empty ? { ok: true, value: json as Static<T> } : { ok: false, issues: issues.items };
}

export function parseCredentials(version: OcpiVersion, json: unknown): ParseResult<PeerCredentials> {
  if (version === '2.1.1') {
    const r = check(Credentials211Schema, json);
    if (!r.ok) return r;
    const c = r.value;
    return {
      ok: true,
      value: {
        token: c.token,
        url: c.url,
        countryCode: c.country_code.toUpperCase(),
        partyId: c.party_id.toUpperCase(),
        roles: [],
        businessName: c.business_details.name,
        parties: [],
      },
    };
  }
  const r = check(credentialsSchema(version), json);
  if (!r.ok) {
    const hubRule = (got: unknown) => `${HUB_PARTY_ID_RULE} (got ${JSON.stringify(got)})`;
    const given = (json as { hub_party_id?: unknown } | null)?.hub_party_id;
    return {
      ok: false,
      issues: r.issues.map((i) => (i.path === '$.hub_party_id' ? { ...i, message: hubRule(given) } : i)),
    };
  }
  const c = r.value as Static<typeof Credentials230Schema>;
  // 2.2.1 has no hub_party_id: a 2.2.1 body carrying one is read without it (unknown fields are ignored).
  const hub =
    version === '2.3.0' && c.hub_party_id
      ? partyKey(c.hub_party_id.slice(0, 2), c.hub_party_id.slice(2))
      : undefined;
  // OCPI 2.2.1 §7.3.1: a platform may hold several roles; the first CPO/EMSP role names the partner, unless the
  // platform gives a Hub party (2.3.0 credentials: "The Hub party of this platform"), which then names it.
  const known = c.roles.filter((x) => x.role === 'CPO' || x.role === 'EMSP');
  const first = known[0] ?? c.roles[0]!;
  const parties = known.map((x) => ({ role: x.role as Role, key: partyKey(x.country_code, x.party_id) }));
  return {
    ok: true,
    value: {
      token: c.token,
      url: c.url,
      countryCode: (hub ?? first.country_code).slice(0, 2).toUpperCase(),
      partyId: (hub ? hub.slice(3) : first.party_id).toUpperCase(),
      roles: [...new Set(known.map((x) => x.role as Role))],
      businessName: first.business_details.name,
      ...(hub ? { hubPartyId: hub } : {}),
      parties: parties.filter((p, i) => parties.findIndex((q) => q.role === p.role && q.key === p.key) === i),
    },
  };
}

export interface OwnParty {
  countryCode: string;
  partyId: string;
  roles: Role[];
  name: string;
  website?: string;
}

export function renderCredentials(
  version: OcpiVersion,
  token: string,
  versionsUrl: string,
  us: OwnParty,
): unknown {
  const business = { name: us.name, ...(us.website ? { website: us.website } : {}) };
  if (version === '2.1.1') {
    return {
      token,
      url: versionsUrl,
      business_details: business,
      party_id: us.partyId,
      country_code: us.countryCode,
    };
  }
  return {
    token,
    url: versionsUrl,
    roles: us.roles.map((role) => ({
      role,
      business_details: business,
      party_id: us.partyId,
      country_code: us.countryCode,
    })),
  };
}

export function parseVersionList(json: unknown): ParseResult<Array<{ version: string; url: string }>> {
  return check(VersionListSchema, json);
}

export function parseVersionDetails(json: unknown): ParseResult<{ version: string; endpoints: Endpoint[] }> {
  return check(VersionDetailsSchema, json);
}
