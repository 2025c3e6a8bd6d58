// The Sessions module's pull adapter (service/pull-adapter.ts). "Store pages": parse every object of a page with
// the codec of its format, report the invalid ones, and keep the valid ones until the runner flushes, which stores
// those of every page since the last flush in one transaction (upsert by CPO + id, never replacing a newer
// last_updated with an older one). Each valid session is told to the page stream as its page is written (its
// place, for the shifting rules of client/page-stream.ts).
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
import type { SessionStore } from '../../../store/contract.js';
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
import { putRecords, toRecord } from './writer.js';

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

/** A valid session waiting for the flush; `first`: its first sighting in this run (counted in `stored`). */
interface Held {
  key: string;
  session: Session;
  first: boolean;
}

class SessionPageWriter implements PageWriter {
  received = 0;
  readonly stored = { new: 0, updated: 0, unchanged: 0 };
  repeated = 0;
  invalid = 0;
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

  /** Stores the new or changed sessions held since the last flush, in one transaction (putSessions). */
  async flush(): Promise<void> {
    // Cleared only once stored: a flush that failed can be tried again (pull-runner.ts, on a failed crawl).
    const held = this.held;
    if (held.length === 0) return;
    // One read for the batch (a lookup each cost ~8 µs of the pull's ~110 per session: docs/performance.md, ninth
    // round).
    const stored = await this.store.getSessions(held.map((h) => h.session));
    // A session held twice (a correction's overlap, a rewind) is compared with its earlier version in this batch.
    const latest = new Map<string, Session>();
    const write: Session[] = [];
    const firsts: boolean[] = [];
    let unchanged = 0;
    held.forEach(({ key, session: s, first }, i) => {
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
      write.push(s);
      firsts.push(first);
    });
    // One transaction for the batch; 'if-newer' keeps a newer stored session should one arrive meanwhile.
    const outcomes =
      write.length === 0
        ? []
        : await putRecords(
            this.store,
            write.map((s) => toRecord(s, 'pull')),
            { mode: 'if-newer' },
          );
    this.held = [];
    this.stored.unchanged += unchanged;
    outcomes.forEach((outcome, i) => {
      if (!firsts[i]) return;
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
