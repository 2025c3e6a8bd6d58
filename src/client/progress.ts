// Pull progress for people: a one-line bar redrawn with `\r` on a terminal; periodic log lines otherwise.
import type { StreamCounts } from './page-stream.js';

/** What a pull counted so far: the page stream's counts and what storing the pages did. */
export interface PullCounts extends StreamCounts {
  /** Objects received, including invalid ones and objects seen again on a refetched page. */
  received: number;
  /** Distinct sessions of this run by what storing them did. */
  sessions: { new: number; updated: number; unchanged: number };
  /** Objects received again in this run (a refetched page after a correction or a resume). */
  repeated: number;
  /** Distinct invalid objects, skipped. */
  invalid: number;
}

export interface PullProgress extends PullCounts {
  /** Position in the result list after the last page (its offset + objects), when the URL has an offset. */
  position?: number;
  /** Last X-Total-Count and X-Limit. */
  total?: number;
  limit?: number;
  elapsedMs: number;
}

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressReporter {
  update(p: PullProgress): void;
  /** Ends the bar's line (TTY) or writes the last log line (non-TTY). */
  done(): void;
}

/**
 * The number shown: the place in the list (of X-Total-Count) when there is a count; without one, a place means
 * nothing to the reader (and an empty last page's offset is not what was received): the sessions received.
 */
export function shownCount(p: PullProgress): number {
  return p.total !== undefined ? (p.position ?? p.received) : p.received;
}

/** Terminal width: what the stream reports, or 80 when it is unknown or not positive (some report 0). */
function terminalColumns(columns: number | undefined): number {
  return columns !== undefined && Number.isFinite(columns) && columns > 0 ? columns : 80;
}

/** Rate (sessions/s) and ETA (s) from X-Total-Count, when they can be known. */
export function estimate(p: PullProgress): { rate: number; etaSeconds?: number; fraction?: number } {
  const rate = p.elapsedMs > 0 ? (p.received * 1000) / p.elapsedMs : 0;
  if (p.total === undefined || p.total === 0) return { rate, fraction: p.total === 0 ? 1 : undefined };
  const position = Math.min(shownCount(p), p.total);
  const remaining = p.total - position;
  return {
    rate,
    fraction: position / p.total,
    etaSeconds: rate > 0 ? remaining / rate : undefined,
  };
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The log line: `pull: 12 pages, 1200 of 3400 sessions (35%), 400/s, ETA 0:05; new 1190 …`. */
export function progressLine(p: PullProgress): string {
  const e = estimate(p);
  const of = p.total !== undefined ? ` of ${p.total}` : '';
  const pct = e.fraction !== undefined ? ` (${Math.floor(e.fraction * 100)}%)` : '';
  const eta = e.etaSeconds !== undefined ? `, ETA ${formatDuration(e.etaSeconds)}` : '';
  const position = shownCount(p);
  return (
    `pull: ${p.pages} pages, ${position}${of} sessions${pct}, ${Math.round(e.rate)}/s${eta}; ` +
    `new ${p.sessions.new}, updated ${p.sessions.updated}, unchanged ${p.sessions.unchanged}, ` +
    `invalid ${p.invalid}, retries ${p.retries}, corrections ${p.corrections}`
  );
}

/** The bar: `[██████░░░░░░] 45% 12 pages · 4500/10000 sessions · 1500/s · ETA 0:04`. */
export function progressBar(p: PullProgress, reportedColumns?: number): string {
  const columns = terminalColumns(reportedColumns);
  const e = estimate(p);
  const position = shownCount(p);
  const tail =
    ` ${e.fraction !== undefined ? `${String(Math.floor(e.fraction * 100)).padStart(3)}%` : '   ?'}` +
    ` ${p.pages} pages · ${position}${p.total !== undefined ? `/${p.total}` : ''} sessions` +
    ` · ${Math.round(e.rate)}/s` +
    (e.etaSeconds !== undefined ? ` · ETA ${formatDuration(e.etaSeconds)}` : '') +
    (p.retries > 0 ? ` · ${p.retries} retries` : '') +
    (p.invalid > 0 ? ` · ${p.invalid} invalid` : '');
  const width = Math.max(10, Math.min(40, columns - tail.length - 3));
  const filled = e.fraction !== undefined ? Math.round(e.fraction * width) : 0;
  const bar = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
  return (bar + tail).slice(0, Math.max(20, columns - 1));
}

/**
 * On a TTY: the bar, redrawn at most every 100 ms. Otherwise: a log line every `intervalMs` (0 = every page)
 * and a last one at the end.
 */
export function createProgressReporter(
  stream: ProgressStream,
  options: { intervalMs: number; now?: () => number },
): ProgressReporter {
  const now = options.now ?? Date.now;
  const tty = stream.isTTY === true;
  let lastDraw = -Infinity;
  let latest: PullProgress | undefined;
  let pendingLine = false;
  return {
    update(p) {
      latest = p;
      const t = now();
      if (tty) {
        if (t - lastDraw < 100) return;
        lastDraw = t;
        stream.write(`\r${progressBar(p, stream.columns)}\x1b[K`);
      } else if (t - lastDraw >= options.intervalMs) {
        lastDraw = t;
        stream.write(`${progressLine(p)}\n`);
        pendingLine = false;
      } else {
        pendingLine = true;
      }
    },
    done() {
      if (!latest) return;
      if (tty) stream.write(`\r${progressBar(latest, stream.columns)}\x1b[K\n`);
      else if (pendingLine) stream.write(`${progressLine(latest)}\n`);
    },
  };
}
