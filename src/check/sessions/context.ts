// What the checks of one run share: the prober, the results, the endpoint being checked and what earlier steps
// found out (the encoding the peer accepts, the walked pages).
import type { TokenEncoding } from '../../domain/party.js';
import type { OcpiVersion } from '../../domain/wire-format.js';
import type { Probe, Prober } from '../probe.js';
import type { Results } from '../results.js';
import type { Page, Window } from './pages.js';

export interface SenderCheckOptions {
  /** A versions URL, a version details URL or the Sessions SENDER endpoint itself. */
  url: string;
  token: string;
  version?: OcpiVersion;
  /** The caller's party (CC-PID): only its sessions may be listed. */
  party?: string;
  /** date_from of the checked window (OCPI DateTime); default none. */
  since?: string;
  maxRequests: number;
  paceMs: number;
  timeoutMs: number;
  maxResponseBytes: number;
  /** A page slower than this is flagged (performance.latency). */
  slowMs: number;
  onRequest?: (made: number, max: number, url: string) => void;
}

export interface Cx {
  o: SenderCheckOptions;
  prober: Prober;
  results: Results;
  /** Every probe made, in order (the envelope checks read them all). */
  probes: Probe[];
  sessionsUrl: string;
  version: OcpiVersion;
  encoding: TokenEncoding;
  /** The encoding authorization found accepted (undefined: not known). */
  accepted?: TokenEncoding;
  window: Window;
  style?: 'ocpi' | 'camel';
}

/** The walk of the window's Link chain (pagination.ts). */
export interface Walk {
  pages: Page[];
  /** The limit asked on the first page. */
  limit: number;
  /** The chain ended (a page without Link, or a Link to an empty page). */
  complete: boolean;
  /** Why it did not (budget, a failed page). */
  reason?: string;
  /** Objects reached. */
  count: number;
  /** The page a Link led to that held nothing. */
  emptyViaLink?: Page;
}

/** GET through the prober, remembered in cx.probes. */
export async function get(cx: Cx, url: string, token?: string, encoding = cx.encoding): Promise<Probe> {
  const p = await cx.prober.get(url, encoding, token);
  cx.probes.push(p);
  return p;
}
