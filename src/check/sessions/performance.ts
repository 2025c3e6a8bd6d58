// Performance notes: the latency of every page of the walk and of the deep probes (near and past the end), with
// a page slower than --slow-ms flagged.
import type { Evidence } from '../model.js';
import type { Cx, Walk } from './context.js';

export function checkLatency(cx: Cx, w: Walk, deep: Evidence[]): void {
  const pages = w.pages.map((p) => p.probe.evidence);
  const ms = pages.map((e) => e.ms ?? 0).sort((a, b) => a - b);
  if (ms.length === 0) {
    cx.results.undetermined('performance.latency', 'no page was read');
    return;
  }
  const median = ms[Math.floor(ms.length / 2)]!;
  const deepMs = deep.map((e) => `${e.ms} ms (${e.request.replace(/^GET /, '')})`);
  const detail =
    `pages of the walk: median ${median} ms, max ${ms.at(-1)} ms over ${ms.length}` +
    (deepMs.length ? `; deep offsets: ${deepMs.join(', ')}` : '');
  const slow = [...pages, ...deep].filter((e) => (e.ms ?? 0) > cx.o.slowMs);
  if (slow.length === 0) cx.results.pass('performance.latency', detail);
  else
    cx.results.fail(
      'performance.latency',
      `${slow.length} answer(s) slower than ${cx.o.slowMs} ms; ${detail}`,
      slow,
    );
}
