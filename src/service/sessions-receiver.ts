// Use cases: a session pushed to us (eMSP Sessions receiver, OCPI 2.1.1 §mod_sessions 3.2, 2.2.1 §9.2.2) and a
// session fed by the CPO's own back end (ingest, same rules as the 2.2.1 receiver).
import { applySessionPatch } from '../domain/session-patch.js';
import { partyKey, type Session } from '../domain/session.js';
import { sessionsEndpoint } from '../domain/party.js';
import { wireFormatFor, type OcpiVersion, type WireFormat } from '../domain/wire-format.js';
import type { SessionStore, StoredSession } from '../store/contract.js';
import type { ParseContext } from '../wire/codec.js';
import { codecFor } from '../wire/registry.js';
import { parseLocation211 } from '../wire/ocpi-2.1.1/location-parse.js';
import { toRecord } from './sessions-writer.js';

/** A rejected push, with the HTTP status and OCPI status_code to answer. */
export class ReceiveError extends Error {
  constructor(
    readonly http: number,
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Target {
  /** The party in the URL ({country_code}/{party_id}) and the session id. */
  countryCode: string;
  partyId: string;
  id: string;
  version: OcpiVersion;
  /** The wire format of the body (ocpi or camel style of `version`). */
  format: WireFormat;
  /** Who owns sessions of 2.1.1 bodies (they carry no cdr_token): the receiving eMSP. */
  emsp?: { countryCode: string; partyId: string };
  /** Ingest only: a 2.2.1 body may carry `location` (an OCPI 2.1.1 Location, as embedded in 2.1.1 sessions),
   *  so that 2.1.1 partners receive the full location. */
  acceptLocation?: boolean;
}

export interface ReceiveResult {
  outcome: 'created' | 'updated' | 'stale';
  session: Session;
}

const eq = (a: string, b: string) => a.toUpperCase() === b.toUpperCase();

/** Owners with a registered sessions receiver: their sessions are pushed (OCPI 2.2.1 §9.1 push model). */
export async function pushTargets(store: SessionStore): Promise<string[]> {
  return (await store.listPartners())
    .filter((p) => p.state === 'registered' && p.roles.includes('EMSP') && sessionsEndpoint(p, 'RECEIVER'))
    .map((p) => p.key);
}

function context(t: Target): ParseContext {
  return { cpo: { countryCode: t.countryCode, partyId: t.partyId }, emsp: t.emsp };
}

function checkIds(t: Target, s: { countryCode?: string; partyId?: string; id?: string }): void {
  // OCPI 2.2.1 §9.2.2.2: the URL ids SHALL equal those in the body; 2.2.1 §4.1 advises 2001 for a mismatch.
  if (s.id !== undefined && !eq(s.id, t.id))
    throw new ReceiveError(400, 2001, `Body id "${s.id}" differs from the URL id "${t.id}"`);
  if (s.countryCode !== undefined && !eq(s.countryCode, t.countryCode)) {
    throw new ReceiveError(
      400,
      2001,
      `Body country_code "${s.countryCode}" differs from the URL "${t.countryCode}"`,
    );
  }
  if (s.partyId !== undefined && !eq(s.partyId, t.partyId)) {
    throw new ReceiveError(400, 2001, `Body party_id "${s.partyId}" differs from the URL "${t.partyId}"`);
  }
}

function invalid(issues: { path: string; message: string }[]): ReceiveError {
  const text = issues
    .slice(0, 20)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
  return new ReceiveError(400, 2001, `Invalid session: ${text}`);
}

async function write(store: SessionStore, session: Session, mode: 'if-newer'): Promise<ReceiveResult> {
  const [outcome] = await store.putSessions([toRecord(session)], { mode, pushTo: await pushTargets(store) });
  return { outcome: outcome!, session };
}

/**
 * PUT: creates or replaces the whole session, charging periods included (OCPI 2.2.1 §9.2.2.2).
 * A body whose last_updated is older than the stored one is not applied (outcome 'stale'): a late, reordered
 * delivery must never roll a session back. Equal last_updated is applied (idempotent re-delivery).
 */
export async function receivePut(store: SessionStore, t: Target, body: unknown): Promise<ReceiveResult> {
  const parsed = codecFor(t.format).parseSession(body, context(t));
  if (!parsed.ok) throw invalid(parsed.issues);
  const s = parsed.value;
  if (t.acceptLocation) {
    const location = parseEmbeddedLocation(body);
    if (location) s.location = location;
  }
  // 2.1.1 bodies carry no country_code/party_id: the URL names the CPO.
  if (t.version === '2.1.1')
    Object.assign(s, { countryCode: t.countryCode.toUpperCase(), partyId: t.partyId.toUpperCase() });
  checkIds(t, s);
  return write(store, s, 'if-newer');
}

/** PATCH: only the fields carried; unknown session → 404 so the sender PUTs it (OCPI 2.2.1 §9.2.2.3). */
export async function receivePatch(
  store: SessionStore,
  t: Target,
  body: unknown,
  now = Date.now(),
): Promise<ReceiveResult> {
  const parsed = codecFor(t.format).parseSessionPatch(body, context(t));
  if (!parsed.ok) throw invalid(parsed.issues);
  checkIds(t, parsed.value);
  const stored = await store.getSession(t.countryCode, t.partyId, t.id);
  if (!stored)
    throw new ReceiveError(404, 2001, `Unknown session ${t.countryCode}/${t.partyId}/${t.id}: PUT it first`);
  if (parsed.value.lastUpdated !== undefined && parsed.value.lastUpdated < stored.session.lastUpdated) {
    return { outcome: 'stale', session: stored.session };
  }
  const next = applySessionPatch(stored.session, parsed.value, t.version, now);
  if (t.acceptLocation) {
    const location = parseEmbeddedLocation(body);
    if (location) next.location = location;
  }
  return write(store, next, 'if-newer');
}

function parseEmbeddedLocation(body: unknown): Session['location'] {
  if (!body || typeof body !== 'object' || !Object.hasOwn(body, 'location')) return undefined;
  const raw = (body as { location?: unknown }).location;
  if (raw === null || raw === undefined) return undefined;
  const parsed = parseLocation211(raw, '$.location');
  if (!parsed.ok) throw invalid(parsed.issues);
  return parsed.value;
}

export async function getReceived(store: SessionStore, t: Target): Promise<StoredSession> {
  const stored = await store.getSession(t.countryCode, t.partyId, t.id);
  if (!stored) throw new ReceiveError(404, 2001, `Unknown session ${t.countryCode}/${t.partyId}/${t.id}`);
  return stored;
}

/** The stored session rendered for a reader of `version` in the reader's style. */
export function renderFor(session: Session, style: 'ocpi' | 'camel', version: OcpiVersion): string {
  return codecFor(wireFormatFor(style, version)).renderSession(session);
}

export function ownsParty(key: string, countryCode: string, partyId: string): boolean {
  return key === partyKey(countryCode, partyId);
}
