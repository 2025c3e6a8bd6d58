// One session: its summary, the charging curve with its cost, its data in each wire format (the exact bodies
// partners get), the history of its changes and its deliveries to partners.
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { SessionPage } from '../../../src/domain/console-types.js';
import { CurveChart } from '../components/CurveChart.js';
import { Link } from '../components/Link.js';
import { useLoad } from '../components/load.js';
import { ErrorNote } from '../components/Notice.js';
import { DataTable } from '../components/DataTable.js';
import { fmtTime } from '../format.js';

/** A wire body as partners get it: the API's JSON text, byte for byte (compact), or indented to read it. */
function body(value: unknown, indented: boolean): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (!indented) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function Formats(props: { formats: SessionPage['formats'] }) {
  const names = Object.keys(props.formats);
  const [current, setCurrent] = useState(names[0]);
  const [indented, setIndented] = useState(false);
  if (names.length === 0) return <p>No rendered formats.</p>;
  const selected = current && names.includes(current) ? current : names[0]!;
  return (
    <div>
      <label for="format">Wire format</label>{' '}
      <select id="format" value={selected} onChange={(e) => setCurrent(e.currentTarget.value)}>
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>{' '}
      <label class="inline">
        <input type="checkbox" checked={indented} onChange={(e) => setIndented(e.currentTarget.checked)} />{' '}
        Indented
      </label>
      <pre
        class={indented ? 'body' : 'body exact'}
        tabIndex={0}
        aria-label={`The session as partners get it in ${selected}`}
        data-format={selected}
        data-indented={String(indented)}
      >
        {body(props.formats[selected], indented)}
      </pre>
    </div>
  );
}

export function Session(props: { countryCode: string; partyId: string; id: string }) {
  const { countryCode, partyId, id } = props;
  const loaded = useLoad(() => api.session(countryCode, partyId, id), [countryCode, partyId, id]);
  const d = loaded.data;
  const s = d?.session;
  // The canonical session: lastUpdated in epoch ms (the wire formats say last_updated).
  const updated =
    s && (typeof s.lastUpdated === 'number' || typeof s.lastUpdated === 'string') ? s.lastUpdated : undefined;
  return (
    <>
      <p class="crumbs">
        <Link to="/sessions">← Sessions</Link>
      </p>
      <h1>
        Session <span class="id">{id}</span>
      </h1>
      <p class="meta">
        {countryCode}-{partyId}
        {s && typeof s.status === 'string' && ` · ${s.status}`}
        {updated !== undefined && ` · last updated ${fmtTime(updated)} UTC`}
      </p>
      <ErrorNote error={loaded.error} />
      {d && (
        <>
          <h2>Charging curve</h2>
          <CurveChart curve={d.curve} />

          <h2>As partners get it</h2>
          <Formats formats={d.formats} />

          <h2>History of changes</h2>
          <DataTable
            label="History of changes"
            testid="history"
            rows={d.history}
            rowKey={(h) => String(h.rev)}
            rowData={(h) => ({ 'data-rev': String(h.rev) })}
            empty="No history recorded."
            columns={[
              { header: 'Revision', class: 'num', cell: (h) => h.rev },
              { header: 'Written (UTC)', cell: (h) => fmtTime(h.at) },
              { header: 'Last updated (UTC)', cell: (h) => fmtTime(h.last_updated) },
              { header: 'Source', cell: (h) => h.source ?? '—' },
              { header: 'Change', cell: (h) => <code class="wrap">{h.change}</code> },
            ]}
          />

          <h2>Deliveries</h2>
          <p class="meta">Current revision: {d.rev}</p>
          <DataTable
            label="Deliveries to partners"
            testid="deliveries"
            rows={d.deliveries}
            rowKey={(x) => `${x.partner}/${x.result}/${x.rev}`}
            empty="No deliveries."
            columns={[
              { header: 'Partner', cell: (x) => x.partner },
              { header: 'Revision', class: 'num', cell: (x) => x.rev ?? '—' },
              { header: 'At (UTC)', cell: (x) => fmtTime(x.at) },
              { header: 'Result', cell: (x) => x.result },
              {
                header: 'Behind',
                cell: (x) => (x.behind === null ? 'unknown' : x.behind ? 'yes' : 'no'),
              },
              { header: 'Error', class: 'wrap', cell: (x) => x.error ?? '—' },
            ]}
          />
        </>
      )}
    </>
  );
}
