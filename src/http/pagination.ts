// Pagination headers (OCPI 2.2.1 §4.1.3 / 2.1.1 transport_and_format §4.1.3): X-Total-Count, X-Limit, Link.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { parseQueryDateTime } from '../domain/datetime.js';
import { baseUrl, rawQuery, routePath } from './base-url.js';
import { hasNextPage, type PageQuery } from '../domain/page.js';

/**
 * The paginated GET query, declared once: validation, types and the OpenAPI document. Wording of OCPI 2.2.1
 * §4.1.3 (2.1.1 transport_and_format §4.1.3 says "after" / "before"; we read it the 2.2.1 way).
 */
export const PageQuerySchema = Type.Object(
  {
    date_from: Type.Optional(
      Type.String({
        description:
          'Only return objects that have last_updated after or equal to this Date/Time (inclusive). OCPI DateTime, ' +
          'UTC, e.g. 2024-05-01T00:00:00Z (`Z` may be omitted; fractions and a +00:00 offset are accepted). ' +
          'Absent: from the beginning.',
      }),
    ),
    date_to: Type.Optional(
      Type.String({
        description:
          'Only return objects that have last_updated up to this Date/Time, but not including (exclusive). OCPI ' +
          'DateTime, UTC. Absent: no upper bound. A window [date_from, date_to) chains with the next one without overlap.',
      }),
    ),
    offset: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1e12,
        description: 'The offset of the first object returned. Default is 0 (the first object).',
      }),
    ),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: Number.MAX_SAFE_INTEGER,
        description:
          'The maximum number of objects to GET. Larger values are capped to the server maximum (see X-Limit).',
      }),
    ),
  },
  { additionalProperties: true },
);
export type PageQueryInput = Static<typeof PageQuerySchema>;

export interface PagingConfig {
  defaultLimit: number;
  maxLimit: number;
  publicUrl?: string;
}

export class QueryError extends Error {}

function dateParam(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = parseQueryDateTime(raw);
  if (value === undefined) {
    throw new QueryError(
      `Invalid query parameter '${name}': not an OCPI DateTime (e.g. 2024-05-01T00:00:00Z): ${raw.slice(0, 40)}`,
    );
  }
  return value;
}

export function toPageQuery(input: PageQueryInput, config: PagingConfig): PageQuery {
  return {
    dateFrom: dateParam('date_from', input.date_from),
    dateTo: dateParam('date_to', input.date_to),
    offset: input.offset ?? 0,
    // OCPI 2.2.1 §4.1.3: the server may cap limit; it says so in X-Limit.
    limit: Math.min(input.limit ?? config.defaultLimit, config.maxLimit),
  };
}

/** Sets X-Total-Count, X-Limit and (unless last page) Link rel="next" carrying every original filter. */
export function setPageHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  query: PageQuery,
  page: { bodies: unknown[]; total: number },
  config: PagingConfig,
): void {
  reply.header('x-total-count', String(page.total));
  reply.header('x-limit', String(query.limit));
  if (!hasNextPage(query, page)) return;
  // The route's own path and the decoded query: never the request target as sent (see routePath).
  const next = `offset=${query.offset + page.bodies.length}&limit=${query.limit}`;
  const raw = rawQuery(request);
  // Other filters (date_from, date_to, …) are carried as URLSearchParams writes them; a query of offset and limit
  // only (most pages) is the next pair alone, which is what URLSearchParams would make of it.
  const others = onlyPaging(raw) ? '' : otherParams(raw);
  const base = baseUrl(request, config.publicUrl);
  reply.header('link', `<${base}${routePath(request)}?${others}${next}>; rel="next"`);
}

/** Whether every parameter of a raw query is spelled exactly `offset=…` or `limit=…` (or the query is empty). */
function onlyPaging(raw: string): boolean {
  return raw.split('&').every((p) => p === '' || p.startsWith('offset=') || p.startsWith('limit='));
}

/** The parameters but offset and limit, as URLSearchParams writes them, followed by `&` (or '' when none). */
function otherParams(raw: string): string {
  const params = new URLSearchParams(raw);
  params.delete('offset');
  params.delete('limit');
  const text = params.toString();
  return text === '' ? '' : `${text}&`;
}
