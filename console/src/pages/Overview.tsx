// Overview: sessions today / active per partner, ingest and page rates, the outbox per partner, the pulls, errors
// in the last hour. Polled every 5 s (the API answers from counters), without reloading the page.
import { api } from '../api/client.js';
import type { Overview as OverviewData } from '../../../src/domain/console-types.js';
import { useLoad } from '../components/load.js';
import { ErrorNote } from '../components/Notice.js';
import { DataTable } from '../components/DataTable.js';
import { fmtAge, fmtNumber, fmtTime } from '../format.js';

export const REFRESH_MS = 5000;

function Figure(props: { label: string; name: string; value: number }) {
  return (
    <div class="figure">
      <dt>{props.label}</dt>
      <dd data-figure={props.name} data-value={String(props.value)}>
        {fmtNumber(props.value)}
      </dd>
    </div>
  );
}

function Body(props: { o: OverviewData }) {
  const { o } = props;
  return (
    <>
      <dl class="figures">
        <Figure label="Sessions in all" name="sessions.total" value={o.sessions.total} />
        <Figure label="Sessions today" name="sessions.today" value={o.sessions.today} />
        <Figure
          label={o.sessions.window_truncated ? 'Active now (at least)' : 'Active now'}
          name="sessions.active"
          value={o.sessions.active}
        />
        <Figure label="Ingested per minute" name="rates.ingest_per_min" value={o.rates.ingest_per_min} />
        <Figure label="Pages served per minute" name="rates.pages_per_min" value={o.rates.pages_per_min} />
        <Figure label="Errors in the last hour" name="errors_last_hour" value={o.errors_last_hour} />
      </dl>

      <h2 id="per-partner">Sessions per partner</h2>
      <DataTable
        label="Sessions per partner"
        testid="per-partner"
        rows={o.sessions.per_partner}
        rowKey={(p) => p.partner}
        rowData={(p) => ({ 'data-partner': p.partner })}
        empty="No partners."
        columns={[
          { header: 'Partner', rowHeader: true, cell: (p) => p.partner },
          { header: 'Role', cell: (p) => p.role },
          { header: 'Sessions today', class: 'num', field: 'sessions_today', cell: (p) => p.sessions_today },
          { header: 'Active now', class: 'num', field: 'active', cell: (p) => p.active },
        ]}
      />

      <h2 id="outbox">Outbox per partner</h2>
      <DataTable
        label="Outbox per partner"
        testid="outbox"
        rows={o.outbox}
        rowKey={(l) => l.partner}
        rowData={(l) => ({ 'data-partner': l.partner })}
        empty="Nothing to push."
        columns={[
          { header: 'Partner', rowHeader: true, cell: (l) => l.partner },
          { header: 'Pending', class: 'num', field: 'pending', cell: (l) => l.pending },
          {
            header: 'Oldest',
            field: 'oldest_age_s',
            value: (l) => String(l.oldest_age_s),
            cell: (l) => fmtAge(l.oldest_age_s),
          },
          { header: 'In flight', class: 'num', field: 'in_flight', cell: (l) => l.in_flight },
          { header: 'Failing', class: 'num', field: 'failing', cell: (l) => l.failing },
          { header: 'Last success', cell: (l) => fmtTime(l.last_success) },
          {
            header: 'Paused until',
            field: 'paused',
            cell: (l) => (l.paused_by_operator ? 'paused by an operator' : fmtTime(l.paused_until)),
          },
          { header: 'Last error', class: 'wrap', cell: (l) => l.last_error ?? '—' },
        ]}
      />

      <h2 id="pulls">Pulls</h2>
      <DataTable
        label="Pulls per CPO partner"
        testid="pulls"
        rows={o.pulls}
        rowKey={(p) => `${p.key}/${p.module}`}
        rowData={(p) => ({ 'data-pull': p.key })}
        empty="No pulls configured."
        columns={[
          { header: 'Pull', rowHeader: true, cell: (p) => p.key },
          { header: 'Module', cell: (p) => p.module },
          { header: 'Last sync', field: 'last_sync', cell: (p) => fmtTime(p.last_sync) },
          { header: 'Last run', cell: (p) => fmtTime(p.last_run) },
          { header: 'Result', field: 'result', cell: (p) => p.result ?? '—' },
          { header: 'Next run', field: 'next_run', cell: (p) => fmtTime(p.next_run) },
        ]}
      />
    </>
  );
}

export function Overview() {
  const loaded = useLoad(() => api.overview(), [], REFRESH_MS);
  const o = loaded.data;
  return (
    <>
      <h1>Overview</h1>
      <p class="meta">
        Refreshes every {REFRESH_MS / 1000} s. Figures of{' '}
        <time data-testid="generated-at" dateTime={o?.generated_at}>
          {o ? fmtTime(o.generated_at) : '…'}
        </time>{' '}
        UTC.
      </p>
      <ErrorNote error={loaded.error} />
      {o && <Body o={o} />}
    </>
  );
}
