// One session: its summary, the charging curve with its cost, its data in each wire format (the exact bodies
// partners get), the history of its changes and its deliveries to partners.
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { SessionPage } from '../../../src/domain/console-types.js';
import { CurveChart } from '../components/CurveChart.js';
import { Link } from '../components/Link.js';
import { useLoad } from '../components/load.js';
import { ErrorNote } from '../components/Notice.js';
import { ScrollTable } from '../components/ScrollTable.js';
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
          <ScrollTable label="History of changes" testid="history">
            <thead>
              <tr>
                <th scope="col">Revision</th>
                <th scope="col">Written (UTC)</th>
                <th scope="col">Last updated (UTC)</th>
                <th scope="col">Source</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {d.history.length === 0 && (
                <tr>
                  <td colSpan={5}>No history recorded.</td>
                </tr>
              )}
              {d.history.map((h) => (
                <tr key={h.rev} data-rev={h.rev}>
                  <td class="num">{h.rev}</td>
                  <td>{fmtTime(h.at)}</td>
                  <td>{fmtTime(h.last_updated)}</td>
                  <td>{h.source ?? '—'}</td>
                  <td>
                    <code class="wrap">{h.change}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>

          <h2>Deliveries</h2>
          <p class="meta">Current revision: {d.rev}</p>
          <ScrollTable label="Deliveries to partners" testid="deliveries">
            <thead>
              <tr>
                <th scope="col">Partner</th>
                <th scope="col">Revision</th>
                <th scope="col">At (UTC)</th>
                <th scope="col">Result</th>
                <th scope="col">Behind</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {d.deliveries.length === 0 && (
                <tr>
                  <td colSpan={6}>No deliveries.</td>
                </tr>
              )}
              {d.deliveries.map((x) => (
                <tr key={`${x.partner}/${x.result}/${x.rev}`}>
                  <td>{x.partner}</td>
                  <td class="num">{x.rev ?? '—'}</td>
                  <td>{fmtTime(x.at)}</td>
                  <td>{x.result}</td>
                  <td>{x.behind === null ? 'unknown' : x.behind ? 'yes' : 'no'}</td>
                  <td class="wrap">{x.error ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        </>
      )}
    </>
  );
}
