// The write rules of putSessions, once, as a pure function: given the stored state of one session (or none), the
// record being written and the options, the plan says what to write, as plain data. Both stores only execute it
// with their own SQL (SQLite one record at a time, PostgreSQL replaying a batch in memory and then writing it
// with multi-row statements). Listing depends on these rules: see src/store/paging.ts for ordinals and counters.
import type { ModuleId } from '../domain/module-id.js';
import type { PartyKey, Session, SessionRef } from '../domain/session.js';
import {
  changeSummary,
  HISTORY_LIMIT,
  parseDigest,
  sessionDigest,
  type SessionDigest,
  type WriteSource,
} from '../domain/session-change.js';
import { partyKey } from '../domain/session.js';
import { WIRE_FORMATS, type WireFormat } from '../domain/wire-format.js';
import type { PutOptions, RenderBody, SessionRecord, StoredFormats } from './contract.js';
import { BLOCK_BITS, dayOf } from './paging.js';

/** What the plan needs of a stored session (or of a session as an earlier record of the same batch left it). */
export interface StoredState {
  owner: PartyKey;
  /** Its position in its owner's list (paging.ts). */
  ord: number;
  lastUpdated: number;
  rev: number;
  /** The digest of the stored revision (storedDigest), for the change summary of the history. */
  digest?: SessionDigest;
}

/** One revision in a session's history, as the plan writes it (the store adds the write time). */
export interface HistoryEntry {
  rev: number;
  lastUpdated: number;
  source: WriteSource | null;
  summary: string;
}

/**
 * The digest of a stored session for StoredState: its stored digest (sessions.digest), else, for a session
 * written before digests were kept (then the store reads its document), one computed from the document.
 */
export function storedDigest(
  digest: string | null | undefined,
  doc: string | null | undefined,
  owner: PartyKey,
): SessionDigest | undefined {
  const d = parseDigest(digest);
  if (d || !doc) return d;
  return sessionDigest(JSON.parse(doc) as Session, owner);
}

/** A change of one session_counts row (owner, block, day). */
export interface CountDelta {
  owner: PartyKey;
  block: number;
  day: number;
  delta: number;
}

/** A position in an owner's list; the page_bodies of every format are kept per position. */
export interface Position {
  owner: PartyKey;
  ord: number;
}

export interface BodyWrite extends Position {
  format: WireFormat;
  body: string;
}

/** An outbox entry (partner, module, revision to deliver) for the written session; its object is the session. */
export interface OutboxEntry {
  partnerKey: PartyKey;
  module: ModuleId;
  rev: number;
}

/** The module of the objects putSessions writes: their outbox entries are keyed by it (OutboxKey). */
const MODULE: ModuleId = 'sessions';

export type WritePlan =
  /** `ifRev` does not match the stored revision: nothing is written, putSessions throws RevisionConflict. */
  | { conflict: true }
  /** 'if-newer' and the stored session is later: nothing is written. */
  | { conflict: false; outcome: 'stale' }
  | Write;

export interface Write {
  conflict: false;
  outcome: 'created' | 'updated';
  owner: PartyKey;
  /** The position kept, or 'allocate': the next ordinal of `owner` (a new session, or one changing owner). */
  ord: number | 'allocate';
  lastUpdated: number;
  /** The session's revision after this write: 1 when created, else the stored one + 1. */
  rev: number;
  /** Owners whose write version is bumped (paging.ts revalidates cached block tables with it). */
  bump: PartyKey[];
  /** The stored position the session leaves (its counter is decremented in `counts`). */
  leave?: { owner: PartyKey; ord: number; lastUpdated: number };
  /** Positions whose bodies (every format) are deleted: the old owner's, when the session changes owner. */
  dropBodies: Position[];
  outbox: OutboxEntry[];
  session: Session;
  renders: Partial<Record<WireFormat, string>>;
  /** The new revision's digest, kept with the session (as `digestJson`) for the next write's summary. */
  digest: SessionDigest;
  digestJson: string;
  /** The new revision's history entry. */
  history: HistoryEntry;
  /** History entries of the session with a revision up to this one are deleted (HISTORY_LIMIT kept). */
  trimHistoryTo?: number;
}

/** A Write at its final ordinal: the counter deltas and bodies it writes. */
export interface PlacedWrite {
  ord: number;
  counts: CountDelta[];
  bodies: BodyWrite[];
}

/** The store key of a session: (CPO country_code, party_id, id), case-insensitively. */
export function sessionKey(s: SessionRef): { cpo: PartyKey; idCi: string } {
  return { cpo: partyKey(s.countryCode, s.partyId), idCi: s.id.toUpperCase() };
}

export function planWrite(
  stored: StoredState | undefined,
  record: SessionRecord,
  options: PutOptions,
): WritePlan {
  const s = record.session;
  // Checked first, inside the write transaction (the stores hold the row): no other writer can come between this
  // check and the write. No stored session is a conflict too.
  if (record.ifRev !== undefined && stored?.rev !== record.ifRev) return { conflict: true };
  const outbox = options.pushTo?.includes(record.owner) ? [record.owner] : [];
  // Equal last_updated is not stale: the write replaces.
  if (stored && options.mode === 'if-newer' && stored.lastUpdated > s.lastUpdated)
    return { conflict: false, outcome: 'stale' };
  const digest = sessionDigest(s, record.owner);
  const rev = stored ? stored.rev + 1 : 1;
  // Another owner's list: a new position there, and the bodies leave the old owner's pages.
  const moved = stored !== undefined && stored.owner !== record.owner;
  // One object literal, no spread of a shared part: the spread cost ~7 µs per write (docs/performance.md, seventh
  // round); the optional members are added only when present, as before.
  const plan: Write = {
    conflict: false,
    outcome: stored ? 'updated' : 'created',
    owner: record.owner,
    // A new session: the next position of its owner's list (creation order).
    ord: stored && !moved ? stored.ord : 'allocate',
    lastUpdated: s.lastUpdated,
    rev,
    bump: moved ? [stored.owner, record.owner] : [record.owner],
    dropBodies: moved ? [{ owner: stored.owner, ord: stored.ord }] : [],
    outbox: outbox.map((partnerKey) => ({ partnerKey, module: MODULE, rev })),
    session: s,
    renders: record.renders,
    digest,
    digestJson: JSON.stringify(digest),
    history: {
      rev,
      lastUpdated: s.lastUpdated,
      source: record.source ?? null,
      // A stored session without a digest (none kept, unreadable) is summarized against nothing known.
      summary: stored && !stored.digest ? 'updated' : changeSummary(stored?.digest, digest),
    },
  };
  if (stored) plan.leave = { owner: stored.owner, ord: stored.ord, lastUpdated: stored.lastUpdated };
  if (rev > HISTORY_LIMIT) plan.trimHistoryTo = rev - HISTORY_LIMIT;
  return plan;
}

/**
 * The counters and bodies of a Write once its ordinal is known (`ord`: the plan's own, or the one the store
 * allocated). The counter of the position left is decremented and the new one incremented, unaggregated. One
 * body per stored format (`formats`, read in the write transaction): the record's render, else one made with
 * `render`; the record's renders of other formats are not written.
 */
export function placeWrite(
  plan: Write,
  ord: number,
  formats: readonly WireFormat[],
  render?: RenderBody,
): PlacedWrite {
  if (plan.ord !== 'allocate' && plan.ord !== ord)
    throw new Error(`write planned at ord ${plan.ord}, not ${ord}`);
  const counts: CountDelta[] = [];
  if (plan.leave) counts.push(countDelta(plan.leave.owner, plan.leave.ord, plan.leave.lastUpdated, -1));
  counts.push(countDelta(plan.owner, ord, plan.lastUpdated, 1));
  const bodies = formats.map((format) => ({
    owner: plan.owner,
    ord,
    format,
    body: plan.renders[format] ?? renderMissing(plan.session, format, render),
  }));
  return { ord, counts, bodies };
}

function renderMissing(session: Session, format: WireFormat, render: RenderBody | undefined): string {
  if (!render)
    throw new Error(
      `session ${session.id}: the store keeps ${format} bodies and the record has none (no render)`,
    );
  return render(format, session);
}

/** The formats of a stored set's bit mask (bit i: WIRE_FORMATS[i]; stored_formats.mask). */
export function formatsOfMask(mask: number): WireFormat[] {
  return WIRE_FORMATS.filter((_, i) => (mask & (1 << i)) !== 0);
}

/** The stored set of a store (its stored_formats mask) and which are ready (not among the `pending` indexes). */
export function storedFormatsOf(mask: number, pending: readonly number[]): StoredFormats {
  const stored = formatsOfMask(mask);
  return { stored, ready: stored.filter((f) => !pending.includes(WIRE_FORMATS.indexOf(f))) };
}

/** The bit mask of a set of formats. */
export function maskOfFormats(formats: readonly WireFormat[]): number {
  return formats.reduce((m, f) => m | (1 << WIRE_FORMATS.indexOf(f)), 0);
}

function countDelta(owner: PartyKey, ord: number, lastUpdated: number, delta: number): CountDelta {
  return { owner, block: ord >> BLOCK_BITS, day: dayOf(lastUpdated), delta };
}
