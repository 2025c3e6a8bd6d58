// The Sessions module's pull adapter (service/pull-adapter.ts). "Store pages": parse every object of a page with
// the codec of its format, report the invalid ones, and keep the valid ones until the runner flushes, which stores
// those of every page since the last flush in one transaction (upsert by CPO + id, never replacing a newer
// last_updated with an older one). Each valid session is told to the page stream as its page is written (its
// place, for the shifting rules of client/page-stream.ts).
import type { StreamPage } from '../../../client/page-stream.js';
import { sessionKeyText, type Session } from '../../../domain/session.js';
import {
  styleSpeaks,
  versionOf,
  wireFormatFor,
  type OcpiVersion,
  type WireFormat,
} from '../../../domain/wire-format.js';
import type { SessionStore } from '../../../store/contract.js';
import { SqliteStore } from '../../../store/sqlite/sqlite-store.js';
import type { ValidationIssue } from '../../../wire/codec.js';
import type {
  InvalidObject,
  PageParsing,
  PageWriter,
  PageWriterOptions,
  PullAdapter,
  Sightings,
} from '../../../service/pull-adapter.js';
import { classifySession, detectFormat } from './classify.js';
import { storeBatch, type BatchCounts, type Held } from './pull-batch.js';
import { StoreThread } from './pull-store-thread.js';

/** At most this many invalid objects are kept in the summary (all are counted and reported via onInvalid). */
export const MAX_INVALID_LISTED = 1000;

/** `ocpi` vs `camel` by key style, the version from the crawl (or, without one, from the object's keys). */
export function formatOf(
  obj: unknown,
  version: OcpiVersion | undefined,
  fallbackStyle: 'ocpi' | 'camel',
): WireFormat | undefined {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const keys = Object.keys(obj);
  const style = keys.some((k) => /[a-z0-9][A-Z]/.test(k))
    ? 'camel'
    : keys.some((k) => k.includes('_'))
      ? 'ocpi'
      : fallbackStyle;
  // The crawl's version when known; else the object's own shape tells (2.2.1 when it does not).
  const detected = version === undefined ? detectFormat(obj) : undefined;
  const v = version ?? (detected ? versionOf(detected) : '2.2.1');
  // No camel 2.3.0: a camelCase object in a 2.3.0 feed is read as camel 2.2.1 (its shape, bar the Price).
  if (!styleSpeaks(style, v)) return wireFormatFor(style, '2.2.1');
  return wireFormatFor(style, v);
}

/** The Sessions module's pull: the CPO's Sessions SENDER, stored a page at a time by SessionPageWriter. */
export const sessionsPull: PullAdapter = {
  module: 'sessions',
  // OCPI 2.2.1 §6.2.2: a CPO implements the Sessions SENDER interface, which we pull from (2.1.1: no role).
  endpoint: { identifier: 'sessions', role: 'SENDER' },
  pageWriter: (store, sightings, options) => new SessionPageWriter(store, sightings, options),
};

/**
 * The batches of a pull into a SQLite file, after the first, are stored on a thread of their own (its own
 * connection, WAL), so this thread fetches and parses the next pages meanwhile (docs/performance.md, seventh
 * round). PostgreSQL and an in-memory database are written in place: PostgreSQL's writes run in its backend
 * already (the runner overlaps them all the same), and a second connection to `:memory:` is another database.
 */
function storeThreadFor(store: SessionStore): StoreThread | undefined {
  if (!(store instanceof SqliteStore) || store.file === ':memory:') return undefined;
  return new StoreThread(store.file);
}

class SessionPageWriter implements PageWriter {
  received = 0;
  readonly stored = { new: 0, updated: 0, unchanged: 0 };
  repeated = 0;
  invalid = 0;
  readonly invalidObjects: InvalidObject[] = [];
  private readonly seenInvalid = new Set<string>();
  private held: Held[] = [];
  /** The store thread, for a SQLite file (see storeThreadFor). */
  private readonly thread: StoreThread | undefined;
  /** Whether a batch was stored already. */
  private flushed = false;

  constructor(
    private readonly store: SessionStore,
    private readonly stream: Sightings,
    private readonly o: PageWriterOptions,
  ) {
    this.thread = storeThreadFor(store);
  }

  get pending(): number {
    return this.held.length;
  }

  /** Parses the page, reports its invalid objects and keeps its valid sessions for the next flush. */
  async write(page: StreamPage, parsing: PageParsing): Promise<void> {
    const { valid, positions } = this.parse(page, parsing);
    valid.forEach((s, i) => {
      const key = sessionKeyText(s.countryCode, s.partyId, s.id);
      const first = this.stream.see(key, s.lastUpdated, positions[i]) === 'first';
      if (!first) this.repeated += 1;
      this.held.push({ key, session: s, first });
    });
  }

  private parse(page: StreamPage, parsing: PageParsing) {
    const valid: Session[] = [];
    const positions: Array<number | undefined> = [];
    const codecOptions = { camelEnums: this.o.camelEnums };
    page.items.forEach((obj, index) => {
      this.received += 1;
      const format = formatOf(obj, parsing.version, page.envelopeStyle);
      const c = classifySession(obj, format, parsing.context, codecOptions, 'not a Session object');
      if (c.ok) {
        valid.push(c.session);
        positions.push(page.base !== undefined ? page.base + index : undefined);
      } else {
        this.reportInvalid(page, index, obj, c.id, c.issues);
      }
    });
    return { valid, positions };
  }

  private reportInvalid(
    page: StreamPage,
    index: number,
    obj: unknown,
    id: string | undefined,
    issues: ValidationIssue[],
  ): void {
    // OCPI 2.2.1 transport_and_format, GET: the client cannot tell the server; log it and process the valid objects.
    const dedupe = id !== undefined ? `id:${id}` : `json:${JSON.stringify(obj) ?? String(obj)}`;
    if (this.seenInvalid.has(dedupe)) {
      this.repeated += 1;
      return;
    }
    this.seenInvalid.add(dedupe);
    this.invalid += 1;
    const report: InvalidObject = { page: page.number, index, url: page.url, id, issues };
    if (this.invalidObjects.length < MAX_INVALID_LISTED) this.invalidObjects.push(report);
    this.o.onInvalid?.(report);
  }

  /**
   * Stores the sessions held since the last flush in one transaction (pull-batch.ts), on the store thread when
   * there is one. The batch is taken at once: pages written while it is stored are held for the next flush.
   */
  async flush(): Promise<void> {
    const batch = this.held;
    if (batch.length === 0) return;
    this.held = [];
    let counts: BatchCounts;
    try {
      // The first batch in place: a pull of one batch (an incremental pull, mostly) starts no thread.
      const thread = this.flushed ? this.thread : undefined;
      counts = await (thread ? thread.store(batch) : storeBatch(this.store, batch));
    } catch (e) {
      // Given back, in order: a flush that failed can be tried again (pull-runner.ts, on a failed crawl).
      this.held = batch.concat(this.held);
      throw e;
    }
    this.flushed = true;
    this.stored.new += counts.new;
    this.stored.updated += counts.updated;
    this.stored.unchanged += counts.unchanged;
  }

  async close(): Promise<void> {
    await this.thread?.close();
  }
}
