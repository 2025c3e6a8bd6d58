// GET /metrics read as Prometheus would: the text format parsed by a Prometheus text parser (npm
// parse-prometheus-text-format), values looked up by family name and labels.
import assert from 'node:assert/strict';
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { getJson } from './http.js';

export class Scrape {
  constructor(readonly families: PrometheusFamily[]) {}

  family(name: string): PrometheusFamily | undefined {
    return this.families.find((f) => f.name === name);
  }

  /** The value of the counter or gauge sample whose labels include `labels`; undefined when there is none. */
  value(name: string, labels: Record<string, string> = {}): number | undefined {
    const sample = this.family(name)?.metrics.find((m) =>
      Object.entries(labels).every(([k, v]) => m.labels?.[k] === v),
    );
    return sample?.value === undefined ? undefined : Number(sample.value);
  }
}

/** GET `url` (a /metrics URL): must answer 200 in the Prometheus text format; parsed. */
export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const r = await getJson(url, headers);
  assert.equal(r.status, 200, `GET ${url}: ${r.text.slice(0, 300)}`);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return new Scrape(parsePrometheusTextFormat(r.text));
}
