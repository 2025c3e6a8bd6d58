// Shared helpers of the pull/export tests.
import assert from 'node:assert/strict';
import type { Session } from '../../src/domain/session.js';
import type { WireFormat } from '../../src/domain/wire-format.js';
import { generateDemoSessions, type DemoParty } from '../../src/demo/demo-data.js';
import type { SessionStore } from '../../src/store/contract.js';
import type { ParseContext } from '../../src/wire/codec.js';
import { codecFor } from '../../src/modules/sessions/wire/codecs.js';
import { writeSessions } from '../../src/modules/sessions/service/writer.js';
import { addPartner } from '../../src/service/partners.js';
import { startTestServer, type TestServer } from '../support/server.js';

export const NOW = Date.UTC(2025, 5, 1);
export const CPO = { countryCode: 'NL', partyId: 'OCS' };
export const EMSP = { countryCode: 'NL', partyId: 'EMS' };
/** Fast retries for tests: the policy is the same, only the numbers are small. */
export const FAST_RETRY = { retries: 4, baseMs: 1, maxMs: 4, budgetMs: 10_000 };

export function demoSessions(count: number, emsps: DemoParty[] = [EMSP], seed = 11): Session[] {
  return [...generateDemoSessions({ count, seed, emsps, cpo: CPO, now: NOW })];
}

/** What a session becomes after a trip through a wire format (what that format cannot carry is lost). */
export function throughFormat(s: Session, format: WireFormat, ctx: ParseContext): Session {
  const codec = codecFor(format);
  const r = codec.parse(JSON.parse(codec.render(s)), ctx);
  if (!r.ok) throw new Error(`${s.id} does not survive ${format}: ${JSON.stringify(r.issues)}`);
  return plain(r.value);
}

/** The JSON view of a value (no undefined members): how the store gives sessions back. */
export function plain<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export async function allStored(store: SessionStore): Promise<Session[]> {
  const out: Session[] = [];
  let after = 0;
  for (;;) {
    const rows = await store.scanSessions(after, 500);
    if (rows.length === 0) return out;
    out.push(...rows.map((r) => r.session));
    after = rows[rows.length - 1]!.seq;
  }
}

export const byId = (a: Session, b: Session) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The store holds exactly `expected` (each once), as they read after a trip through `format`. */
export async function assertStoredExactly(
  store: SessionStore,
  expected: Session[],
  format: WireFormat = 'ocpi-2.2.1',
): Promise<void> {
  const stored = (await allStored(store)).sort(byId);
  const want = expected.map((s) => throughFormat(s, format, { cpo: CPO, emsp: EMSP })).sort(byId);
  assert.equal(stored.length, want.length, 'number of stored sessions');
  assert.equal(new Set(stored.map((s) => s.id)).size, stored.length, 'each session once');
  assert.deepEqual(stored, want);
}

/** Two partners of a real server: NL-EMS gets standard OCPI, DE-EMP the camelCase format. */
export const PARTNERS = {
  ocpi: { countryCode: 'NL', partyId: 'EMS', token: 'nl-ems-token' },
  camel: { countryCode: 'DE', partyId: 'EMP', token: 'de-emp-token' },
} as const;

/** A real server holding `count` demo sessions of NL-EMS, DE-EMP and FR-MSP, with PARTNERS registered. */
export async function serverWithPartners(count: number, maxLimit: number): Promise<TestServer> {
  const server = await startTestServer({ maxLimit });
  const sessions = demoSessions(count, [
    { countryCode: 'NL', partyId: 'EMS' },
    { countryCode: 'DE', partyId: 'EMP' },
    { countryCode: 'FR', partyId: 'MSP' },
  ]);
  // The partners first: the formats they read are stored as the sessions are written (issue 16).
  for (const [format, p] of Object.entries(PARTNERS))
    await addPartner(server.store, {
      countryCode: p.countryCode,
      partyId: p.partyId,
      format: format as 'ocpi',
      token: p.token,
    });
  await writeSessions(server.store, sessions, { mode: 'replace' });
  return server;
}

/** `pull` of NL-EMS's 2.2.1 sessions from `serverUrl` into `db`, as partner `key`, in batches of `commitEvery`. */
export function batchedPullArgs(
  serverUrl: string,
  db: string,
  key: string,
  page: number,
  commitEvery: number,
): string[] {
  return [
    'pull',
    '--db',
    db,
    '--partner',
    key,
    '--url',
    `${serverUrl}/ocpi/cpo/2.2.1/sessions`,
    '--token',
    PARTNERS.ocpi.token,
    '--page-size',
    String(page),
    '--commit-every',
    String(commitEvery),
    '--json',
  ];
}
