// Overview: sessions today / active per partner, ingest and page rates, the outbox per partner, the pulls, errors
// in the last hour. Polled every 5 s (the API answers from counters), without reloading the page.
import { api } from '../api/client.js';
import type { Overview as OverviewData } from '../../../src/domain/console-types.js';
import { useLoad } from '../components/load.js';
import { ErrorNote } from '../components/Notice.js';
import { ScrollTable } from '../components/ScrollTable.js';
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
      <ScrollTable label="Sessions per partner" testid="per-partner">
        <thead>
          <tr>
            <th scope="col">Partner</th>
            <th scope="col">Role</th>
            <th scope="col">Sessions today</th>
            <th scope="col">Active now</th>
          </tr>
        </thead>
        <tbody>
          {o.sessions.per_partner.length === 0 && (
            <tr>
              <td colSpan={4}>No partners.</td>
            </tr>
          )}
          {o.sessions.per_partner.map((p) => (
            <tr key={p.partner} data-partner={p.partner}>
              <th scope="row">{p.partner}</th>
              <td>{p.role}</td>
              <td class="num" data-field="sessions_today">
                {p.sessions_today}
              </td>
              <td class="num" data-field="active">
                {p.active}
              </td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>

      <h2 id="outbox">Outbox per partner</h2>
      <ScrollTable label="Outbox per partner" testid="outbox">
        <thead>
          <tr>
            <th scope="col">Partner</th>
            <th scope="col">Pending</th>
            <th scope="col">Oldest</th>
            <th scope="col">In flight</th>
            <th scope="col">Failing</th>
            <th scope="col">Last success</th>
            <th scope="col">Paused until</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {o.outbox.length === 0 && (
            <tr>
              <td colSpan={8}>Nothing to push.</td>
            </tr>
          )}
          {o.outbox.map((l) => (
            <tr key={l.partner} data-partner={l.partner}>
              <th scope="row">{l.partner}</th>
              <td class="num" data-field="pending">
                {l.pending}
              </td>
              <td data-field="oldest_age_s" data-value={String(l.oldest_age_s)}>
                {fmtAge(l.oldest_age_s)}
              </td>
              <td class="num" data-field="in_flight">
                {l.in_flight}
              </td>
              <td class="num" data-field="failing">
                {l.failing}
              </td>
              <td>{fmtTime(l.last_success)}</td>
              <td data-field="paused">
                {l.paused_by_operator ? 'paused by an operator' : fmtTime(l.paused_until)}
              </td>
              <td class="wrap">{l.last_error ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>

      <h2 id="pulls">Pulls</h2>
      <ScrollTable label="Pulls per CPO partner" testid="pulls">
        <thead>
          <tr>
            <th scope="col">Pull</th>
            <th scope="col">Module</th>
            <th scope="col">Last sync</th>
            <th scope="col">Last run</th>
            <th scope="col">Result</th>
            <th scope="col">Next run</th>
          </tr>
        </thead>
        <tbody>
          {o.pulls.length === 0 && (
            <tr>
              <td colSpan={6}>No pulls configured.</td>
            </tr>
          )}
          {o.pulls.map((p) => (
            <tr key={`${p.key}/${p.module}`} data-pull={p.key}>
              <th scope="row">{p.key}</th>
              <td>{p.module}</td>
              <td data-field="last_sync">{fmtTime(p.last_sync)}</td>
              <td>{fmtTime(p.last_run)}</td>
              <td data-field="result">{p.result ?? '—'}</td>
              <td data-field="next_run">{fmtTime(p.next_run)}</td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
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
