// SessionStore on an embedded SQLite file (better-sqlite3, WAL).
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ModuleId } from '../../domain/module-id.js';
import type { PageQuery, RenderedPage, SessionScope } from '../../domain/page.js';
import { formatsReadBy, type Partner, type PartnerUpdate } from '../../domain/party.js';
import { partyKey, type PartyKey, type Session, type SessionRef } from '../../domain/session.js';
import { WIRE_FORMATS, type WireFormat } from '../../domain/wire-format.js';
import { RevisionConflict } from '../contract.js';
import type { Setting } from '../settings.js';
import {
  consoleSql,
  historyFromRow,
  listStatement,
  outboxEntryFromRow,
  recentFromRow,
  SQLITE_CONSOLE,
  type HistoryRow,
  type OutboxEntryRow,
  type RecentRow,
} from '../console.js';
import type {
  Completed,
  ConsoleListQuery,
  ConsoleListRow,
  DeliveredState,
  OutboxEntryState,
  ClaimedDelivery,
  SessionHistoryEntry,
  Delivery,
  PushRead,
  LaneClaim,
  LaneState,
  NewPartner,
  OutboxKey,
  OutboxSummary,
  PutOptions,
  PutOutcome,
  RenderBody,
  SessionRecord,
  SessionStore,
  StoredFormats,
  StoredSession,
} from '../contract.js';
import {
  BLOCK_BITS,
  MAX,
  MIN,
  PagePlanner,
  renderDocs,
  type BlockCounts,
  type PageBodies,
  type PagingBackend,
} from '../paging.js';
import { partnerFromRow, partnerUpdateColumns, type PartnerRow } from '../rows.js';
import { outboxSummarySql, summaryFromRows, type OutboxSummaryRow } from '../outbox-summary.js';
import { laneFromRow, laneSql, MAX_ERROR_CHARS, sqlitePlaceholder, type LaneRow } from '../push-lanes.js';
import {
  formatsOfMask,
  storedFormatsOf,
  maskOfFormats,
  placeWrite,
  planWrite,
  sessionKey,
  storedDigest,
  type CountDelta,
  type OutboxEntry,
} from '../write-plan.js';
import { migrateSqlite } from './migrations.js';
import { OwnerTally, ownerStatements } from './owner-tally.js';

interface ExistingRow {
  seq: number;
  rev: number;
  owner: string;
  ord: number;
  last_updated: number;
  /** The owner's number (owners.no). */
  no: number;
  digest: string | null;
  /** The document, only when no digest is stored (a session written before digests were kept). */
  doc: string | null;
}

/** An outbox or push_state key as statement parameters, and the condition that matches it. */
type Key = [partnerKey: string, module: ModuleId, objectSeq: number];
const KEY_IS = 'partner_key = ? AND module = ? AND object_seq = ?';
const key = (k: OutboxKey): Key => [k.partnerKey, k.module, k.objectSeq];

/** page_bodies id of a body (see schema.ts), computed by SQLite in 64-bit integers. */
const BODY_ID = '(? << 44) | (? << 40) | ?';
const LANES = laneSql(sqlitePlaceholder);
const CONSOLE = consoleSql(SQLITE_CONSOLE);
/** Parameters of a statement with numbered placeholders (`?1`…): better-sqlite3 binds them by name. */
type Numbered = Record<number, unknown>;
const numbered = (...values: unknown[]): Numbered => Object.fromEntries(values.map((v, i) => [i + 1, v]));

export class SqliteStore implements SessionStore, PagingBackend {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly planner: PagePlanner;
  private readonly st;
  /** A page's bodies and the versions, in one read transaction: from the same snapshot (src/store/paging.ts). */
  private readonly readPage: (
    owner: string,
    f: number,
    fromOrd: number,
    from: number,
    to: number,
    skip: number,
    limit: number,
  ) => PageBodies;
  /** The same page as the sessions' documents, for a format that is not ready (pageBodies renders them). */
  private readonly readDocs: (
    owner: string,
    fromOrd: number,
    from: number,
    to: number,
    skip: number,
    limit: number,
  ) => PageBodies;
  /** Formats known to be ready (stored for every session): a format never stops being ready. */
  private readonly ready = new Set<number>();

  constructor(file: string, options: SqliteOptions = {}) {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = openWritable(file);
    this.db.pragma('synchronous = FULL'); // an acknowledged write survives a crash
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma(`cache_size = -${options.bulk ? BULK_CACHE_KIB : CACHE_KIB}`);
    if (options.bulk) this.db.pragma(`wal_autocheckpoint = ${BULK_WAL_PAGES}`);
    const applied = migrateSqlite(this.db);
    this.planner = new PagePlanner(this);
    const db = this.db;
    this.st = {
      existing: db.prepare<[string, string], ExistingRow>(
        `SELECT s.seq, s.rev, s.owner, s.ord, s.last_updated, o.no, s.digest,
           CASE WHEN s.digest IS NULL THEN s.doc END AS doc
         FROM sessions s JOIN owners o ON o.owner = s.owner WHERE s.cpo = ? AND s.id_ci = ?`,
      ),
      // Ord allocation and version bumps of a write transaction (owner-tally.ts).
      owners: ownerStatements(db),
      // start_ms: the console's start-time sort key (migration 13), the document's startDateTime.
      // No RETURNING: SQLite runs RETURNING as a trigger, which makes the statement keep a statement journal (the
      // prior image of every 16 KB page it changes, spilled past 64 KB to a file in /var/tmp): ~7 page writes per
      // created session, most of demo's system time (docs/performance.md, 2026-12-03 sixth round). The new seq is
      // the statement's last insert rowid (seq is the rowid).
      insert: db.prepare<[string, string, string, number, number, number, string, string, number]>(
        `INSERT INTO sessions (cpo, id_ci, owner, ord, last_updated, rev, doc, digest, start_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      update: db.prepare<[string, number, number, string, number, string, number, number]>(
        `UPDATE sessions SET owner = ?, ord = ?, last_updated = ?, doc = ?, rev = ?, digest = ?, start_ms = ?
         WHERE seq = ?`,
      ),
      // A session's history (migration 11): one row per revision, the oldest past HISTORY_LIMIT deleted.
      history: db.prepare<[number, number, number, number, string | null, string]>(
        `INSERT INTO session_history (seq, rev, written_at, last_updated, source, summary)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      trimHistory: db.prepare<[number, number]>('DELETE FROM session_history WHERE seq = ? AND rev <= ?'),
      readHistory: db.prepare<[number, number], HistoryRow>(
        `SELECT rev, written_at, last_updated, source, summary FROM session_history WHERE seq = ?
         ORDER BY rev DESC LIMIT ?`,
      ),
      // Outbox rows and push_state are keyed by (partner_key, module, object_seq): OutboxKey, `...key` below.
      enqueue: db.prepare<[...Key, number, number, number]>(
        `INSERT INTO outbox (partner_key, module, object_seq, rev, enqueued_at, next_attempt_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (partner_key, module, object_seq) DO UPDATE SET rev = excluded.rev`,
      ),
      // Due order is the index's (outbox_due): no sort of the due rows.
      due: db.prepare<[number, number], Omit<Delivery, 'claim'>>(
        `SELECT partner_key AS partnerKey, module, object_seq AS objectSeq, rev, attempts, enqueued_at AS enqueuedAt
         FROM outbox WHERE next_attempt_at <= ? ORDER BY next_attempt_at, enqueued_at LIMIT ?`,
      ),
      laneDue: db.prepare<[Numbered], { partner_key: string; module: ModuleId; object_seq: number }>(
        LANES.due,
      ),
      leased: db.prepare<[number, string, ...Key], Omit<Delivery, 'claim'>>(
        `UPDATE outbox SET next_attempt_at = ?, claim = ? WHERE ${KEY_IS}
         RETURNING partner_key AS partnerKey, module, object_seq AS objectSeq, rev, attempts, enqueued_at AS enqueuedAt`,
      ),
      lanePartners: db.prepare<[], { partner_key: string }>(LANES.partners),
      laneStates: db.prepare<[], LaneRow>(LANES.states),
      laneFailed: db.prepare<[Numbered], LaneRow>(LANES.failed),
      pauseLane: db.prepare<[Numbered]>(LANES.pause),
      laneProbe: db.prepare<[Numbered]>(LANES.probe),
      probeEntry: db.prepare<[Numbered]>(LANES.probeEntry),
      laneSucceeded: db.prepare<[Numbered]>(LANES.succeeded),
      lease: db.prepare<[number, string, ...Key]>(
        `UPDATE outbox SET next_attempt_at = ?, claim = ? WHERE ${KEY_IS}`,
      ),
      // Fenced: each of these changes the row only while it carries the worker's claim.
      renew: db.prepare<[number, ...Key, string]>(
        `UPDATE outbox SET next_attempt_at = ? WHERE ${KEY_IS} AND claim = ?`,
      ),
      held: db.prepare<[...Key, string], { rev: number }>(
        `SELECT rev FROM outbox WHERE ${KEY_IS} AND claim = ?`,
      ),
      done: db.prepare<[...Key, number]>(`DELETE FROM outbox WHERE ${KEY_IS} AND rev = ?`),
      requeue: db.prepare<[number, ...Key, number]>(
        `UPDATE outbox SET next_attempt_at = ?, attempts = 0, last_error = NULL, claim = NULL
         WHERE ${KEY_IS} AND rev <> ?`,
      ),
      delivered: db.prepare<[...Key, string, number]>(
        `INSERT INTO push_state (partner_key, module, object_seq, delivered, rev) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (partner_key, module, object_seq) DO UPDATE SET delivered = excluded.delivered, rev = excluded.rev`,
      ),
      deliveredState: db.prepare<Key, { delivered: string; rev: number | null }>(
        `SELECT delivered, rev FROM push_state WHERE ${KEY_IS}`,
      ),
      getDelivered: db.prepare<Key, { delivered: string }>(
        `SELECT delivered FROM push_state WHERE ${KEY_IS}`,
      ),
      fail: db.prepare<[number, string, ...Key, string]>(
        `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, claim = NULL
         WHERE ${KEY_IS} AND claim = ?`,
      ),
      depth: db.prepare<[Numbered], { n: number }>(LANES.depth),
      outboxSummary: db.prepare<[Numbered], OutboxSummaryRow>(outboxSummarySql(sqlitePlaceholder)),
      bySeq: db.prepare<[number], { seq: number; owner: string; doc: string; rev: number }>(
        'SELECT seq, owner, doc, rev FROM sessions WHERE seq = ?',
      ),
      // The push's read: the document and the stored body of one format (page_bodies' id, as sessionBodies).
      forPush: db.prepare<[Numbered], { seq: number; rev: number; doc: string; body: string | null }>(
        `SELECT s.seq, s.rev, s.doc, b.body FROM sessions s JOIN owners o ON o.owner = s.owner
         LEFT JOIN page_bodies b ON b.id = (o.no << 44) | (?2 << 40) | s.ord WHERE s.seq = ?1`,
      ),
      body: db.prepare<[number, number, number, string]>(
        `INSERT OR REPLACE INTO page_bodies (id, body) VALUES (${BODY_ID}, ?)`,
      ),
      dropBody: db.prepare<[number, number, number]>(`DELETE FROM page_bodies WHERE id = ${BODY_ID}`),
      count: db.prepare<[string, number, number, number]>(
        `INSERT INTO session_counts (owner, block, day, n) VALUES (?, ?, ?, ?)
         ON CONFLICT (owner, day, block) DO UPDATE SET n = n + excluded.n`,
      ),
      get: db.prepare<[string, string], { seq: number; owner: string; doc: string; rev: number }>(
        'SELECT seq, owner, doc, rev FROM sessions WHERE cpo = ? AND id_ci = ?',
      ),
      scan: db.prepare<[number, number], { seq: number; owner: string; doc: string; rev: number }>(
        'SELECT seq, owner, doc, rev FROM sessions WHERE seq > ? ORDER BY seq LIMIT ?',
      ),
      version: db.prepare<[string], { version: number }>('SELECT version FROM owners WHERE owner = ?'),
      ownerState: db.prepare<[string], { version: number; next_ord: number }>(
        'SELECT version, next_ord FROM owners WHERE owner = ?',
      ),
      fullDays: db.prepare<[string, number, number], { block: number; n: number }>(
        `SELECT block, SUM(n) AS n FROM session_counts WHERE owner = ? AND day >= ? AND day < ?
         GROUP BY block ORDER BY block`,
      ),
      range: db.prepare<[number, string, number, number], { block: number; n: number }>(
        `SELECT ord >> ? AS block, COUNT(*) AS n FROM sessions
         WHERE owner = ? AND last_updated >= ? AND last_updated < ? GROUP BY block ORDER BY block`,
      ),
      // A page is its bodies alone (pluck: one string per row, no row array, no other column: measured 0.6x the
      // CPU of rows [ord, body, owner version, partners version] at limit 100 and 1000); the versions come from
      // pageVersions in the same read transaction, hence the same snapshot (src/store/paging.ts).
      // With a date window the page is chosen from the covering index alone, then only its rows fetch their bodies
      // (measured: 1.5x faster than one flat join with OFFSET, which looks the bodies of skipped rows up too).
      page: db
        .prepare<[string, number, number, number, number, number, number, string], string>(
          `SELECT b.body
           FROM (SELECT ord FROM sessions WHERE owner = ? AND ord >= ? AND last_updated >= ? AND last_updated < ?
                 ORDER BY ord LIMIT ? OFFSET ?) AS p
           CROSS JOIN owners o CROSS JOIN page_bodies b ON b.id = (o.no << 44) | (? << 40) | p.ord
           WHERE o.owner = ? ORDER BY p.ord`,
        )
        .pluck(),
      // Without one, the page is a range of page_bodies: adjacent rows, no index, no join (measured 0.6x the time).
      pageAll: db
        .prepare<[string, number, number, number, number, number], string>(
          `SELECT b.body
           FROM owners o CROSS JOIN page_bodies b
           WHERE o.owner = ? AND b.id >= (o.no << 44) | (? << 40) | ? AND b.id < (o.no << 44) | ((? + 1) << 40)
           ORDER BY b.id LIMIT ? OFFSET ?`,
        )
        .pluck(),
      pageVersions: db
        .prepare<[string], [version: number | null, partnersVersion: number]>(
          `SELECT (SELECT version FROM owners WHERE owner = ?), v FROM partners_version`,
        )
        .raw(true),
      addPartner: db.prepare<
        [string, string, string, string, string, string, string, number, string | null],
        PartnerRow
      >(
        `INSERT INTO partners (country_code, party_id, party_key, roles, format, state, token_hash, created_at, version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      ),
      partnerByHash: db.prepare<[string], PartnerRow & { partners_version: number }>(
        'SELECT *, (SELECT v FROM partners_version) AS partners_version FROM partners WHERE token_hash = ?',
      ),
      partnerByKey: db.prepare<[string], PartnerRow>('SELECT * FROM partners WHERE party_key = ?'),
      theirToken: db.prepare<[number], { their_token: string | null }>(
        'SELECT their_token FROM partners WHERE id = ?',
      ),
      addInvite: db.prepare<[string, number], PartnerRow>(
        `INSERT INTO partners (country_code, party_id, party_key, roles, format, state, token_hash, created_at)
         VALUES ('', '', NULL, '', 'ocpi', 'invited', ?, ?) RETURNING *`,
      ),
      removeById: db.prepare<[number]>('DELETE FROM partners WHERE id = ?'),
      partners: db.prepare<[], PartnerRow>('SELECT * FROM partners ORDER BY party_key'),
      removePartner: db.prepare<[string]>('DELETE FROM partners WHERE party_key = ?'),
      acquireLock: db.prepare<[string, string, number, number], { holder: string }>(
        `INSERT INTO locks (name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE
           SET holder = excluded.holder, expires_at = excluded.expires_at
           WHERE locks.holder = excluded.holder OR locks.expires_at <= ? RETURNING holder`,
      ),
      releaseLock: db.prepare<[string, string]>('DELETE FROM locks WHERE name = ? AND holder = ?'),
      lockHolder: db.prepare<[string], { holder: string; expires_at: number }>(
        'SELECT holder, expires_at FROM locks WHERE name = ?',
      ),
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare<[string, string]>(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      ping: db.prepare('SELECT 1'),
      // The stored formats (migration 12), read inside every write transaction.
      mask: db.prepare<[], number>('SELECT mask FROM stored_formats').pluck(),
      pending: db.prepare<[], number>('SELECT fmt FROM pending_renders ORDER BY fmt').pluck(),
      setMask: db.prepare<[number]>('UPDATE stored_formats SET mask = ?'),
      addPending: db.prepare<[number]>(
        'INSERT OR IGNORE INTO pending_renders (fmt) SELECT ? WHERE EXISTS (SELECT 1 FROM sessions)',
      ),
      // A page of a format that is not ready: the documents of the same positions as `page` (sessions_owner_ord).
      docsPage: db
        .prepare<[string, number, number, number, number, number], string>(
          `SELECT doc FROM sessions WHERE owner = ? AND ord >= ? AND last_updated >= ? AND last_updated < ?
           ORDER BY ord LIMIT ? OFFSET ?`,
        )
        .pluck(),
    };
    this.readPage = db.transaction(
      (owner: string, f: number, fromOrd: number, from: number, to: number, skip: number, limit: number) => {
        const bodies =
          from === MIN && to === MAX
            ? this.st.pageAll.all(owner, f, fromOrd, f, limit, skip)
            : this.st.page.all(owner, fromOrd, from, to, limit, skip, f, owner);
        const [version, partnersVersion] = this.st.pageVersions.get(owner)!;
        // Text: the response writes it out once as UTF-8 (BLOB columns measured 2x slower: one allocation per row).
        return { bodies, version: version ?? 0, partnersVersion };
      },
    );
    // A file whose stored formats were just introduced: the formats its partners read (a file with sessions keeps
    // every format already, migrations.ts).
    if (applied.includes(12))
      this.addFormats(this.st.partners.all().map(partnerFromRow).flatMap(formatsReadBy));
    this.readDocs = db.transaction(
      (owner: string, fromOrd: number, from: number, to: number, skip: number, limit: number) => {
        const bodies = this.st.docsPage.all(owner, fromOrd, from, to, limit, skip);
        const [version, partnersVersion] = this.st.pageVersions.get(owner)!;
        return { bodies, version: version ?? 0, partnersVersion };
      },
    );
  }

  async putSessions(records: SessionRecord[], options: PutOptions): Promise<PutOutcome[]> {
    const now = Date.now();
    // IMMEDIATE: the write lock first. A deferred transaction that reads and then writes fails at once with
    // SQLITE_BUSY (no busy wait) when another process wrote since its read began (the push worker of a server,
    // while `import` or another writer runs on the same file).
    return this.db
      .transaction(() => {
        // Counter changes are summed over the batch and written once per (owner, block, day) at its end.
        const deltas = new Map<string, CountDelta>();
        // The stored formats, read under the write lock: an addition commits before or after this whole batch.
        const formats = formatsOfMask(this.st.mask.get()!);
        const owners = new OwnerTally(this.st.owners);
        const outcomes = records.map((r) => {
          const { outcome, seq, outbox } = this.putOne(r, options, formats, deltas, owners, now);
          for (const e of outbox) this.st.enqueue.run(e.partnerKey, e.module, seq, e.rev, now, now);
          return outcome;
        });
        owners.flush();
        for (const c of deltas.values())
          if (c.delta !== 0) this.st.count.run(c.owner, c.block, c.day, c.delta);
        return outcomes;
      })
      .immediate();
  }

  /** Executes the write plan (src/store/write-plan.ts) of one record, statement by statement. */
  private putOne(
    rec: SessionRecord,
    options: PutOptions,
    formats: readonly WireFormat[],
    deltas: Map<string, CountDelta>,
    owners: OwnerTally,
    now: number,
  ): { outcome: PutOutcome; seq: number; outbox: OutboxEntry[] } {
    const s = rec.session;
    const { cpo, idCi } = sessionKey(s);
    const old = this.st.existing.get(cpo, idCi);
    // Inside the write transaction: no other writer can come between the revision check and the write.
    const state = old && {
      owner: old.owner,
      ord: old.ord,
      rev: old.rev,
      lastUpdated: old.last_updated,
      digest: storedDigest(old.digest, old.doc, old.owner),
    };
    const plan = planWrite(state, rec, options);
    if (plan.conflict) throw new RevisionConflict();
    if (plan.outcome === 'stale') return { outcome: 'stale', seq: old!.seq, outbox: [] };
    // An allocation tells the owner's number too (owners.no).
    let ord: number;
    let no: number;
    if (plan.ord === 'allocate') ({ ord, no } = owners.allocate(plan.owner));
    else ({ ord, no } = { ord: plan.ord, no: old!.no });
    // Every owner whose list the write changes (the record's, and the one it left) gets a new version.
    for (const owner of plan.bump) owners.bump(owner);
    // A plan only drops the stored position, whose owner's number came with the stored row.
    for (const d of plan.dropBodies) WIRE_FORMATS.forEach((_, i) => this.st.dropBody.run(old!.no, i, d.ord));
    const placed = placeWrite(plan, ord, formats, options.render);
    for (const c of placed.counts) {
      const k = `${c.owner}\u0000${c.block}\u0000${c.day}`;
      const sum = deltas.get(k);
      if (sum) sum.delta += c.delta;
      else deltas.set(k, { ...c });
    }
    const doc = rec.doc ?? JSON.stringify(s);
    let seq: number;
    if (old) {
      this.st.update.run(
        plan.owner,
        ord,
        plan.lastUpdated,
        doc,
        plan.rev,
        plan.digestJson,
        s.startDateTime,
        old.seq,
      );
      seq = old.seq;
    } else {
      seq = Number(
        this.st.insert.run(
          cpo,
          idCi,
          plan.owner,
          ord,
          plan.lastUpdated,
          plan.rev,
          doc,
          plan.digestJson,
          s.startDateTime,
        ).lastInsertRowid,
      );
    }
    const h = plan.history;
    this.st.history.run(seq, h.rev, now, h.lastUpdated, h.source, h.summary);
    if (plan.trimHistoryTo !== undefined) this.st.trimHistory.run(seq, plan.trimHistoryTo);
    for (const b of placed.bodies) this.st.body.run(no, WIRE_FORMATS.indexOf(b.format), b.ord, b.body);
    return { outcome: plan.outcome, seq, outbox: plan.outbox };
  }

  async getSession(countryCode: string, partyId: string, id: string): Promise<StoredSession | undefined> {
    return this.lookup({ countryCode, partyId, id });
  }

  async getSessions(keys: readonly SessionRef[]): Promise<(StoredSession | undefined)[]> {
    // One read transaction for all: SQLite begins and ends one per statement otherwise (contract.ts).
    return this.db.transaction(() => keys.map((k) => this.lookup(k))).deferred();
  }

  private lookup(ref: SessionRef): StoredSession | undefined {
    const { cpo, idCi } = sessionKey(ref);
    return stored(this.st.get.get(cpo, idCi));
  }

  async getSessionBySeq(seq: number): Promise<StoredSession | undefined> {
    return stored(this.st.bySeq.get(seq));
  }
  async sessionsForPush(seqs: readonly number[], format: WireFormat): Promise<(PushRead | undefined)[]> {
    const fmt = WIRE_FORMATS.indexOf(format);
    return seqs.map((seq) => {
      const r = this.st.forPush.get(numbered(seq, fmt));
      return r && { seq: r.seq, rev: r.rev, doc: r.doc, body: r.body ?? undefined };
    });
  }

  async scanSessions(afterSeq: number, limit: number) {
    return this.st.scan.all(afterSeq, limit).map((r) => stored(r)!);
  }

  listSessions(
    scope: SessionScope,
    query: PageQuery,
    format: WireFormat,
    render?: (session: Session) => string,
  ): Promise<RenderedPage> {
    return this.planner.list(scope, query, format, render);
  }

  async ownerVersion(owner: string): Promise<number> {
    return this.st.version.get(owner)?.version ?? 0;
  }
  async ownerState(owner: string): Promise<{ version: number; lastOrd: number }> {
    const row = this.st.ownerState.get(owner);
    return { version: row?.version ?? 0, lastOrd: row?.next_ord ?? 0 };
  }
  async countFullDays(owner: string, dayFrom: number, dayTo: number): Promise<BlockCounts> {
    return this.st.fullDays.all(owner, dayFrom, dayTo);
  }
  async countRange(owner: string, from: number, to: number): Promise<BlockCounts> {
    return this.st.range.all(BLOCK_BITS, owner, from, to);
  }
  async pageBodies(
    owner: string,
    fromOrd: number,
    from: number,
    to: number,
    skip: number,
    limit: number,
    format: WireFormat,
    render?: (session: Session) => string,
  ) {
    const f = WIRE_FORMATS.indexOf(format);
    if (this.isReady(f)) return this.readPage(owner, f, fromOrd, from, to, skip, limit);
    const page = this.readDocs(owner, fromOrd, from, to, skip, limit);
    return { ...page, bodies: renderDocs(page.bodies as string[], format, render) };
  }

  /** Is the format stored for every session? (In the set and not pending; cached once true: it stays so.) */
  private isReady(f: number): boolean {
    if (this.ready.has(f)) return true;
    for (const r of this.readStoredFormats().ready) this.ready.add(WIRE_FORMATS.indexOf(r));
    return this.ready.has(f);
  }

  async storedFormats(): Promise<StoredFormats> {
    return this.readStoredFormats();
  }
  private readStoredFormats(): StoredFormats {
    return this.db.transaction(() => storedFormatsOf(this.st.mask.get()!, this.st.pending.all())).deferred();
  }

  async addStoredFormats(formats: readonly WireFormat[]): Promise<WireFormat[]> {
    return this.addFormats(formats);
  }
  private addFormats(formats: readonly WireFormat[]): WireFormat[] {
    const has = (mask: number, f: WireFormat) => (mask & (1 << WIRE_FORMATS.indexOf(f))) !== 0;
    if (formats.every((f) => has(this.st.mask.get()!, f))) return []; // the usual case: no write lock
    // IMMEDIATE: the write lock, so no write transaction is in flight (each read the set under the same lock).
    return this.db
      .transaction(() => {
        const mask = this.st.mask.get()!;
        const added = formats.filter((f, i) => !has(mask, f) && formats.indexOf(f) === i);
        if (added.length === 0) return [];
        this.st.setMask.run(mask | maskOfFormats(added));
        for (const f of added) this.st.addPending.run(WIRE_FORMATS.indexOf(f));
        return added;
      })
      .immediate();
  }

  /** A partner added or changed reads its formats: they join the stored set (issue 16). */
  private withFormats(partner: Partner): Partner {
    this.addFormats(formatsReadBy(partner));
    return partner;
  }

  async addPartner(p: NewPartner): Promise<Partner> {
    const row = this.st.addPartner.get(
      p.countryCode.toUpperCase(),
      p.partyId.toUpperCase(),
      partyKey(p.countryCode, p.partyId),
      p.roles.join(','),
      p.format,
      'configured',
      p.tokenHash,
      Date.now(),
      p.version ?? null,
    )!;
    return this.withFormats(partnerFromRow(row));
  }
  async addInvite(tokenHash: string): Promise<Partner> {
    return partnerFromRow(this.st.addInvite.get(tokenHash, Date.now())!);
  }
  async updatePartner(id: number, update: PartnerUpdate): Promise<Partner> {
    const cols = partnerUpdateColumns(update);
    const sql = `UPDATE partners SET ${cols.map(([c]) => `${c} = ?`).join(', ') || 'id = id'} WHERE id = ? RETURNING *`;
    const row = this.db.prepare<unknown[], PartnerRow>(sql).get(...cols.map(([, v]) => v), id);
    if (!row) throw new Error(`no partner with id ${id}`);
    return this.withFormats(partnerFromRow(row));
  }
  async getPartner(key: PartyKey): Promise<Partner | undefined> {
    const row = this.st.partnerByKey.get(key);
    return row ? partnerFromRow(row) : undefined;
  }
  async getTheirToken(id: number): Promise<string | undefined> {
    return this.st.theirToken.get(id)?.their_token ?? undefined;
  }
  async removePartnerById(id: number): Promise<boolean> {
    return this.st.removeById.run(id).changes > 0;
  }

  async claimDeliveries(now: number, limit: number, leaseMs: number): Promise<Delivery[]> {
    const claim = randomUUID();
    // IMMEDIATE: the write lock before the read, so two processes cannot both read the same due rows.
    return this.db
      .transaction(() => {
        const rows = this.st.due.all(now, limit);
        for (const r of rows) this.st.lease.run(now + leaseMs, claim, ...key(r));
        return rows.map((r) => ({ ...r, claim }));
      })
      .immediate();
  }
  async claimLanes(wants: readonly LaneClaim[], now: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const claim = randomUUID();
    return this.db
      .transaction(() =>
        wants.flatMap((w) =>
          this.st.laneDue.all(numbered(w.partnerKey, now, w.limit)).map((r) => {
            const k: Key = [r.partner_key, r.module, r.object_seq];
            const delivered = this.st.getDelivered.get(...k)?.delivered;
            return { ...this.st.leased.get(now + leaseMs, claim, ...k)!, claim, delivered };
          }),
        ),
      )
      .immediate();
  }
  async outboxPartners(): Promise<PartyKey[]> {
    return this.st.lanePartners.all().map((r) => r.partner_key as PartyKey);
  }
  async laneStates(): Promise<LaneState[]> {
    return this.st.laneStates.all().map(laneFromRow);
  }
  async laneFailed(partnerKey: PartyKey, at: number, error: string): Promise<LaneState> {
    return laneFromRow(this.st.laneFailed.get(numbered(partnerKey, error.slice(0, MAX_ERROR_CHARS), at))!);
  }
  async pauseLane(partnerKey: PartyKey, until: number): Promise<void> {
    this.st.pauseLane.run(numbered(partnerKey, until));
  }
  async takeLaneProbe(partnerKey: PartyKey, now: number, until: number): Promise<boolean> {
    return this.db
      .transaction(() => {
        if (this.st.laneProbe.run(numbered(partnerKey, now, until)).changes === 0) return false;
        this.st.probeEntry.run(numbered(partnerKey, now));
        return true;
      })
      .immediate();
  }
  async laneSucceeded(partnerKey: PartyKey, at: number): Promise<void> {
    this.st.laneSucceeded.run(numbered(partnerKey, at));
  }
  async setOperatorPause(partnerKey: PartyKey, paused: boolean): Promise<void> {
    this.prepared(CONSOLE.operatorPause).run(numbered(partnerKey, paused ? 1 : 0));
  }
  async retryNow(partnerKey: PartyKey, now: number): Promise<number> {
    return this.db
      .transaction(() => {
        this.prepared(CONSOLE.retryLane).run(numbered(partnerKey));
        return this.prepared(CONSOLE.retryEntries).run(numbered(partnerKey, now)).changes;
      })
      .immediate();
  }

  async consoleList(q: ConsoleListQuery): Promise<ConsoleListRow[]> {
    const { sql, args } = listStatement(SQLITE_CONSOLE, q);
    const rows = this.prepared(sql).all(numbered(...args)) as (SessionRowish & {
      k: number;
    })[];
    return rows.map((r) => ({ ...stored(r)!, key: Number(r.k) }));
  }
  async sessionBodies(seq: number): Promise<Partial<Record<WireFormat, string>>> {
    const out: Partial<Record<WireFormat, string>> = {};
    const st = this.prepared(
      `SELECT b.body FROM sessions s CROSS JOIN owners o CROSS JOIN page_bodies b
       ON b.id = (o.no << 44) | (?2 << 40) | s.ord WHERE s.seq = ?1 AND o.owner = s.owner`,
    );
    WIRE_FORMATS.forEach((f, i) => {
      const row = st.get(numbered(seq, i)) as { body: string } | undefined;
      if (row) out[f] = row.body;
    });
    return out;
  }
  async sessionHistory(seq: number, limit: number): Promise<SessionHistoryEntry[]> {
    return this.st.readHistory.all(seq, limit).map(historyFromRow);
  }
  async deliveredState(k: OutboxKey): Promise<DeliveredState | undefined> {
    const r = this.st.deliveredState.get(...key(k));
    return r && { doc: r.delivered, ...(r.rev !== null ? { rev: Number(r.rev) } : {}) };
  }
  async outboxEntry(k: OutboxKey): Promise<OutboxEntryState | undefined> {
    const r = this.prepared(CONSOLE.outboxEntry).get(numbered(...key(k))) as OutboxEntryRow | undefined;
    return r && outboxEntryFromRow(r);
  }
  async recentSessions(since: number, todayFrom: number, limit: number) {
    const rows = this.prepared(CONSOLE.recent).all(numbered(since, todayFrom, limit)) as RecentRow[];
    return rows.map(recentFromRow);
  }
  async sessionTotals(today: number): Promise<{ total: number; today: number }> {
    const r = this.prepared(CONSOLE.counts).get(numbered(today)) as { total: number; today: number };
    return { total: Number(r.total), today: Number(r.today) };
  }
  /** Statements of the console, prepared once each (their text depends on the query's shape). */
  private prepared(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }
  private readonly statements = new Map<string, Database.Statement>();

  async renewDelivery(d: Delivery, now: number, leaseMs: number): Promise<boolean> {
    return this.st.renew.run(now + leaseMs, ...key(d), d.claim).changes > 0;
  }
  async completeDelivery(d: Delivery, deliveredDoc: string): Promise<boolean> {
    return (await this.completeDeliveries([{ delivery: d, doc: deliveredDoc }]))[0]!;
  }
  async completeDeliveries(done: readonly Completed[]): Promise<boolean[]> {
    const now = Date.now();
    return this.db
      .transaction(() =>
        done.map(({ delivery: d, doc }) => {
          if (!this.st.held.get(...key(d), d.claim)) return false;
          this.st.delivered.run(...key(d), doc, d.rev);
          this.st.done.run(...key(d), d.rev);
          // A newer revision arrived meanwhile: it is due at once (not after the lease of the delivered one).
          this.st.requeue.run(now, ...key(d), d.rev);
          return true;
        }),
      )
      .immediate();
  }
  async failDelivery(d: Delivery, nextAttemptAt: number, error: string): Promise<boolean> {
    return this.st.fail.run(nextAttemptAt, error.slice(0, MAX_ERROR_CHARS), ...key(d), d.claim).changes > 0;
  }
  async getDelivered(k: OutboxKey): Promise<string | undefined> {
    return this.st.getDelivered.get(...key(k))?.delivered;
  }
  async outboxDepth(limit = Number.MAX_SAFE_INTEGER): Promise<number> {
    return this.st.depth.get(numbered(limit))!.n;
  }
  async outboxSummary(scanLimit: number, now = Date.now()): Promise<OutboxSummary> {
    return summaryFromRows(this.st.outboxSummary.all(numbered(scanLimit + 1, now)), scanLimit);
  }

  async findPartnerByTokenHash(tokenHash: string) {
    const row = this.st.partnerByHash.get(tokenHash);
    return row
      ? { ...partnerFromRow(row), tokenHash: row.token_hash, partnersVersion: row.partners_version }
      : undefined;
  }
  async listPartners(): Promise<Partner[]> {
    return this.st.partners.all().map(partnerFromRow);
  }
  async removePartner(key: PartyKey): Promise<boolean> {
    return this.st.removePartner.run(key).changes > 0;
  }

  async acquireLock(name: string, holder: string, now: number, expiresAt: number): Promise<boolean> {
    return this.st.acquireLock.get(name, holder, expiresAt, now) !== undefined;
  }
  async releaseLock(name: string, holder: string): Promise<void> {
    this.st.releaseLock.run(name, holder);
  }
  async lockHolder(name: string) {
    const row = this.st.lockHolder.get(name);
    return row ? { holder: row.holder, expiresAt: row.expires_at } : undefined;
  }

  async readSetting<T>(setting: Setting<T>): Promise<T | undefined> {
    const raw = this.st.getMeta.get(setting.key)?.value;
    return raw === undefined ? undefined : setting.decode(raw);
  }
  async writeSetting<T>(setting: Setting<T>, value: T): Promise<void> {
    this.st.setMeta.run(setting.key, setting.encode(value));
  }
  async settingKeys(prefix: string): Promise<string[]> {
    const rows = this.prepared('SELECT key FROM meta WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key').all(
      numbered(prefix),
    ) as { key: string }[];
    return rows.map((r) => r.key);
  }
  async ping(): Promise<void> {
    this.st.ping.get();
  }
  async close(): Promise<void> {
    this.db.close();
  }

  async renderPendingBodies(render: RenderBody, batch = 1000, signal?: AbortSignal): Promise<number> {
    const pending = this.st.pending.all().map((fmt) => ({ fmt }));
    // The body id of store/sqlite/schema.ts; OR IGNORE keeps a body a session write stored meanwhile.
    const missing = this.db.prepare<[number, number, number], { seq: number; rev: number; doc: string }>(
      `SELECT s.seq, s.rev, s.doc FROM sessions s JOIN owners o ON o.owner = s.owner
       WHERE s.seq > ? AND NOT EXISTS (SELECT 1 FROM page_bodies b WHERE b.id = (o.no << 44) | (? << 40) | s.ord)
       ORDER BY s.seq LIMIT ?`,
    );
    const put = this.db.prepare<[number, string, number, number]>(
      `INSERT OR IGNORE INTO page_bodies (id, body)
       SELECT (o.no << 44) | (? << 40) | s.ord, ? FROM sessions s JOIN owners o ON o.owner = s.owner
       WHERE s.seq = ? AND s.rev = ?`,
    );
    let written = 0;
    for (const { fmt } of pending) {
      const format = WIRE_FORMATS[fmt]!;
      for (let after = 0; ;) {
        const rows = missing.all(after, fmt, batch);
        if (rows.length === 0) break;
        this.db
          .transaction(() => {
            for (const r of rows) {
              const body = render(format, JSON.parse(r.doc) as Session);
              written += put.run(fmt, body, r.seq, r.rev).changes;
            }
          })
          .immediate();
        after = rows.at(-1)!.seq;
        // Let the server answer between batches (a format added at runtime renders while it serves).
        await new Promise((resolve) => setImmediate(resolve));
        if (signal?.aborted) return written;
      }
      this.db.prepare('DELETE FROM pending_renders WHERE fmt = ?').run(fmt);
    }
    return written;
  }
}

export interface SqliteOptions {
  /**
   * A bulk writer (demo, pull, import: large transactions one after the other): checkpoint the WAL every
   * BULK_WAL_PAGES pages instead of SQLite's 1 000. A page that several batches change (the leaves of the random
   * (cpo, id_ci) index, the right edge of the others) is copied into the file once per checkpoint instead of once per
   * 16 MB of WAL. Measured: `demo --sessions 400000` 64-65 s -> 59 s alone, 40-43 s with BULK_NODE_FLAGS
   * (docs/performance.md, eighth round). The server keeps the default: its WAL stays small for its readers.
   * And a page cache of BULK_CACHE_KIB instead of CACHE_KIB: see there.
   */
  bulk?: boolean;
}

/** WAL pages between checkpoints for a bulk writer (16 KB pages: 160 MB). */
const BULK_WAL_PAGES = 10000;

/** The page cache of a connection (KiB): 64 MB. */
const CACHE_KIB = 65536;

/**
 * The page cache of a bulk writer (KiB): 128 MB. A pull's batch of 10 000 sessions (PULL_COMMIT_EVERY) at 1 000 000
 * stored changes most leaves of the random (cpo, id_ci) index (~54 MB) plus ~15 MB of rows and the right edges of
 * the other indexes: more than 64 MB, so SQLite evicted pages it needed again in the same batch (re-read them, and
 * spilled dirty ones to the WAL early). Measured (docs/performance.md, ninth round): `pull` of 1 000 000 sessions
 * 104-113 s -> 95-97 s, system CPU 23-27 s -> 16 s, max RSS +60 MB; 256 MB gained nothing more; `demo
 * --sessions 400000` -3 to -4 %.
 */
const BULK_CACHE_KIB = 131072;

/** The page size of new files (see openWritable). */
const PAGE_SIZE = 16384;

/**
 * Opens the file for reading and writing in WAL mode. SQLite's own error for a read-only file, directory or file
 * system is "unable to open database file" or "attempt to write a readonly database": say which file and why.
 */
function openWritable(file: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    // Before the first write (WAL mode fixes it): a new file gets 16 KB pages; an existing one keeps its own. With
    // the default 4 KB, a page holds one 3 KB document or two ~1.8 KB bodies and a quarter of the file was unused;
    // 16 KB pages cut the CPU of storing a batch by 15-20 % and the file by ~15 % (docs/performance.md,
    // 2026-12-03 fourth round).
    db.pragma(`page_size = ${PAGE_SIZE}`);
    db.pragma('journal_mode = WAL');
    return db;
  } catch (e) {
    db?.close();
    let why = '';
    const dir = path.dirname(path.resolve(file));
    for (const p of file === ':memory:' ? [] : existsSync(file) ? [file, dir] : [dir]) {
      try {
        accessSync(p, constants.W_OK);
      } catch (a) {
        const code = (a as NodeJS.ErrnoException).code;
        why = ` (${p} is not writable: ${code === 'EROFS' ? 'read-only file system' : (a as Error).message})`;
        break;
      }
    }
    throw new Error(`cannot open the SQLite database ${file} for writing${why}: ${(e as Error).message}`);
  }
}

type SessionRowish = { seq: number; owner: string; doc: string; rev: number };

function stored(row: SessionRowish | undefined): StoredSession | undefined {
  return row ? { seq: row.seq, rev: row.rev, owner: row.owner, session: JSON.parse(row.doc) } : undefined;
}
