// A session's charging curve (uPlot): power in kW (left axis, stepped: the power of each charging period holds
// until the next one starts) and cumulative energy in kWh (right axis) over time. uPlot's time axis picks its
// ticks from the span, so a session of minutes and one of days both read well.
// The plotted arrays are exposed on the figure as `data-series` (JSON: t in epoch seconds, kw, kwh), for tests and
// for anyone who wants the numbers; the same figures are in the table below the chart.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'preact/hooks';
import type { Curve } from '../../../src/domain/console-types.js';
import { fmtKwh, fmtMoney, fmtNumber, fmtTime } from '../format.js';

const POWER = '#1d4ed8';
const ENERGY = '#b45309';

function plotted(curve: Curve): uPlot.AlignedData {
  const t = curve.points.map((p) => Date.parse(p.t) / 1000);
  return [t, curve.points.map((p) => p.kw), curve.points.map((p) => p.kwh)];
}

function options(width: number): uPlot.Options {
  return {
    width,
    height: 280,
    scales: { x: { time: true }, kW: { auto: true, range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    series: [
      {
        label: 'Time (UTC)',
        value: (_u, v) => (v === null ? '—' : fmtTime(new Date(v * 1000).toISOString())),
      },
      {
        label: 'Power (kW)',
        scale: 'kW',
        stroke: POWER,
        width: 2,
        paths: uPlot.paths.stepped!({ align: 1 }),
        value: (_u, v) => (v === null ? '—' : `${fmtNumber(v)} kW`),
      },
      {
        label: 'Energy (kWh)',
        scale: 'kWh',
        stroke: ENERGY,
        width: 2,
        dash: [6, 3],
        value: (_u, v) => (v === null ? '—' : fmtKwh(v)),
      },
    ],
    axes: [
      { stroke: '#1f2937' },
      { scale: 'kW', label: 'kW', stroke: POWER },
      { scale: 'kWh', label: 'kWh', side: 1, stroke: ENERGY, grid: { show: false } },
    ],
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
  };
}

export function CurveChart(props: { curve: Curve }) {
  const box = useRef<HTMLDivElement>(null);
  const { curve } = props;
  const data = plotted(curve);
  useEffect(() => {
    const el = box.current;
    if (!el || curve.points.length === 0) return undefined;
    const chart = new uPlot(options(Math.max(280, el.clientWidth)), data, el);
    el.dataset.series = JSON.stringify({ t: chart.data[0], kw: chart.data[1], kwh: chart.data[2] });
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(280, el.clientWidth), height: 280 }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [curve]);

  const last = curve.points.at(-1);
  const peak = Math.max(0, ...curve.points.map((p) => p.kw));
  const summary =
    curve.points.length === 0
      ? 'No charging periods: no curve.'
      : `Charging curve: ${curve.points.length} points from ${fmtTime(curve.points[0]!.t)} to ${fmtTime(last!.t)}, ` +
        `peak ${fmtNumber(peak)} kW, ${fmtKwh(last!.kwh)} in all.`;
  return (
    <figure class="curve">
      {curve.points.length > 0 && (
        <div ref={box} class="chart" role="img" aria-label={summary} data-testid="curve" />
      )}
      <figcaption>
        {summary} Cost:{' '}
        <strong data-testid="curve-cost">
          {curve.total_cost ? fmtMoney(curve.total_cost.excl_vat, curve.currency) : '—'} excl. VAT
          {curve.total_cost?.incl_vat != null &&
            `, ${fmtMoney(curve.total_cost.incl_vat, curve.currency)} incl. VAT`}
        </strong>
      </figcaption>
      {curve.points.length > 0 && (
        <details>
          <summary>The curve's figures as a table</summary>
          <div class="scroll" role="region" aria-label="Charging curve figures" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Time (UTC)</th>
                  <th scope="col">Power (kW)</th>
                  <th scope="col">Energy (kWh)</th>
                </tr>
              </thead>
              <tbody>
                {curve.points.map((p) => (
                  <tr key={p.t}>
                    <td>{fmtTime(p.t)}</td>
                    <td class="num">{fmtNumber(p.kw)}</td>
                    <td class="num">{Number(p.kwh.toFixed(3))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </figure>
  );
}
