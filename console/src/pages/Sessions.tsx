// Sessions: filters (partner, status, date window, location, id prefix) kept in the address (a filtered list can
// be bookmarked and shared), columns sortable by last update or start, keyset paging (next / previous) with the
// API's cursors, so every page costs the same at any depth.
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type {
  ConsoleSortField as SortField,
  ConsoleSortOrder as SortOrder,
  SessionListQuery as SessionFilter,
} from '../../../src/domain/console-types.js';
import { Link } from '../components/Link.js';
import { useLoad } from '../components/load.js';
import { ErrorNote } from '../components/Notice.js';
import { DataTable } from '../components/DataTable.js';
import { fmtKwh, fmtMoney, fmtTime } from '../format.js';
import { navigate } from '../router.js';

export const PAGE_SIZE = 50;
const STATUSES = ['ACTIVE', 'COMPLETED', 'INVALID', 'PENDING', 'RESERVATION']; // OCPI 2.2.1 §9.4.2 SessionStatus
const FIELDS = ['partner', 'status', 'from', 'to', 'location', 'q'] as const;
type Field = (typeof FIELDS)[number];

/** A date input (YYYY-MM-DD, UTC) as the window's bound: from its start; `to` up to the end of that day. */
function bound(day: string | null, end: boolean): string | undefined {
  if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const t = Date.parse(`${day}T00:00:00Z`) + (end ? 86_400_000 : 0);
  return new Date(t).toISOString();
}

function filterOf(query: URLSearchParams): SessionFilter {
  const sort = query.get('sort') === 'start_date_time' ? 'start_date_time' : 'last_updated';
  const order = query.get('order') === 'asc' ? 'asc' : 'desc';
  return {
    partner: query.get('partner') || undefined,
    status: query.get('status') || undefined,
    from: bound(query.get('from'), false),
    to: bound(query.get('to'), true),
    location: query.get('location') || undefined,
    q: query.get('q') || undefined,
    sort,
    order,
    limit: PAGE_SIZE,
  };
}

function Filters(props: { query: URLSearchParams; partners: string[] }) {
  const apply = (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const next = new URLSearchParams();
    for (const f of FIELDS) {
      const v = String(form.get(f) ?? '').trim();
      if (v) next.set(f, v);
    }
    for (const k of ['sort', 'order']) if (props.query.get(k)) next.set(k, props.query.get(k)!);
    navigate(`/sessions${next.size ? `?${next}` : ''}`);
  };
  const v = (f: Field) => props.query.get(f) ?? '';
  return (
    <form class="filters" onSubmit={apply} aria-label="Filter sessions" key={props.query.toString()}>
      <div>
        <label for="f-partner">Partner</label>
        <select id="f-partner" name="partner" value={v('partner')}>
          <option value="">All partners</option>
          {props.partners.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="f-status">Status</label>
        <select id="f-status" name="status" value={v('status')}>
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="f-from">From (UTC day)</label>
        <input id="f-from" name="from" type="date" value={v('from')} aria-describedby="window-hint" />
      </div>
      <div>
        <label for="f-to">To (UTC day, included)</label>
        <input id="f-to" name="to" type="date" value={v('to')} aria-describedby="window-hint" />
      </div>
      <div>
        <label for="f-location">Location id (exact)</label>
        <input id="f-location" name="location" type="text" value={v('location')} />
      </div>
      <div>
        <label for="f-q">Session id starts with</label>
        <input id="f-q" name="q" type="search" value={v('q')} />
      </div>
      <p id="window-hint" class="hint full">
        The days bound the column the list is sorted by (last updated, or start).
      </p>
      <div class="form-actions">
        <button type="submit" class="primary">
          Apply filters
        </button>
        <Link to="/sessions" class="button secondary">
          Clear
        </Link>
      </div>
    </form>
  );
}

function SortHeader(props: {
  field: SortField;
  label: string;
  filter: SessionFilter;
  query: URLSearchParams;
}) {
  const active = props.filter.sort === props.field;
  const order: SortOrder = active ? (props.filter.order ?? 'desc') : 'desc';
  const next: SortOrder = active && order === 'desc' ? 'asc' : 'desc';
  const go = () => {
    const q = new URLSearchParams(props.query);
    q.set('sort', props.field);
    q.set('order', next);
    navigate(`/sessions?${q}`);
  };
  return (
    <th scope="col" aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : undefined}>
      <button type="button" class="sort" onClick={go} data-sort={props.field}>
        {props.label}
        <span aria-hidden="true">{active ? (order === 'asc' ? ' ▲' : ' ▼') : ' ↕'}</span>
        <span class="visually-hidden">, sort {next === 'asc' ? 'ascending' : 'descending'}</span>
      </button>
    </th>
  );
}

export function Sessions(props: { query: URLSearchParams }) {
  const filter = filterOf(props.query);
  const key = props.query.toString();
  // The cursors of the pages before this one (previous) and this page's own (undefined: the first page).
  const [trail, setTrail] = useState<{ key: string; cursors: Array<string | undefined> }>({
    key,
    cursors: [undefined],
  });
  const cursors = trail.key === key ? trail.cursors : [undefined];
  const cursor = cursors.at(-1);
  const partners = useLoad(() => api.partners(), []);
  const page = useLoad(() => api.sessions({ ...filter, cursor }), [key, cursor]);
  const items = page.data?.items ?? [];
  const next = page.data?.next_cursor ?? null;
  return (
    <>
      <h1>Sessions</h1>
      <Filters query={props.query} partners={(partners.data ?? []).map((p) => p.key)} />
      <ErrorNote error={page.error} />
      <p class="meta" role="status" data-testid="result-count">
        {page.loading
          ? 'Loading…'
          : `Page ${cursors.length}: ${items.length} session${items.length === 1 ? '' : 's'}`}
        {!page.loading && next && items.length < PAGE_SIZE
          ? '. Filters are tried on a bounded number of rows per page: the next page looks further.'
          : ''}
      </p>
      <DataTable
        label="Sessions"
        testid="sessions"
        rows={items}
        rowKey={(s) => `${s.country_code}/${s.party_id}/${s.id}`}
        rowData={(s) => ({ 'data-session': s.id })}
        columns={[
          {
            header: 'Session',
            rowHeader: true,
            cell: (s) => (
              <Link
                to={`/sessions/${encodeURIComponent(s.country_code)}/${encodeURIComponent(s.party_id)}/${encodeURIComponent(s.id)}`}
              >
                {s.id}
              </Link>
            ),
          },
          { header: 'Party', cell: (s) => `${s.country_code}-${s.party_id}` },
          { header: 'Partner', field: 'owner', cell: (s) => s.owner },
          { header: 'Status', field: 'status', cell: (s) => s.status },
          {
            header: () => (
              <SortHeader field="start_date_time" label="Start" filter={filter} query={props.query} />
            ),
            field: 'start_date_time',
            cell: (s) => fmtTime(s.start_date_time),
          },
          { header: 'End', cell: (s) => fmtTime(s.end_date_time) },
          { header: 'Energy', class: 'num', cell: (s) => fmtKwh(s.kwh) },
          {
            header: 'Cost excl. VAT',
            class: 'num',
            cell: (s) => fmtMoney(s.total_cost?.excl_vat, s.currency),
          },
          { header: 'Location', field: 'location_id', cell: (s) => s.location_id },
          {
            header: () => (
              <SortHeader field="last_updated" label="Last updated" filter={filter} query={props.query} />
            ),
            field: 'last_updated',
            cell: (s) => fmtTime(s.last_updated),
          },
        ]}
      />
      <nav class="pager" aria-label="Pages of sessions">
        <button
          type="button"
          class="secondary"
          disabled={cursors.length < 2}
          onClick={() => setTrail({ key, cursors: cursors.slice(0, -1) })}
        >
          Previous page
        </button>
        <button
          type="button"
          class="secondary"
          disabled={!next}
          onClick={() => next && setTrail({ key, cursors: [...cursors, next] })}
        >
          Next page
        </button>
      </nav>
    </>
  );
}
