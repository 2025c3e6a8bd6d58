// Pagination (OCPI 2.2.1 §4.1.3 / 2.1.1 transport_and_format §4.1.3).
import type { Millis } from './location.js';
import type { PartyKey } from './session.js';

/** What a caller asked for, validated. */
export interface PageQuery {
  dateFrom?: Millis; // OCPI 2.2.1 §4.1.3: last_updated >= date_from (inclusive)
  dateTo?: Millis; // OCPI 2.2.1 §4.1.3: last_updated < date_to (exclusive)
  offset: number;
  limit: number; // already capped to the server's maximum
  /** Keyset hint from our own Link header: the position key of the last row of the previous page. */
  after?: number;
}

/** Which sessions a caller may see: OCPI 2.2.1 §9.1 sessions go only to the eMSP owning the token. */
export interface SessionScope {
  owner: PartyKey;
}

/** The JSON text of one object as rendered at write time: a string or UTF-8 bytes, as the store reads it. */
export type RenderedJson = string | Buffer;

/** One page of objects rendered at write time; the read path writes them out as they are, never parsing them. */
export interface RenderedPage {
  bodies: RenderedJson[];
  total: number; // X-Total-Count: all matches in scope, ignoring offset/limit
  /** Position key of the last item, usable as the next `after` hint. */
  lastKey?: number;
  /**
   * The store's partners version in the snapshot the bodies were read from (absent when no body was read): a
   * caller that authenticated from a cache checks that no partner changed since (src/service/token-cache.ts).
   */
  partnersVersion?: number;
}

export function hasNextPage(query: PageQuery, page: { bodies: unknown[]; total: number }): boolean {
  return query.offset + page.bodies.length < page.total && page.bodies.length > 0;
}

/** The page's objects, parsed (for tools and tests; the read path serves the bodies as they are). */
export function pageObjects(page: RenderedPage): unknown[] {
  return page.bodies.map((b) => JSON.parse(String(b)) as unknown);
}
