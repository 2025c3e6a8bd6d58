// Hostile input through real HTTP, generated with fast-check, on every route: sender GET, eMSP receiver
// GET/PUT/PATCH, ingest PUT/PATCH, credentials, versions, charging preferences, unknown paths.
// Generated: query strings, path segments, Authorization and routing headers, content types and bodies (wrong
// types, huge numbers, NaN/Infinity as raw JSON, deep nesting, invalid UTF-8, duplicate keys, __proto__ /
// constructor keys, overlong strings, invalid DateTimes, unknown enum values, truncated JSON, >1 MB bodies).
// Invariants for every request: never a 5xx; a well-formed OCPI envelope whose status_code matches the HTTP
// status; a rejected request leaves every table byte for byte unchanged; the process stays up; no prototype
// is polluted. FUZZ_RUNS=<factor> multiplies the number of runs; FUZZ_SEED=<n> replays a run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Session } from '../../src/domain/session.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { raw, type RawRequest } from '../support/http.js';
import {
  assertEnvelope,
  b64,
  closeSnapshots,
  CPOS,
  partyServer,
  snapshot,
  US,
  type PartyServer,
} from './helpers.js';

const FACTOR = Number(process.env.FUZZ_RUNS ?? 1);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const runs = (n: number) => Math.max(1, Math.round(n * FACTOR));
const counts: Record<string, number> = {};

// ---- hostile building blocks -------------------------------------------------------------------------------

/** A raw JSON fragment substituted into a body after JSON.stringify (what JSON.stringify cannot produce). */
class Raw {
  constructor(readonly text: string) {}
}
const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const HUGE = 'x'.repeat(100_000);

const RAW_FRAGMENTS = [
  '1e400',
  '-1e400',
  'NaN',
  'Infinity',
  '-Infinity',
  '01',
  '1.',
  '.5',
  '0x10',
  '123456789012345678901234567890',
  '"\\ud800"',
  '"\\u0000"',
  'undefined',
  deepArray(5000),
  deepObject(3000),
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '[1,2,,3]',
  '{"a":1,}',
].map((t) => new Raw(t));

const HOSTILE_CONSTANTS: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER,
  2 ** 53 + 1,
  '',
  ' ',
  'NaN',
  'Infinity',
  'null',
  [],
  {},
  [null],
  'active',
  'ACTIVE ',
  'UNKNOWN_VALUE',
  'COMPLETED\u0000',
  '2025-13-01T00:00:00Z',
  '2025-02-30T10:00:00Z',
  '2025-01-01T24:00:00Z',
  '2025-01-01T00:00:60Z',
  '99999-01-01T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '2025-01-01T00:00:00+14:00',
  '2025-01-01T00:00:00-99:00',
  '2025-01-01',
  '1e400',
  'x'.repeat(37),
  'x'.repeat(256),
  HUGE,
  '\u0000',
  '\ud800',
  '\u202e\u2066',
  '𝄞'.repeat(40),
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'hasOwnProperty',
];

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_CONSTANTS) },
  { weight: 2, arbitrary: fc.constantFrom(...RAW_FRAGMENTS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** JSON text of `value`, with Raw fragments substituted. */
function toText(value: unknown): string {
  const raws: Raw[] = [];
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Raw) {
      raws.push(v);
      return `\u0001RAW${raws.length - 1}\u0001`;
    }
    return v;
  });
  return text.replace(/"\\u0001RAW(\d+)\\u0001"/g, (_m, i: string) => raws[Number(i)]!.text);
}

type Json = Record<string, unknown>;

/** Every path (keys and array indexes) inside a JSON object, the object itself excluded (bounded depth). */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  if (value && typeof value === 'object' && !(value instanceof Raw) && prefix.length < 20) {
    for (const [k, v] of Object.entries(value)) {
      const p = [...prefix, Array.isArray(value) ? Number(k) : k];
      out.push(p);
      paths(v, p, out);
    }
  }
  return out;
}

/** A generated value as a fresh copy: fc.constantFrom hands out the same `{}` / `[]` every time. */
const fresh = (v: unknown) =>
  v instanceof Raw || v === null || typeof v !== 'object' ? v : structuredClone(v);

type Mutation =
  | { kind: 'set'; at: number; value: unknown }
  | { kind: 'delete'; at: number }
  | { kind: 'add'; key: string; value: unknown };

const KEYS = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'id',
    'country_code',
    'kwh',
    'x'.repeat(300),
  ),
  fc.string({ maxLength: 12 }),
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: hostileValue }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('add' as const), key: KEYS, value: hostileValue }) },
);

function mutate(base: Json, ms: Mutation[]): Json {
  const body = structuredClone(base);
  for (const m of ms) {
    if (m.kind === 'add') {
      Object.defineProperty(body, m.key, {
        value: fresh(m.value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      continue;
    }
    const all = paths(body);
    if (all.length === 0) continue;
    const p = all[m.at % all.length]!;
    let parent: any = body;
    for (const k of p.slice(0, -1)) parent = parent[k];
    const last = p.at(-1)!;
    if (m.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else parent[last] = fresh(m.value);
  }
  return body;
}

/** Bodies that are not JSON objects, or not valid JSON, or not valid UTF-8. */
const JUNK_BODIES: (string | Buffer)[] = [
  '',
  'null',
  '[]',
  '"a string"',
  '42',
  '{',
  '{"id":',
  '{"id":"a"}}',
  '\ufeff{}',
  deepArray(100_000),
  deepObject(50_000),
  '{"__proto__":{"polluted":"yes"},"id":"x"}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), // {"id":"\xff\xfe"}
  Buffer.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d]), // overlong '/'
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]), // CESU surrogate
  Buffer.from('{"id":"a\u0000b"}'),
  Buffer.alloc(64, 0),
  `{"kwh":${'9'.repeat(5000)}}`,
  `[${'{},'.repeat(20_000)}{}]`,
  'x'.repeat(1_200_000), // over the 1 MB body limit
];

const junkBody = fc.oneof(
  fc.constantFrom(...JUNK_BODIES),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
);

/** A valid body mutated 1–3 times, as text; sometimes with a duplicate key or truncated. */
function bodyFrom(bases: Json[]): fc.Arbitrary<string | Buffer> {
  const mutated = fc
    .record({
      base: fc.nat({ max: bases.length - 1 }),
      ms: fc.array(mutation, { minLength: 0, maxLength: 3 }),
      dup: fc.option(
        fc.record({
          key: fc.constantFrom(
            'id',
            'country_code',
            'party_id',
            'last_updated',
            'kwh',
            'status',
            'cdr_token',
          ),
          value: hostileValue,
          first: fc.boolean(),
        }),
      ),
      cut: fc.option(fc.nat()),
    })
    .map(({ base, ms, dup, cut }) => {
      let text = toText(mutate(bases[base]!, ms));
      if (dup) {
        const pair = `"${dup.key}":${toText(dup.value)}`;
        text = dup.first ? `{${pair},${text.slice(1)}` : `${text.slice(0, -1)},${pair}}`;
      }
      if (cut !== null) text = text.slice(0, cut % Math.max(1, text.length));
      return text;
    });
  return fc.oneof({ weight: 6, arbitrary: mutated }, { weight: 2, arbitrary: junkBody });
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'Application/JSON',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '',
];
const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

/** Path segments: valid ones and hostile ones (already escaped for the request line). */
function segment(valid: string[]): fc.Arbitrary<string> {
  const caseVariants = valid.flatMap((v) => [
    v,
    v.toLowerCase(),
    v.toUpperCase(),
    v[0]!.toLowerCase() + v.slice(1),
  ]);
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...caseVariants) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'x'.repeat(37),
        'x'.repeat(2000),
        '%2F',
        '..',
        '.',
        '%2e%2e',
        '%00',
        '%ff',
        '%C0%AF',
        '%E2%82',
        '%',
        '%zz',
        '__proto__',
        'constructor',
        'hasOwnProperty',
        encodeURIComponent('𝄞é'),
        encodeURIComponent('a?b#c'),
        'a;b=c',
        '*',
        '%20',
      ),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map(encodeURIComponent) },
  );
}

function authHeaders(valid: string[]): fc.Arbitrary<string | undefined> {
  const good = valid.flatMap((t) => [
    `Token ${b64(t)}`,
    `Token ${t}`,
    `Token ${b64(`${t}\n`)}`,
    `token ${b64(t)}`,
  ]);
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...good) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        undefined,
        '',
        'Token',
        'Token ',
        'Bearer abc',
        'Basic dXNlcjpwYXNz',
        `Token ${'A'.repeat(600)}`,
        `Token ${'A'.repeat(8000)}`,
        'Token \xe9\xe9\xe9',
        'Token a b',
        'Token =====',
        `Token ${b64('\u0000\u0001')}`,
        'Token __proto__',
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .string({ unit: 'binary-ascii', maxLength: 80 })
        .map((s) => `Token ${s.replace(/[^\x20-\x7e]/g, '')}`),
    },
  );
}

const ROUTING = fc.option(
  fc.record(
    {
      'ocpi-from-country-code': fc.constantFrom('DE', 'de', 'FR', 'NL', '', 'XX', 'x'.repeat(100)),
      'ocpi-from-party-id': fc.constantFrom('EMP', 'emp', 'MSP', 'OCS', 'CPX', 'cpx', '', '__proto__'),
      'ocpi-to-country-code': fc.constantFrom('NL', 'nl', 'DE', ''),
      'ocpi-to-party-id': fc.constantFrom('OCS', 'ocs', 'EMP'),
      'x-request-id': fc.constantFrom('r-1', '', 'x'.repeat(500), '\xe9', '../x'),
      'x-correlation-id': fc.constantFrom('c-1', ' ', 'x'.repeat(129)),
    },
    { requiredKeys: [] },
  ),
);

function headersOf(
  auth: string | undefined,
  ct: string | undefined,
  extra: Record<string, string> | null,
  hasBody: boolean,
): Record<string, string> {
  const h: Record<string, string> = { ...(extra ?? {}) };
  if (auth !== undefined) h.authorization = auth;
  if (hasBody && ct !== undefined) h['content-type'] = ct;
  return h;
}

/** Query strings: the sender's parameters with hostile values, unknown and pollution keys, repetitions. */
const QUERY_VALUES = fc.oneof(
  fc.constantFrom(
    '2025-05-01T00:00:00Z',
    '2025-05-01T00:00:00',
    '2025-05-01T00:00:00.123456Z',
    '2025-05-01T00:00:00%2B02:00',
    '2025-05-01T00:00:00+02:00',
    '2025-13-01T00:00:00Z',
    '2025-02-30T00:00:00Z',
    '99999-01-01T00:00:00Z',
    '-1',
    '0',
    '1',
    '1.5',
    '1e3',
    '1e400',
    '0x10',
    '%201',
    'NaN',
    'Infinity',
    '',
    '9007199254740993',
    '99999999999999999999',
    '%00',
    '%ff',
    '%E2%82',
    '%',
    'a,b',
    'true',
    '[]',
    '{}',
  ),
  fc.string({ unit: 'binary', maxLength: 30 }).map(encodeURIComponent),
  fc.integer().map(String),
);
const QUERY_KEYS = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('date_from', 'date_to', 'offset', 'limit') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '__proto__',
      'constructor',
      'constructor[prototype][x]',
      'offset[]',
      'limit[0]',
      'toString',
      'x'.repeat(300),
      '%ff',
      'a.b',
    ),
  },
);
const queryString = fc
  .array(fc.tuple(QUERY_KEYS, QUERY_VALUES), { maxLength: 5 })
  .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : ''));

// ---- the run ------------------------------------------------------------------------------------------------

describe('fuzzing every route through real HTTP', () => {
  let p: PartyServer;
  let base: string;
  let emspTokens: string[];
  let cpoTokens: string[];
  let all: string[];
  const ids = new Set<string>();

  before(async () => {
    // The server runs in this process: whatever URL a generated credentials body smuggles through, no request
    // leaves loopback (the outgoing OCPI client uses fetch).
    const realFetch = globalThis.fetch;
    globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
        return Promise.reject(new TypeError(`test: refusing a non-loopback request to ${url.host}`));
      }
      return realFetch(input, init);
    };
    p = await partyServer({}, 40);
    base = p.server.url;
    emspTokens = [p.tokens['DE-EMP']!, p.tokens['FR-MSP']!];
    cpoTokens = [p.tokens['BE-CPX']!, p.tokens['AT-CPC']!];
    all = [...emspTokens, ...cpoTokens, p.tokenA];
    for (const s of p.sessions.slice(0, 10)) ids.add(s.id);
    // Sessions already pushed to the receiver by each CPO partner, so GET and PATCH find something.
    for (const cpo of CPOS) {
      for (const [i, s] of p.sessions.slice(0, 3).entries()) {
        const v = { ...s, countryCode: cpo.countryCode, partyId: cpo.partyId, id: `r-${i}` };
        ids.add(v.id);
        const format = cpo.format === 'camel' ? 'camel-2.2.1' : 'ocpi-2.2.1';
        const r = await raw(base, {
          method: 'PUT',
          path: `/ocpi/emsp/2.2.1/sessions/${cpo.countryCode}/${cpo.partyId}/${v.id}`,
          headers: {
            authorization: `Token ${b64(p.tokens[`${cpo.countryCode}-${cpo.partyId}`]!)}`,
            'content-type': 'application/json',
          },
          body: codecFor(format).render(v),
        });
        assert.equal(r.status, 201, r.text);
      }
    }
  });

  after(async () => {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(
      `fuzz: ${total} generated HTTP requests (${Object.entries(counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    );
    await p.server.close();
    closeSnapshots();
  });

  /** Sends one request and checks every invariant. */
  async function check(name: string, req: RawRequest): Promise<void> {
    counts[name] = (counts[name] ?? 0) + 1;
    const before = snapshot(p.file);
    const res = await raw(base, req);
    const { statusCode } = assertEnvelope(res, `${req.method} ${req.path.slice(0, 200)}`, req.method);
    const rejected = res.status >= 400 || statusCode !== 1000 || /Not applied/.test(res.text);
    if (rejected || req.method === 'GET' || req.method === 'HEAD') {
      assert.equal(
        snapshot(p.file),
        before,
        `${req.method} ${req.path} changed the store but answered ${res.status} ${res.text.slice(0, 200)}`,
      );
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype polluted');
  }

  const property = <T>(arb: fc.Arbitrary<T>, fn: (x: T) => Promise<void>, numRuns: number) =>
    fc.assert(fc.asyncProperty(arb, fn), {
      numRuns: runs(numRuns),
      includeErrorInReport: true,
      ...(SEED === undefined ? {} : { seed: SEED }),
    });

  it('sender GET: query strings, tokens, routing headers', async () => {
    await property(
      fc.record({
        version: fc.constantFrom('2.1.1', '2.2.1'),
        suffix: fc.constantFrom('', '/', '//', ';x', '/%2e'),
        q: queryString,
        auth: authHeaders(all),
        extra: ROUTING,
        method: fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'),
      }),
      ({ version, suffix, q, auth, extra, method }) =>
        check('sender', {
          method,
          path: `/ocpi/cpo/${version}/sessions${suffix}${q}`,
          headers: headersOf(auth, undefined, extra, false),
        }),
      600,
    );
  });

  it('eMSP receiver GET/PUT/PATCH: path segments, bodies, content types, tokens', async () => {
    const bases: Json[] = [];
    const cpoFor = (s: Session, cpo: (typeof CPOS)[number]) => ({
      ...s,
      countryCode: cpo.countryCode,
      partyId: cpo.partyId,
      id: 'r-0',
    });
    for (const cpo of CPOS) {
      for (const s of p.sessions.slice(0, 4)) {
        const style = cpo.format === 'camel' ? 'camel' : 'ocpi';
        bases.push(JSON.parse(codecFor(`${style}-2.2.1`).render(cpoFor(s, cpo))));
        bases.push(JSON.parse(codecFor(`${style}-2.1.1`).render(cpoFor(s, cpo))));
      }
    }
    await property(
      fc.record({
        version: fc.constantFrom('2.1.1', '2.2.1'),
        cc: segment(['BE', 'AT', 'NL', 'DE']),
        pid: segment(['CPX', 'CPC', 'OCS', 'EMP']),
        id: segment([...ids]),
        method: fc.constantFrom('PUT', 'PUT', 'PATCH', 'PATCH', 'GET', 'DELETE', 'POST'),
        body: bodyFrom(bases),
        ct: contentType,
        auth: authHeaders([...cpoTokens, ...cpoTokens, emspTokens[0]!, p.tokenA]),
        extra: ROUTING,
      }),
      ({ version, cc, pid, id, method, body, ct, auth, extra }) => {
        const hasBody = method !== 'GET';
        return check('receiver', {
          method,
          path: `/ocpi/emsp/${version}/sessions/${cc}/${pid}/${id}`,
          headers: headersOf(auth, ct, extra, hasBody),
          ...(hasBody ? { body } : {}),
        });
      },
      900,
    );
  });

  it('ingest PUT/PATCH: path segments, bodies, content types, tokens', async () => {
    const bases = p.sessions.slice(0, 6).map((s) => JSON.parse(codecFor('ocpi-2.2.1').render(s)) as Json);
    // The ingest extension: a 2.1.1 Location in a 2.2.1 body.
    bases.push({
      ...bases[0]!,
      location: JSON.parse(codecFor('ocpi-2.1.1').render(p.sessions[0]!)).location,
    });
    await property(
      fc.record({
        cc: segment([US.countryCode, 'BE']),
        pid: segment([US.partyId, 'CPX']),
        id: segment(p.sessions.slice(0, 6).map((s) => s.id)),
        method: fc.constantFrom('PUT', 'PATCH', 'PATCH', 'GET', 'DELETE'),
        body: bodyFrom(bases),
        ct: contentType,
        auth: authHeaders([p.ingest, p.ingest, p.ingest, emspTokens[0]!]),
      }),
      ({ cc, pid, id, method, body, ct, auth }) => {
        const hasBody = method !== 'GET';
        return check('ingest', {
          method,
          path: `/ingest/2.2.1/sessions/${cc}/${pid}/${id}`,
          headers: headersOf(auth, ct, null, hasBody),
          ...(hasBody ? { body } : {}),
        });
      },
      500,
    );
  });

  it('credentials GET/POST/PUT/DELETE: bodies (unreachable, loopback-only URLs), tokens', async () => {
    const role = { role: 'EMSP', business_details: { name: 'Peer' }, party_id: 'PEE', country_code: 'BE' };
    const bases: Json[] = [
      { token: 'their-token', url: 'http://127.0.0.1:9/versions', roles: [role] },
      {
        token: 'their-token',
        url: 'http://127.0.0.1:9/versions',
        business_details: { name: 'P' },
        party_id: 'PEE',
        country_code: 'BE',
      },
    ];
    // Never let a generated URL leave loopback: every string anywhere in the body that looks like a URL is
    // replaced by an unreachable loopback one.
    const safe = (text: string | Buffer) =>
      // (Bounded scheme length: an unbounded one backtracks quadratically over the 1 MB junk bodies.)
      typeof text === 'string' && text.includes('://')
        ? text.replace(/[a-z0-9+.-]{1,20}:\/\/[^"]*/gi, 'http://127.0.0.1:9/x')
        : text;
    await property(
      fc.record({
        version: fc.constantFrom('2.1.1', '2.2.1'),
        method: fc.constantFrom('GET', 'POST', 'POST', 'PUT', 'DELETE'),
        body: bodyFrom(bases).map(safe),
        ct: contentType,
        tokenA: fc.boolean(),
        auth: authHeaders(all),
      }),
      ({ version, method, body, ct, tokenA, auth }) => {
        // DELETE with a registered partner's token unregisters it (a valid, accepted request): only token A
        // (405) and invalid tokens here, so the partners the other properties use stay.
        const a =
          method === 'DELETE' || tokenA
            ? auth?.includes(b64(p.tokenA))
              ? auth
              : `Token ${b64(p.tokenA)}`
            : auth;
        const hasBody = method === 'POST' || method === 'PUT';
        return check('credentials', {
          method,
          path: `/ocpi/${version}/credentials`,
          headers: headersOf(method === 'DELETE' && !tokenA ? 'Token nope' : a, ct, null, hasBody),
          ...(hasBody ? { body } : {}),
          timeoutMs: 20_000,
        });
      },
      300,
    );
  });

  it('versions: every token kind, unknown versions', async () => {
    await property(
      fc.record({
        path: fc.constantFrom(
          '/ocpi/versions',
          '/ocpi/2.1.1',
          '/ocpi/2.2.1',
          '/ocpi/2.0',
          '/ocpi/9.9.9',
          '/ocpi/versions/',
          '/ocpi/2.2.1/',
          '/ocpi/%32.2.1',
        ),
        q: queryString,
        auth: authHeaders(all),
        method: fc.constantFrom('GET', 'GET', 'PUT', 'HEAD'),
      }),
      ({ path, q, auth, method }) =>
        check('versions', { method, path: `${path}${q}`, headers: headersOf(auth, undefined, null, false) }),
      150,
    );
  });

  it('charging preferences PUT: session ids, bodies, tokens', async () => {
    const bases: Json[] = [
      {
        profile_type: 'FAST',
        departure_time: '2030-01-01T00:00:00Z',
        energy_need: 10,
        discharge_allowed: true,
      },
      { profile_type: 'GREEN' },
    ];
    await property(
      fc.record({
        id: segment(p.sessions.slice(0, 10).map((s) => s.id)),
        body: bodyFrom(bases),
        ct: contentType,
        auth: authHeaders([...emspTokens, ...emspTokens, cpoTokens[0]!]),
        extra: ROUTING,
        method: fc.constantFrom('PUT', 'PUT', 'PUT', 'GET', 'PATCH'),
      }),
      ({ id, body, ct, auth, extra, method }) =>
        check('charging_preferences', {
          method,
          path: `/ocpi/cpo/2.2.1/sessions/${id}/charging_preferences`,
          headers: headersOf(auth, ct, extra, method !== 'GET'),
          ...(method !== 'GET' ? { body } : {}),
        }),
      300,
    );
  });

  it('unknown and malformed paths', async () => {
    const segs = fc.array(
      segment(['ocpi', 'cpo', 'emsp', '2.2.1', 'sessions', 'ingest', 'versions', 'health', 'docs']),
      { maxLength: 7 },
    );
    await property(
      fc.record({
        segs,
        q: queryString,
        auth: authHeaders(all),
        method: fc.constantFrom('GET', 'PUT', 'POST', 'PATCH', 'DELETE', 'HEAD'),
      }),
      ({ segs, q, auth, method }) => {
        const path = `/${segs.join('/')}${q}`;
        // The docs UI serves HTML and JavaScript by design; everything else is an envelope.
        if (/^\/+docs/i.test(path) || /^\/+openapi\.json/i.test(path)) return Promise.resolve();
        return check('paths', {
          method,
          path,
          headers: headersOf(auth, 'application/json', null, method !== 'GET' && method !== 'HEAD'),
          ...(method !== 'GET' && method !== 'HEAD' ? { body: '{}' } : {}),
        });
      },
      200,
    );
  });

  it('is still up and serving correct data afterwards', async () => {
    const h = await raw(base, { method: 'GET', path: '/health' });
    assert.equal(h.status, 200);
    const list = await raw(base, {
      method: 'GET',
      path: '/ocpi/cpo/2.2.1/sessions?limit=1000',
      headers: { authorization: `Token ${b64(p.tokens['DE-EMP']!)}` },
    });
    assert.equal(list.status, 200);
    for (const s of list.json.data) assert.equal(s.cdr_token.party_id, 'EMP');
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
    assert.deepEqual(Object.keys(Object.prototype), []);
  });
});
