// The one store contract. `sqlite/` and `postgres/` implement it and pass one shared contract test suite
// (test/store/contract.test.ts). Stores know nothing of wire formats beyond "one stored body per format".
import type { ModuleId } from '../domain/module-id.js';
import type { PageQuery, RenderedPage, SessionScope } from '../domain/page.js';
import type { Partner, PartnerFormat, PartnerUpdate, Role } from '../domain/party.js';
import type { PartyKey, Session, SessionRef } from '../domain/session.js';
import type { WriteSource } from '../domain/session-change.js';
import type { ConsoleSortField } from '../domain/console-types.js';
import type { OcpiVersion, WireFormat } from '../domain/wire-format.js';
import type { Setting } from './settings.js';

/**
 * A session as written: the canonical object, its visibility owner and its rendered bodies. The store writes one
 * body per format of its stored set (storedFormats, read inside the write transaction); a render the record lacks
 * for one of them is made with PutOptions.render, one it has for another format is not written.
 */
export interface SessionRecord {
  session: Session;
  owner: PartyKey;
  renders: Partial<Record<WireFormat, string>>;
  /**
   * The stored document, `JSON.stringify(session)`, when the caller has it already (demo seeding: made by the
   * thread that generated the session); else the store makes it.
   */
  doc?: string;
  /**
   * Optimistic concurrency for a read-modify-write (PATCH, charging preferences): write only if the stored session
   * still has this revision, else throw RevisionConflict (nothing of the call written), so that two concurrent
   * changes of one session (two connections, two processes) cannot overwrite each other. Per record, so that the
   * read-modify-writes of several sessions share one call (group commit, src/service/group-commit.ts).
   */
  ifRev?: number;
  /** What wrote it (kept in the session's history, ConsoleStore.sessionHistory); absent: not said. */
  source?: WriteSource;
}

export type PutOutcome = 'created' | 'updated' | 'stale';

export interface PutOptions {
  /** 'if-newer' refuses (outcome 'stale') to replace a stored session whose last_updated is later. */
  mode: 'replace' | 'if-newer';
  /** Owners to push to: a written record whose owner is listed gets an outbox entry in the same transaction. */
  pushTo?: PartyKey[];
  /**
   * Renders a session in a stored format its record lacks (the set grew since the caller read it: a partner was
   * registered meanwhile, possibly by another process); called inside the write transaction. Absent: such a
   * record is refused with an error.
   */
  render?: RenderBody;
}

/** A session's body in one wire format (the sessions module's codecs: the store itself renders nothing). */
export type RenderBody = (format: WireFormat, session: Session) => string;

/** The wire formats a store keeps bodies of (issue 16). */
export interface StoredFormats {
  /** Written with every session write. */
  stored: WireFormat[];
  /** Stored for every session (the others of `stored` are being rendered: renderPendingBodies). */
  ready: WireFormat[];
}

/** Thrown by putSessions when `ifRev` no longer matches the stored revision: re-read and retry. */
export class RevisionConflict extends Error {
  constructor() {
    super('the session was changed concurrently');
  }
}

export interface StoredSession {
  session: Session;
  owner: PartyKey;
  seq: number;
  /** Incremented on every write of the session. */
  rev: number;
}

/** A session as the push reads it (SessionObjects.sessionsForPush). */
export interface PushRead {
  seq: number;
  rev: number;
  /** The stored document: JSON text of the Session. */
  doc: string;
  /** The stored body in the format asked for, when there is one. */
  body?: string;
}

/** What an outbox entry and the delivered state are keyed by: the partner, the module and the object in it. */
export interface OutboxKey {
  partnerKey: PartyKey;
  module: ModuleId;
  /** The object's seq in its module's table (a session: StoredSession.seq). */
  objectSeq: number;
}

/** A pending push of one object to one partner, as claimed by one worker. */
export interface Delivery extends OutboxKey {
  /** The object revision to deliver (completeDelivery: the revision that was delivered). */
  rev: number;
  attempts: number;
  enqueuedAt: number;
  /**
   * Fencing token: a random id written on the outbox row by the claim that handed out this delivery. Every later
   * claim of the row writes a new one, so a worker whose lease ran out and was taken over can no longer renew,
   * complete or fail it.
   */
  claim: string;
}

/** A delivery claimed by claimLanes, with what its partner last acknowledged of the object (push_state). */
export interface ClaimedDelivery extends Delivery {
  /** The document last delivered to this partner for this object (getDelivered), read with the claim. */
  delivered?: string;
}

export interface NewPartner {
  countryCode: string;
  partyId: string;
  roles: Role[];
  format: PartnerFormat;
  tokenHash: string;
  /** The OCPI version it reads our sessions in (absent: any; see formatsReadBy). */
  version?: OcpiVersion;
}

/** A partner found by token hash, with the partners version (RenderedPage.partnersVersion) of the same read. */
export type FoundPartner = Partner & { tokenHash: string; partnersVersion: number };

/** Sessions: written with their rendered bodies, read by key, scanned, and listed a page at a time. */
export interface SessionObjects {
  /** Creates or replaces sessions, keyed by (CPO country_code, party_id, id) case-insensitively, in one transaction. */
  putSessions(records: SessionRecord[], options: PutOptions): Promise<PutOutcome[]>;
  getSession(countryCode: string, partyId: string, id: string): Promise<StoredSession | undefined>;
  /**
   * Many sessions by key in one read (a pull's batch): one per key, in order, undefined when not stored. One read
   * transaction in SQLite (a lookup each outside one cost ~6 µs against ~0.7 µs inside, at 1 000 000 sessions), one
   * query in PostgreSQL.
   */
  getSessions(keys: readonly SessionRef[]): Promise<(StoredSession | undefined)[]>;
  /** Every stored session in storage order after position `afterSeq` (0 = start), `limit` at a time: export/scans. */
  scanSessions(afterSeq: number, limit: number): Promise<StoredSession[]>;
  getSessionBySeq(seq: number): Promise<StoredSession | undefined>;
  /**
   * Sessions by seq for the push, one read for many: each as stored (the document's JSON text, unparsed) with its
   * stored body in `format` (absent while a migration's pending render has not written it); one per seq, in order,
   * undefined when gone.
   */
  sessionsForPush(seqs: readonly number[], format: WireFormat): Promise<(PushRead | undefined)[]>;
  /**
   * Renders the bodies missing of a stored format that is not ready (`pending_renders`: a format added while
   * sessions were stored, by a migration or addStoredFormats) with `render`, `batch` sessions per transaction,
   * then marks it ready; returns the bodies written. A body written meanwhile by a session write is kept (the
   * session's revision is checked). Resumable: a run that stops (`signal` aborted, checked between batches, or a
   * crash) leaves the format pending, the next one goes on.
   */
  renderPendingBodies(render: RenderBody, batch?: number, signal?: AbortSignal): Promise<number>;
  /** The stored formats and those of them that are ready. */
  storedFormats(): Promise<StoredFormats>;
  /**
   * Adds formats to the stored set (those it lacks; the set never shrinks by itself): ready at once when the store
   * has no session, else pending until renderPendingBodies. Waits for the writes in flight (each wrote the set it
   * read), and later writes write the new formats. Returns the formats added.
   */
  addStoredFormats(formats: readonly WireFormat[]): Promise<WireFormat[]>;
  /**
   * One page of bodies in `format` (UTF-8 JSON bytes, joined as they are into the response), ordered by creation
   * (first write) of each session: the stored bodies when the format is ready, else the page's stored documents
   * rendered with `render` (byte-identical to a stored body; slower).
   */
  listSessions(
    scope: SessionScope,
    query: PageQuery,
    format: WireFormat,
    render?: (session: Session) => string,
  ): Promise<RenderedPage>;
}

/** The parties we exchange data with, found by token hash or party key. */
export interface PartnerStore {
  addPartner(partner: NewPartner): Promise<Partner>;
  /** A partner known only by the token A we handed out (state 'invited'). */
  addInvite(tokenHash: string): Promise<Partner>;
  /** Changes a partner; rejects when the party key or token hash would collide with another partner. */
  updatePartner(id: number, update: PartnerUpdate): Promise<Partner>;
  findPartnerByTokenHash(tokenHash: string): Promise<FoundPartner | undefined>;
  getPartner(key: PartyKey): Promise<Partner | undefined>;
  /** The token we send when calling this partner. */
  getTheirToken(id: number): Promise<string | undefined>;
  listPartners(): Promise<Partner[]>;
  removePartner(key: PartyKey): Promise<boolean>;
  removePartnerById(id: number): Promise<boolean>;
}

/**
 * The push outbox: deliveries written with the object changes, claimed under fenced leases. Entries and the
 * delivered state are keyed by (partner, module, object seq): OutboxKey.
 */
export interface OutboxStore {
  /**
   * Claims up to `limit` due deliveries, leasing them for `leaseMs` (no other worker gets them meanwhile), under a
   * new fencing token (Delivery.claim). After the lease another worker may claim them again, with a new token.
   */
  claimDeliveries(now: number, limit: number, leaseMs: number): Promise<Delivery[]>;
  /**
   * Extends the lease to `now + leaseMs` only while the row still carries this delivery's fencing token; false when
   * another worker has claimed it since (or it is gone): the caller must then not send it.
   */
  renewDelivery(delivery: Delivery, now: number, leaseMs: number): Promise<boolean>;
  /**
   * Records what was delivered (`delivery.rev`: the revision sent) and drops the outbox entry unless the object
   * changed again since (then it is due at once). Only while the fencing token matches: else nothing changes and
   * the answer is false.
   */
  completeDelivery(delivery: Delivery, deliveredDoc: string): Promise<boolean>;
  /** completeDelivery of several deliveries in one transaction (one commit): each one's answer, in order. */
  completeDeliveries(done: readonly Completed[]): Promise<boolean[]>;
  /** Counts a failed attempt and releases the claim until `nextAttemptAt`; like completeDelivery, fenced. */
  failDelivery(delivery: Delivery, nextAttemptAt: number, error: string): Promise<boolean>;
  /**
   * Claims, per partner lane, up to `limit` of that partner's due deliveries (oldest due first, read from the
   * lane index: no sort of all due rows), leased and fenced as claimDeliveries does; one transaction. Each comes
   * with the partner's delivered document (ClaimedDelivery.delivered), read in the same statement/transaction.
   */
  claimLanes(wants: readonly LaneClaim[], now: number, leaseMs: number): Promise<ClaimedDelivery[]>;
  /** The partners with at least one outbox entry (a skip scan of the lane index: one probe per partner). */
  outboxPartners(): Promise<PartyKey[]>;
  /** The document last delivered to this partner for this object, if any. */
  getDelivered(key: OutboxKey): Promise<string | undefined>;
  /** Outbox entries, counted up to `limit` at most (a bounded read for /health: `limit` means at least that). */
  outboxDepth(limit?: number): Promise<number>;
  /**
   * Per partner: pending entries, the oldest enqueued_at, entries that failed at least once and their failed
   * attempts, over at most `scanLimit` outbox rows (a bounded read for /metrics: past it the figures are lower
   * bounds and `truncated` says so). In flight: leased at `now` (default: the current time).
   */
  outboxSummary(scanLimit: number, now?: number): Promise<OutboxSummary>;
}

/** A delivery that was acknowledged, with what was delivered (completeDeliveries). */
export interface Completed {
  delivery: Delivery;
  doc: string;
}

/** A claim of one partner's lane: at most `limit` deliveries. */
export interface LaneClaim {
  partnerKey: PartyKey;
  limit: number;
}

/**
 * What every process knows of a partner's push lane (push_lanes): consecutive failed attempts (reset by a success),
 * the pause after too many, the last error and the last success. Absent: never failed nor recorded.
 */
export interface LaneState {
  partnerKey: PartyKey;
  failures: number;
  /** Epoch ms: no claims before it (0: not paused). Once passed, one process probes (takeLaneProbe). */
  pausedUntil: number;
  lastError?: string;
  lastErrorAt?: number;
  lastSuccessAt?: number;
  /** Paused by an operator (the console's pause), until resumed; independent of the failure pause. */
  operatorPaused: boolean;
}

/** The push lanes' shared state (see LaneState), written by the push workers of every process. */
export interface LaneStore {
  laneStates(): Promise<LaneState[]>;
  /** Counts a failed attempt of the lane (and its error); the state after it. */
  laneFailed(partnerKey: PartyKey, at: number, error: string): Promise<LaneState>;
  /** Pauses the lane until `until`. */
  pauseLane(partnerKey: PartyKey, until: number): Promise<void>;
  /**
   * The lane's pause has ended (paused_until in (0, now]): takes the one probe, moving the pause to `until` so that
   * no other process probes meanwhile, and makes the lane's earliest waiting entry due at `now` (the probe's
   * delivery). False when the lane is not paused, still paused, or another took the probe.
   */
  takeLaneProbe(partnerKey: PartyKey, now: number, until: number): Promise<boolean>;
  /** A delivery succeeded: failures 0, no pause, last success `at`. */
  laneSucceeded(partnerKey: PartyKey, at: number): Promise<void>;
  /** The operator pauses (true) or resumes (false) the lane; kept until changed, whatever deliveries do. */
  setOperatorPause(partnerKey: PartyKey, paused: boolean): Promise<void>;
  /**
   * Retry now: the partner's entries waiting for a retry become due at `now` and the lane's failure pause ends
   * (failures 0); an operator pause stays. Returns the entries made due.
   */
  retryNow(partnerKey: PartyKey, now: number): Promise<number>;
}

/** The console's sessions list sort keys (the console API's, src/domain/console-types.ts). */
export type ConsoleSort = ConsoleSortField;

/** A filter-free page of the console's sessions list (store/console.ts): rows in (sort key, seq) order. */
export interface ConsoleListQuery {
  sort: ConsoleSort;
  order: 'asc' | 'desc';
  /** Only this owner's sessions (index sessions_console_owner; sort last_updated only). */
  owner?: PartyKey;
  /** The sort key's window: from inclusive, to exclusive (epoch ms). */
  from: number;
  to: number;
  /** Start after this position (exclusive), in the order asked. */
  after?: { key: number; seq: number };
  limit: number;
}

export interface ConsoleListRow extends StoredSession {
  /** The sort key of the row (epoch ms). */
  key: number;
}

/** One outbox entry as the console shows it. */
export interface OutboxEntryState {
  rev: number;
  attempts: number;
  enqueuedAt: number;
  nextAttemptAt: number;
  lastError?: string;
  /** A worker claimed it (claim set): being sent while nextAttemptAt, the lease end, is later than now. */
  claimed: boolean;
}

/** One revision of a session's history (session_history; the last HISTORY_LIMIT of store/write-plan.ts). */
export interface SessionHistoryEntry {
  rev: number;
  /** When the revision was written (epoch ms, the writing process's clock). */
  writtenAt: number;
  /** The session's last_updated in that revision. */
  lastUpdated: number;
  source: WriteSource | null;
  summary: string;
}

/** What a partner acknowledged of an object (push_state): the document and its revision. */
export interface DeliveredState {
  doc: string;
  /** The revision acknowledged; undefined for what was delivered before revisions were recorded. */
  rev?: number;
}

/** What the operator console reads (bounded reads only: see store/console.ts). */
export interface ConsoleStore {
  /** A session's history (by its seq), newest first, at most `limit` entries. */
  sessionHistory(seq: number, limit: number): Promise<SessionHistoryEntry[]>;
  /** What the partner acknowledged of the object, with its revision. */
  deliveredState(key: OutboxKey): Promise<DeliveredState | undefined>;
  consoleList(query: ConsoleListQuery): Promise<ConsoleListRow[]>;
  /** The stored bodies of one session, per wire format (what partners get), by its seq. */
  sessionBodies(seq: number): Promise<Partial<Record<WireFormat, string>>>;
  outboxEntry(key: OutboxKey): Promise<OutboxEntryState | undefined>;
  /**
   * Sessions updated at or after `since`, at most `limit` (newest first), per (owner, CPO): how many, how many
   * updated at or after `todayFrom`, how many ACTIVE; and the counters' total and today (UTC day `today`).
   */
  recentSessions(
    since: number,
    todayFrom: number,
    limit: number,
  ): Promise<{ owner: PartyKey; cpo: PartyKey; n: number; today: number; active: number }[]>;
  sessionTotals(today: number): Promise<{ total: number; today: number }>;
}

/** What outboxSummary read: one row per partner with pending entries. */
export interface OutboxSummary {
  partners: {
    partnerKey: PartyKey;
    pending: number;
    /** enqueued_at of the oldest entry read (epoch ms). */
    oldestEnqueuedAt: number;
    /** Entries with at least one failed attempt. */
    failing: number;
    /** Failed attempts of those entries (reset when an entry is delivered or re-enqueued). */
    failedAttempts: number;
    /** Entries claimed by a worker and still leased (being sent) at the time given to outboxSummary. */
    inFlight: number;
  }[];
  /** The scan stopped at its limit: more rows exist than were read. */
  truncated: boolean;
}

/** Named leases across processes (e.g. one pull per partner at a time). */
export interface LockStore {
  /**
   * Takes the named lock for `holder` until `expiresAt`, or renews it when `holder` has it already; false while
   * another holder has it unexpired (at `now`). Atomic across processes.
   */
  acquireLock(name: string, holder: string, now: number, expiresAt: number): Promise<boolean>;
  /** Drops the lock if `holder` has it. */
  releaseLock(name: string, holder: string): Promise<void>;
  lockHolder(name: string): Promise<{ holder: string; expiresAt: number } | undefined>;
}

/** Typed settings (settings.ts): identity, public URL, ingest token hash, pull state. */
export interface SettingsStore {
  /** A typed setting (settings.ts); undefined when never written or unreadable. */
  readSetting<T>(setting: Setting<T>): Promise<T | undefined>;
  writeSetting<T>(setting: Setting<T>, value: T): Promise<void>;
  /** The keys of the settings whose key starts with `prefix`, in key order (the settings table is small). */
  settingKeys(prefix: string): Promise<string[]>;
}

/**
 * The one store contract, one interface per concern; `sqlite/` and `postgres/` implement all of them and pass
 * one contract test suite. A use case may ask for only the concerns it uses.
 */
export interface SessionStore
  extends SessionObjects, PartnerStore, OutboxStore, LaneStore, LockStore, SettingsStore, ConsoleStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
