// The Sessions module's pull adapter (service/pull-adapter.ts). "Store pages": parse every object of a page with
// the codec of its format, report the invalid ones, and keep the valid ones until the runner flushes, which stores
// those of every page since the last flush in one transaction (upsert by CPO + id, never replacing a newer
// last_updated with an older one). Each valid session is told to the page stream as its page is written (its
// place, for the shifting rules of client/page-stream.ts). With `renderThread` (pull --render-thread), a page of many
// sessions is rendered in a worker thread (render-thread.ts) while the next page is fetched and parsed; the flush
// awaits its bodies. Measured (docs/performance.md, fourth round): a quarter less CPU on the main thread, a sixth
// more in all; hence not the default, and not for a server's scheduled pulls, which share the CPU with serving.
import { isDeepStrictEqual } from 'node:util';
import type { StreamPage } from '../../../client/page-stream.js';
import { sessionKeyText, type Session } from '../../../domain/session.js';
import {
  styleSpeaks,
  versionOf,
  wireFormatFor,
  type OcpiVersion,
  type WireFormat,
} from '../../../domain/wire-format.js';
import type { SessionRecord, SessionStore } from '../../../store/contract.js';
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
import { recordAt, type RecordBatch } from './record-batch.js';
import { RenderThread } from './render-thread.js';
import { toRecord } from './writer.js';

/** At most this many invalid objects are kept in the summary (all are counted and reported via onInvalid). */
export const MAX_INVALID_LISTED = 1000;

/**
 * With `renderThread`, a page with at least this many valid sessions is rendered in the render thread; a smaller one (a small
 * incremental pull) in this thread at the flush, where starting a worker would cost more than it saves.
 */
export const OFF_THREAD_MIN = 100;

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
 * A valid session waiting for the flush; `first`: its first sighting in this run (counted in `stored`);
 * `rendered`: its page's records from the render thread, this session's at `at`.
 */
interface Held {
  key: string;
  session: Session;
  first: boolean;
  rendered?: Promise<RecordBatch>;
  at: number;
}

class SessionPageWriter implements PageWriter {
  received = 0;
  readonly stored = { new: 0, updated: 0, unchanged: 0 };
  repeated = 0;
  invalid = 0;
  /** Sessions rendered in the render thread. */
  renderedOffThread = 0;
  private thread: RenderThread | undefined;
  readonly invalidObjects: InvalidObject[] = [];
  private readonly seenInvalid = new Set<string>();
  private held: Held[] = [];

  constructor(
    private readonly store: SessionStore,
    private readonly stream: Sightings,
    private readonly o: PageWriterOptions,
  ) {}

  get pending(): number {
    return this.held.length;
  }

  /** Parses the page, reports its invalid objects and keeps its valid sessions for the next flush. */
  async write(page: StreamPage, parsing: PageParsing): Promise<void> {
    const { valid, positions } = this.parse(page, parsing);
    const rendered =
      this.o.renderThread && valid.length >= OFF_THREAD_MIN ? this.renderOffThread(valid) : undefined;
    valid.forEach((s, i) => {
      const key = sessionKeyText(s.countryCode, s.partyId, s.id);
      const first = this.stream.see(key, s.lastUpdated, positions[i]) === 'first';
      if (!first) this.repeated += 1;
      this.held.push({ key, session: s, first, rendered, at: i });
    });
  }

  /** The records of `sessions`, rendered in the render thread from their stored documents. */
  private renderOffThread(sessions: Session[]): Promise<RecordBatch> {
    const batch = (this.thread ??= new RenderThread()).render(sessions.map((s) => JSON.stringify(s)));
    batch.catch(() => undefined); // awaited by the flush, where a failure is reported
    this.renderedOffThread += sessions.length;
    return batch;
  }

  async close(): Promise<void> {
    await this.thread?.close();
    this.thread = undefined;
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

  /** Stores the new or changed sessions held since the last flush, in one transaction (putSessions). */
  async flush(): Promise<void> {
    // Cleared only once stored: a flush that failed can be tried again (pull-runner.ts, on a failed crawl).
    const held = this.held;
    if (held.length === 0) return;
    const stored = await Promise.all(
      held.map(({ session: s }) => this.store.getSession(s.countryCode, s.partyId, s.id)),
    );
    // A session held twice (a correction's overlap, a rewind) is compared with its earlier version in this batch.
    const latest = new Map<string, Session>();
    const write: Held[] = [];
    let unchanged = 0;
    held.forEach((h, i) => {
      const { key, session: s, first } = h;
      const earlier = latest.get(key);
      const old = earlier ? plain(earlier) : stored[i]?.session;
      // Unchanged: what we hold is newer, or the same version (same last_updated and content).
      if (
        old &&
        (old.lastUpdated > s.lastUpdated || (old.lastUpdated === s.lastUpdated && sameContent(old, s)))
      ) {
        if (first) unchanged += 1;
        return;
      }
      latest.set(key, s);
      write.push(h);
    });
    // A page's bodies from the render thread (awaited: its rendering may still be under way), else rendered here.
    const records: SessionRecord[] = [];
    for (const { session, rendered, at } of write)
      records.push(rendered ? recordAt(await rendered, at, session, 'pull') : toRecord(session, 'pull'));
    // One transaction for the batch; 'if-newer' keeps a newer stored session should one arrive meanwhile.
    const outcomes = write.length === 0 ? [] : await this.store.putSessions(records, { mode: 'if-newer' });
    this.held = [];
    this.stored.unchanged += unchanged;
    outcomes.forEach((outcome, i) => {
      if (!write[i]!.first) return;
      if (outcome === 'created') this.stored.new += 1;
      else if (outcome === 'updated') this.stored.updated += 1;
      else this.stored.unchanged += 1;
    });
  }
}

/** The session as the store gives it back: through JSON (no undefined members). */
function plain(s: Session): Session {
  return JSON.parse(JSON.stringify(s)) as Session;
}

function sameContent(stored: Session, incoming: Session): boolean {
  // The stored session went through JSON (no undefined members); compare like with like.
  return isDeepStrictEqual(stored, plain(incoming));
}
