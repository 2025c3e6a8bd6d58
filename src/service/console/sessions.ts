// The console's sessions: the list (filters, sort, keyset paging) and one session's page (its bodies per wire
// format, what is known of its history and deliveries, its charging curve).
//
// The list walks one index in (sort key, seq) order from the cursor (store/console.ts): the sort key's window
// (from/to) and, sorted by last_updated, an eMSP partner's sessions are index ranges; the other filters (status,
// location, id prefix, a CPO partner) are tested on the rows read, at most SCAN_BUDGET rows per request. When the
// budget runs out before the page is full, the page is shorter and next_cursor goes on from the last row read:
// a page never costs more than SCAN_BUDGET rows, however rare the match, at 1 000 000 sessions as at 1 000.
import { SESSION_STATUSES } from '../../domain/enums.js';
import { formatDateTime, parseDateTime, parseQueryDateTime } from '../../domain/datetime.js';
import { chargingCurve, type CurvePoint } from '../../domain/charging-curve.js';
import { partyKey, type Session } from '../../domain/session.js';
import { WIRE_FORMATS } from '../../domain/wire-format.js';
import type {
  ConsoleListRow,
  ConsoleSort,
  RenderBody,
  SessionStore,
  StoredSession,
} from '../../store/contract.js';
import { MAX, MIN } from '../../store/paging.js';
import { HISTORY_LIMIT } from '../../domain/session-change.js';
import { Refused } from '../refused.js';
import type {
  SessionDelivery,
  SessionHistoryItem,
  SessionList,
  SessionListItem,
  SessionListQuery,
  SessionPage as ConsoleSessionPage,
} from '../../domain/console-types.js';

export const SCAN_BUDGET = 5000;
const BATCH = 500;
export const DEFAULT_CONSOLE_LIMIT = 50;
export const MAX_CONSOLE_LIMIT = 200;

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
  input: SessionListQuery,
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

/** One session's page: its canonical session is the server's type. */
export type SessionPage = ConsoleSessionPage<Session>;
export type { SessionListQuery };

/** One session's page, or Refused('not-visible') (404) when there is no such session. */
export async function consoleSession(
  store: SessionStore,
  countryCode: string,
  partyId: string,
  id: string,
  render?: RenderBody,
  now = Date.now(),
): Promise<SessionPage> {
  const stored = await store.getSession(countryCode, partyId, id);
  if (!stored) throw new Refused('not-visible', `Unknown session ${countryCode}/${partyId}/${id}`);
  const s = stored.session;
  const formats = await store.sessionBodies(stored.seq);
  // A format the store does not keep (no partner reads it: stored formats) is rendered here, so the page shows
  // every wire format, byte for byte what a partner reading it would get.
  if (render) for (const f of WIRE_FORMATS) formats[f] ??= render(f, s);
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
