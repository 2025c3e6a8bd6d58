// The console's sessions: the list (filters, sort, keyset paging) and one session's page (its bodies per wire
// format, what is known of its history and deliveries, its charging curve).
//
// The list walks one index in (sort key, seq) order from the cursor (store/console.ts): the sort key's window
// (from/to) and, sorted by last_updated, an eMSP partner's sessions are index ranges; the other filters (status,
// location, id prefix, a CPO partner) are tested on the rows read, at most SCAN_BUDGET rows per request. When the
// budget runs out before the page is full, the page is shorter and next_cursor goes on from the last row read:
// a page never costs more than SCAN_BUDGET rows, however rare the match, at 1 000 000 sessions as at 1 000.
import { SESSION_STATUSES, type SessionStatus } from '../../domain/enums.js';
import { formatDateTime, parseDateTime, parseQueryDateTime } from '../../domain/datetime.js';
import { chargingCurve, type CurvePoint } from '../../domain/charging-curve.js';
import { partyKey, type PartyKey, type Session } from '../../domain/session.js';
import { WIRE_FORMATS, type WireFormat } from '../../domain/wire-format.js';
import type { ConsoleListRow, ConsoleSort, SessionStore, StoredSession } from '../../store/contract.js';
import { MAX, MIN } from '../../store/paging.js';
import { HISTORY_LIMIT } from '../../domain/session-change.js';
import { Refused } from '../refused.js';

export const SCAN_BUDGET = 5000;
const BATCH = 500;
export const DEFAULT_CONSOLE_LIMIT = 50;
export const MAX_CONSOLE_LIMIT = 200;

export interface SessionListInput {
  partner?: string;
  status?: string;
  from?: string;
  to?: string;
  location?: string;
  q?: string;
  sort?: ConsoleSort;
  order?: 'asc' | 'desc';
  limit?: number;
  cursor?: string;
}

export interface SessionListItem {
  country_code: string;
  party_id: string;
  id: string;
  /** The eMSP the session belongs to (its token's party), as a partner key. */
  owner: PartyKey;
  status: SessionStatus;
  start_date_time: string;
  end_date_time: string | null;
  kwh: number;
  location_id: string;
  total_cost: { excl_vat: number; incl_vat?: number } | null;
  currency: string;
  last_updated: string;
}

export interface SessionList {
  items: SessionListItem[];
  next_cursor: string | null;
}

interface Cursor {
  s: ConsoleSort;
  o: 'asc' | 'desc';
  k: number;
  q: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

function decodeCursor(text: string, sort: ConsoleSort, order: 'asc' | 'desc'): Cursor {
  let c: Partial<Cursor> | undefined;
  try {
    c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Cursor>;
  } catch {
    c = undefined;
  }
  if (!c || typeof c.k !== 'number' || typeof c.q !== 'number' || !Number.isFinite(c.k))
    throw new Refused('invalid', "Invalid querystring parameter 'cursor': not a cursor of this list");
  if (c.s !== sort || c.o !== order)
    throw new Refused('invalid', "Invalid querystring parameter 'cursor': made for another sort or order");
  return c as Cursor;
}

function time(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const ms = parseQueryDateTime(text);
  if (ms === undefined)
    throw new Refused('invalid', `Invalid querystring parameter '${name}': not a date-time (ISO 8601)`);
  return ms;
}

export function listItem(stored: StoredSession): SessionListItem {
  const s = stored.session;
  return {
    country_code: s.countryCode,
    party_id: s.partyId,
    id: s.id,
    owner: stored.owner,
    status: s.status,
    start_date_time: formatDateTime(s.startDateTime),
    end_date_time: s.endDateTime === undefined ? null : formatDateTime(s.endDateTime),
    kwh: s.kwh,
    location_id: s.locationId,
    total_cost: s.totalCost
      ? {
          excl_vat: s.totalCost.exclVat,
          ...(s.totalCost.inclVat !== undefined ? { incl_vat: s.totalCost.inclVat } : {}),
        }
      : null,
    currency: s.currency,
    last_updated: formatDateTime(s.lastUpdated),
  };
}

/** One page of the list (see the header). */
export async function listConsoleSessions(
  store: SessionStore,
  input: SessionListInput,
): Promise<SessionList> {
  const sort = input.sort ?? 'last_updated';
  const order = input.order ?? 'desc';
  const limit = Math.min(Math.max(1, input.limit ?? DEFAULT_CONSOLE_LIMIT), MAX_CONSOLE_LIMIT);
  const status = input.status ? input.status.toUpperCase() : undefined;
  if (status !== undefined && !(SESSION_STATUSES as readonly string[]).includes(status))
    throw new Refused(
      'invalid',
      `Invalid querystring parameter 'status': one of ${SESSION_STATUSES.join(', ')}`,
    );
  const from = time('from', input.from) ?? MIN;
  const to = time('to', input.to) ?? MAX;
  const partnerKey = input.partner ? input.partner.trim().toUpperCase() : undefined;
  const partner = partnerKey ? await store.getPartner(partnerKey) : undefined;
  if (partnerKey && !partner)
    throw new Refused('invalid', `Invalid querystring parameter 'partner': no partner ${partnerKey}`);
  // An eMSP partner's sessions, sorted by last_updated, are one index range (owner, last_updated, seq).
  const ownerRange = partner?.roles.includes('EMSP') && sort === 'last_updated' ? partnerKey : undefined;
  const location = input.location?.trim().toUpperCase() || undefined;
  const prefix = input.q?.trim().toUpperCase() || undefined;
  const matches = (r: StoredSession): boolean => {
    const s = r.session;
    if (status !== undefined && s.status !== status) return false;
    if (location !== undefined && s.locationId.toUpperCase() !== location) return false;
    if (prefix !== undefined && !s.id.toUpperCase().startsWith(prefix)) return false;
    if (partnerKey !== undefined && ownerRange === undefined)
      return r.owner === partnerKey || partyKey(s.countryCode, s.partyId) === partnerKey;
    return true;
  };
  let after = input.cursor ? decodeCursor(input.cursor, sort, order) : undefined;
  const found: ConsoleListRow[] = [];
  let read = 0;
  let last: ConsoleListRow | undefined;
  for (;;) {
    const want = Math.min(BATCH, SCAN_BUDGET - read, limit + 1 - found.length);
    const rows = await store.consoleList({
      sort,
      order,
      owner: ownerRange,
      from,
      to,
      after: after && { key: after.k, seq: after.q },
      limit: want,
    });
    for (const r of rows) {
      read++;
      last = r;
      if (matches(r)) found.push(r);
      if (found.length > limit) break;
    }
    if (found.length > limit) {
      const end = found[limit - 1]!;
      return { items: found.slice(0, limit).map(listItem), next_cursor: cursorAt(end) };
    }
    if (rows.length < want) return { items: found.map(listItem), next_cursor: null }; // the end of the range
    if (read >= SCAN_BUDGET) return { items: found.map(listItem), next_cursor: cursorAt(last!) };
    after = { s: sort, o: order, k: last!.key, q: last!.seq };
  }

  function cursorAt(r: ConsoleListRow): string {
    return encodeCursor({ s: sort, o: order, k: r.key, q: r.seq });
  }
}

export interface SessionDelivery {
  partner: PartyKey;
  /**
   * Delivered: the revision the partner acknowledged (null when delivered before revisions were recorded);
   * pending, sending, failing: the revision to deliver.
   */
  rev: number | null;
  /** When: the delivered body's last_updated, or when the pending entry was enqueued. */
  at: string | null;
  result: 'delivered' | 'pending' | 'sending' | 'failing';
  /**
   * The partner lacks the session's current revision: what it acknowledged is older (delivered), or a delivery
   * is still to be acknowledged (pending, sending, failing); null when the acknowledged revision is unknown.
   */
  behind: boolean | null;
  error: string | null;
}

export interface SessionHistoryItem {
  rev: number;
  /** When the revision was written. */
  at: string;
  /** The session's last_updated in that revision. */
  last_updated: string;
  /** What wrote it (domain/session-change.ts WRITE_SOURCES); null when not said. */
  source: string | null;
  /** What changed from the revision before (domain/session-change.ts changeSummary). */
  change: string;
}

export interface SessionPage {
  session: Session;
  /** The session's current revision. */
  rev: number;
  /** The stored body of each wire format, exactly as partners get it (JSON text). */
  formats: Partial<Record<WireFormat, string>>;
  /** The last HISTORY_LIMIT revisions, newest first. */
  history: SessionHistoryItem[];
  deliveries: SessionDelivery[];
  curve: {
    points: { t: string; kw: number; kwh: number }[];
    currency: string;
    total_cost: SessionListItem['total_cost'];
  };
}

/** One session's page, or Refused('not-visible') (404) when there is no such session. */
export async function consoleSession(
  store: SessionStore,
  countryCode: string,
  partyId: string,
  id: string,
  now = Date.now(),
): Promise<SessionPage> {
  const stored = await store.getSession(countryCode, partyId, id);
  if (!stored) throw new Refused('not-visible', `Unknown session ${countryCode}/${partyId}/${id}`);
  const s = stored.session;
  const formats = await store.sessionBodies(stored.seq);
  // Each partner's delivered state and outbox entry for this session: primary-key reads, all at once.
  const partners = (await store.listPartners()).filter((p) => p.key);
  const perPartner = await Promise.all(
    partners.map(async (p): Promise<SessionDelivery[]> => {
      const key = { partnerKey: p.key, module: 'sessions' as const, objectSeq: stored.seq };
      const [entry, delivered] = await Promise.all([store.outboxEntry(key), store.deliveredState(key)]);
      const out: SessionDelivery[] = [];
      if (delivered !== undefined) {
        const rev = delivered.rev ?? null;
        out.push({
          partner: p.key,
          rev,
          at: deliveredAt(delivered.doc),
          result: 'delivered',
          behind: rev === null ? null : rev < stored.rev,
          error: null,
        });
      }
      if (entry)
        out.push({
          partner: p.key,
          rev: entry.rev,
          at: formatDateTime(entry.enqueuedAt),
          // In flight as the outbox summary counts it (store/outbox-summary.ts): claimed and still leased; a
          // claim whose lease ran out (its worker died) is due again, not being sent.
          result:
            entry.claimed && entry.nextAttemptAt > now
              ? 'sending'
              : entry.attempts > 0
                ? 'failing'
                : 'pending',
          behind: true,
          error: entry.lastError ?? null,
        });
      return out;
    }),
  );
  const deliveries = perPartner.flat();
  const history = (await store.sessionHistory(stored.seq, HISTORY_LIMIT)).map((h): SessionHistoryItem => ({
    rev: h.rev,
    at: formatDateTime(h.writtenAt),
    last_updated: formatDateTime(h.lastUpdated),
    source: h.source,
    change: h.summary,
  }));
  const toIso = (p: CurvePoint) => ({ t: formatDateTime(p.t), kw: p.kw, kwh: p.kwh });
  return {
    session: s,
    rev: stored.rev,
    formats,
    // A session last written before the history was kept (SQLite migration 11, PostgreSQL 12) has none yet.
    history: history.length
      ? history
      : [
          {
            rev: stored.rev,
            at: formatDateTime(s.lastUpdated),
            last_updated: formatDateTime(s.lastUpdated),
            source: null,
            change: 'written before the history was kept',
          },
        ],
    deliveries,
    curve: {
      points: chargingCurve(s).map(toIso),
      currency: s.currency,
      total_cost: listItem(stored).total_cost,
    },
  };
}

/**
 * The last_updated of what was delivered (push_state keeps the acknowledged object: the canonical session, its
 * lastUpdated in epoch ms; a wire body's date-time is read too), as an ISO date-time, or null.
 */
function deliveredAt(doc: string): string | null {
  try {
    const o = JSON.parse(doc) as { last_updated?: unknown; lastUpdated?: unknown };
    const v = o.lastUpdated ?? o.last_updated;
    const ms = typeof v === 'number' && Number.isFinite(v) ? v : parseDateTime(v);
    return ms === undefined ? null : formatDateTime(ms);
  } catch {
    return null;
  }
}

/** The JSON text of a session page: the bodies are put in as they are stored (not parsed and re-serialized). */
export function sessionPageJson(page: SessionPage): string {
  const formats = WIRE_FORMATS.filter((f) => page.formats[f] !== undefined)
    .map((f) => `${JSON.stringify(f)}:${page.formats[f]!}`)
    .join(',');
  const { formats: _f, ...rest } = page;
  const head = JSON.stringify(rest);
  return `${head.slice(0, -1)},"formats":{${formats}}}`;
}
