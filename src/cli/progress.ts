// Progress for people, on stderr, for the long commands (pull, import, demo): a one-line bar redrawn with `\r` on a
// terminal (percentage, count, rate, ETA); otherwise a log line every --progress-interval seconds and at the end.
// Each command maps its own counts to a ProgressView (cli/pull-progress.ts, commands/import.ts, commands/demo.ts).
import { Option } from 'commander';
import { UsageError } from './args.js';

/** What one progress line or bar shows. */
export interface ProgressView {
  /** The line's prefix: `pull`, `import`, `demo`. */
  label: string;
  /** Shown before the count, e.g. `6 pages`. */
  head?: string;
  /** Sessions so far, and of how many when that is known. */
  count: number;
  total?: number;
  /** Share done (0..1) when it can be known: percentage, bar. */
  fraction?: number;
  /** Sessions per second. */
  rate: number;
  etaSeconds?: number;
  /** The line's tail, after `; `: `new 12`, `invalid 1`, … */
  details: string[];
  /** The bar's tail, each after ` · `: `2 retries`, … */
  notes: string[];
}

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressReporter<T> {
  update(p: T): void;
  /** Ends the bar's line (TTY) or writes the last log line (non-TTY). */
  done(): void;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Rate and ETA of `count` sessions in `elapsedMs`, a share `fraction` of the whole being done. */
export function pace(
  count: number,
  elapsedMs: number,
  fraction?: number,
): { rate: number; etaSeconds?: number } {
  const rate = elapsedMs > 0 ? (count * 1000) / elapsedMs : 0;
  if (fraction === undefined || !(fraction > 0) || rate === 0) return { rate };
  return { rate, etaSeconds: ((1 - Math.min(1, fraction)) * elapsedMs) / fraction / 1000 };
}

/** The log line: `pull: 12 pages, 1200 of 3400 sessions (35%), 400/s, ETA 0:05; new 1190, …`. */
export function progressLine(v: ProgressView): string {
  const of = v.total !== undefined ? ` of ${v.total}` : '';
  const pct = v.fraction !== undefined ? ` (${Math.floor(v.fraction * 100)}%)` : '';
  const eta = v.etaSeconds !== undefined ? `, ETA ${formatDuration(v.etaSeconds)}` : '';
  const details = v.details.length > 0 ? `; ${v.details.join(', ')}` : '';
  return `${v.label}: ${v.head ? `${v.head}, ` : ''}${v.count}${of} sessions${pct}, ${Math.round(v.rate)}/s${eta}${details}`;
}

/** Terminal width: what the stream reports, or 80 when it is unknown or not positive (some report 0). Also `check`'s line. */
export function terminalColumns(columns: number | undefined): number {
  return columns !== undefined && Number.isFinite(columns) && columns > 0 ? columns : 80;
}

/** The bar: `[██████░░░░░░] 45% 12 pages · 4500/10000 sessions · 1500/s · ETA 0:04`. */
export function progressBar(v: ProgressView, reportedColumns?: number): string {
  const columns = terminalColumns(reportedColumns);
  const tail =
    ` ${v.fraction !== undefined ? `${String(Math.floor(v.fraction * 100)).padStart(3)}%` : '   ?'}` +
    ` ${v.head ? `${v.head} · ` : ''}${v.count}${v.total !== undefined ? `/${v.total}` : ''} sessions` +
    ` · ${Math.round(v.rate)}/s` +
    (v.etaSeconds !== undefined ? ` · ETA ${formatDuration(v.etaSeconds)}` : '') +
    v.notes.map((n) => ` · ${n}`).join('');
  const width = Math.max(10, Math.min(40, columns - tail.length - 3));
  const filled = v.fraction !== undefined ? Math.round(Math.min(1, v.fraction) * width) : 0;
  const bar = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
  return (bar + tail).slice(0, Math.max(20, columns - 1));
}

/**
 * On a TTY: the bar, redrawn at most every 100 ms. Otherwise: a log line every `intervalMs` (0 = every update)
 * and a last one at the end. `view` turns a command's counts into what is shown.
 */
export function createProgressReporter<T>(
  stream: ProgressStream,
  options: { intervalMs: number; view: (p: T) => ProgressView; now?: () => number },
): ProgressReporter<T> {
  const now = options.now ?? Date.now;
  const tty = stream.isTTY === true;
  let lastDraw = -Infinity;
  let latest: T | undefined;
  let pendingLine = false;
  return {
    update(p) {
      latest = p;
      const t = now();
      if (tty) {
        if (t - lastDraw < 100) return;
        lastDraw = t;
        stream.write(`\r${progressBar(options.view(p), stream.columns)}\x1b[K`);
      } else if (t - lastDraw >= options.intervalMs) {
        lastDraw = t;
        stream.write(`${progressLine(options.view(p))}\n`);
        pendingLine = false;
      } else {
        pendingLine = true;
      }
    },
    done() {
      if (latest === undefined) return;
      if (tty) stream.write(`\r${progressBar(options.view(latest), stream.columns)}\x1b[K\n`);
      else if (pendingLine) stream.write(`${progressLine(options.view(latest))}\n`);
    },
  };
}

/** `--progress-interval <s>` of a command whose progress unit is `per` (a page, a batch). */
export function progressIntervalOption(per: string): Option {
  return new Option(
    '--progress-interval <s>',
    `seconds between progress lines when stderr is not a terminal (0: after every ${per})`,
  ).default(5);
}

/** The option's value in milliseconds. */
export function progressIntervalMs(value: string | number): number {
  const interval = String(value);
  if (!/^\d+(\.\d+)?$/.test(interval))
    throw new UsageError('--progress-interval must be a number of seconds');
  return Number(interval) * 1000;
}
