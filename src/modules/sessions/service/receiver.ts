// Use cases: a session pushed to us (eMSP Sessions receiver, OCPI 2.1.1 §mod_sessions 3.2, 2.2.1 §9.2.2) and a
// session fed by the CPO's own back end (ingest, same rules as the 2.2.1 receiver).
import { applySessionPatch } from '../../../domain/session-patch.js';
import {
  partyKey,
  sessionKeyText,
  type PartyKey,
  type Session,
  type SessionPatch,
} from '../../../domain/session.js';
import type { Partner } from '../../../domain/party.js';
import { since22, wireFormatFor, type OcpiVersion, type WireFormat } from '../../../domain/wire-format.js';
import { RevisionConflict, type SessionStore, type StoredSession } from '../../../store/contract.js';
import type { ParseContext } from '../../../wire/codec.js';
import { codecFor } from '../wire/codecs.js';
import { parseLocation211 } from '../../../wire/ocpi-2.1.1/location-parse.js';
import type { Identity } from '../../../service/identity.js';
import { describeIssues, Refused } from '../../../service/refused.js';
import { partnerWireFormat } from '../../../service/partners.js';
import { toRecord } from './writer.js';
import type { GroupedWrites } from './grouped-writes.js';

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

function context(t: Target): ParseContext {
  return { cpo: { countryCode: t.countryCode, partyId: t.partyId }, emsp: t.emsp };
}

function checkIds(t: Target, s: { countryCode?: string; partyId?: string; id?: string }): void {
  // OCPI 2.2.1 §9.2.2.2: the URL ids SHALL equal those in the body; 2.2.1 §4.1 advises 2001 for a mismatch.
  if (s.id !== undefined && !eq(s.id, t.id))
    throw new Refused('invalid', `Body id "${s.id}" differs from the URL id "${t.id}"`);
  if (s.countryCode !== undefined && !eq(s.countryCode, t.countryCode)) {
    throw new Refused(
      'invalid',
      `Body country_code "${s.countryCode}" differs from the URL "${t.countryCode}"`,
    );
  }
  if (s.partyId !== undefined && !eq(s.partyId, t.partyId)) {
    throw new Refused('invalid', `Body party_id "${s.partyId}" differs from the URL "${t.partyId}"`);
  }
}

function invalid(issues: { path: string; message: string }[]): Refused {
  return new Refused('invalid', describeIssues('Invalid session', issues));
}

/** Owner of eMSP-receiver sessions when this instance has no identity: no partner key has this form. */
const RECEIVED_OWNER = '~received';

/**
 * Who may see a written session on our sender interface (and gets it pushed). Ingest (our own back end; the
 * ingest route sets `acceptLocation`): the eMSP the cdr_token names. eMSP receiver: this instance, the eMSP
 * receiving it, whatever the body's cdr_token claims; otherwise a CPO partner could put sessions into another
 * partner's feed, count and push outbox by naming that partner in cdr_token.
 */
function ownerFor(t: Target): PartyKey | undefined {
  if (t.acceptLocation) return undefined;
  return t.emsp ? partyKey(t.emsp.countryCode, t.emsp.partyId) : RECEIVED_OWNER;
}

/** The eMSP receiver never reads or writes under this instance's own party: those are our own CPO sessions. */
function refuseOwnParty(t: Target): void {
  const us = t.emsp;
  if (
    !t.acceptLocation &&
    us &&
    partyKey(t.countryCode, t.partyId) === partyKey(us.countryCode, us.partyId)
  ) {
    throw new Refused('not-visible', `No sessions of ${t.countryCode}/${t.partyId} for this caller`);
  }
}

/** Writes 'if-newer' (GroupedWrites), in a transaction shared with concurrent requests. */
async function write(
  writes: GroupedWrites,
  t: Target,
  session: Session,
  ifRev?: number,
): Promise<ReceiveResult> {
  // Ingest is our own back end (acceptLocation), else a CPO partner's push; a PATCH writes over a read revision.
  const how = ifRev === undefined ? 'put' : 'patch';
  const record = toRecord(session, `${t.acceptLocation ? 'ingest' : 'receiver'}-${how}`);
  const owner = ownerFor(t);
  const outcome = await writes.put({
    ...record,
    ...(owner ? { owner } : {}),
    ...(ifRev === undefined ? {} : { ifRev }),
  });
  return { outcome, session };
}

/** The writes of one session apply in arrival order (GroupedWrites.inOrder); keys compare case-insensitively. */
function inOrder<T>(writes: GroupedWrites, t: Target, work: () => Promise<T>): Promise<T> {
  return writes.inOrder(sessionKeyText(t.countryCode, t.partyId, t.id), work);
}

/** Attempts of a read-modify-write before giving up (each conflict means another write of the session won). */
const MAX_CONFLICTS = 100;

/** Runs a read-modify-write until it is not overtaken by a concurrent write of the same session. */
export async function retryOnConflict<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (e) {
      if (!(e instanceof RevisionConflict) || attempt >= MAX_CONFLICTS) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, attempt * 2)));
    }
  }
}

/**
 * PUT: creates or replaces the whole session, charging periods included (OCPI 2.2.1 §9.2.2.2).
 * A body whose last_updated is older than the stored one is not applied (outcome 'stale'): a late, reordered
 * delivery must never roll a session back. Equal last_updated is applied (idempotent re-delivery).
 */
export async function receivePut(writes: GroupedWrites, t: Target, body: unknown): Promise<ReceiveResult> {
  refuseOwnParty(t);
  const parsed = codecFor(t.format).parse(body, context(t));
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
  return inOrder(writes, t, () => write(writes, t, s));
}

/** PATCH: only the fields carried; unknown session → 404 so the sender PUTs it (OCPI 2.2.1 §9.2.2.3). */
export async function receivePatch(
  writes: GroupedWrites,
  t: Target,
  body: unknown,
  now = Date.now(),
): Promise<ReceiveResult> {
  refuseOwnParty(t);
  const parsed = codecFor(t.format).parsePatch(body, context(t));
  if (!parsed.ok) throw invalid(parsed.issues);
  checkIds(t, parsed.value);
  const location = t.acceptLocation ? parseEmbeddedLocation(body) : undefined;
  // Read, apply, write only if nobody wrote the session meanwhile (else again): two concurrent PATCHes of one
  // session must both land, not the later one overwrite the earlier one with a copy that lacks its change.
  return inOrder(writes, t, () =>
    retryOnConflict(async () => {
      const stored = await writes.store.getSession(t.countryCode, t.partyId, t.id);
      if (!stored)
        throw new Refused(
          'unknown-object',
          `Unknown session ${t.countryCode}/${t.partyId}/${t.id}: PUT it first`,
        );
      if (parsed.value.lastUpdated !== undefined && parsed.value.lastUpdated < stored.session.lastUpdated) {
        return { outcome: 'stale', session: stored.session };
      }
      const next = applySessionPatch(
        stored.session,
        redelivery(stored.session, parsed.value, t.version),
        t.version,
        now,
      );
      if (location) next.location = location;
      return write(writes, t, next, stored.rev);
    }),
  );
}

/**
 * A 2.2.1 PATCH appends its charging periods, so a PATCH applied twice would bill its periods twice. Senders
 * that did not get our answer (lost response, timeout, their crash) send it again, possibly merged with later
 * changes. A period equal in every field to one already stored (same start_date_time, same dimensions: one
 * and the same period: a period lasts until the next one starts) is therefore not appended again.
 */
function redelivery(stored: Session, patch: SessionPatch, version: OcpiVersion): SessionPatch {
  const periods = patch.chargingPeriods;
  if (!since22(version) || !periods?.length) return patch;
  const have = new Set(stored.chargingPeriods.map((p) => JSON.stringify(p)));
  const fresh = periods.filter((p) => !have.has(JSON.stringify(p)));
  return fresh.length === periods.length ? patch : { ...patch, chargingPeriods: fresh };
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
  refuseOwnParty(t);
  const stored = await store.getSession(t.countryCode, t.partyId, t.id);
  if (!stored) throw new Refused('unknown-object', `Unknown session ${t.countryCode}/${t.partyId}/${t.id}`);
  return stored;
}

/** The stored session rendered for a reader of `version` in the reader's style. */
export function renderFor(session: Session, style: 'ocpi' | 'camel', version: OcpiVersion): string {
  return codecFor(wireFormatFor(style, version)).render(session);
}

function ownsParty(key: string, countryCode: string, partyId: string): boolean {
  return key === partyKey(countryCode, partyId);
}

/** The party and session a receiver URL names ({country_code}/{party_id}/{session_id}). */
export interface SessionPath {
  country_code: string;
  party_id: string;
  session_id: string;
}

/**
 * eMSP receiver: a CPO partner pushes its own sessions only, under its own party (OCPI 2.2.1 §3.1.2 client
 * owned objects); anything else is answered as if nothing were there.
 */
export function receiverTarget(
  caller: Partner,
  p: SessionPath,
  version: OcpiVersion,
  us: Identity | undefined,
): Target {
  if (!caller.roles.includes('CPO') || !ownsParty(caller.key, p.country_code, p.party_id)) {
    throw new Refused('not-visible', `No sessions of ${p.country_code}/${p.party_id} for this caller`);
  }
  return {
    countryCode: p.country_code,
    partyId: p.party_id,
    id: p.session_id,
    version,
    format: partnerWireFormat(caller, version),
    emsp: us ? { countryCode: us.countryCode, partyId: us.partyId } : undefined,
  };
}

/** Ingest: the CPO's own back end feeds sessions of this instance's own party only, in OCPI 2.2.1 or 2.3.0 form. */
export function ingestTarget(p: SessionPath, us: Identity | undefined, version: '2.2.1' | '2.3.0'): Target {
  if (!us || !ownsParty(partyKey(us.countryCode, us.partyId), p.country_code, p.party_id)) {
    throw new Refused('not-visible', `This instance is not party ${p.country_code}/${p.party_id}`);
  }
  return {
    countryCode: p.country_code,
    partyId: p.party_id,
    id: p.session_id,
    version,
    format: wireFormatFor('ocpi', version),
    acceptLocation: true,
  };
}
