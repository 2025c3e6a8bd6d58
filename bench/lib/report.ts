// Output helpers: a markdown table, number formats, the machine description.
import { SERVER_NODE_FLAGS } from '../../src/cli/node-flags.js';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** A markdown table, columns padded (numbers right-aligned) so it reads well as plain text too. */
export function markdownTable(header: string[], rows: string[][]): string {
  const width = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.every((r) => /^[-+×~\d.,%\s]*$/.test(r[i] ?? '')));
  const cell = (text: string, i: number) => (numeric[i] ? text.padStart(width[i]!) : text.padEnd(width[i]!));
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `| ${width.map((w, i) => (numeric[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** A number with about three significant digits (no exponent), '' for undefined/NaN. */
export function num(v: number | undefined, digits?: number): string {
  if (v === undefined || !Number.isFinite(v)) return '';
  if (digits !== undefined) return v.toFixed(digits);
  const a = Math.abs(v);
  return v.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3);
}

/** `min / median / max` of the figures of several rounds ('-' when there are none). */
export function spread(xs: readonly number[], digits?: number): string {
  if (xs.length === 0) return '-';
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return [s[0], median, s.at(-1)].map((v) => num(v, digits)).join(' / ');
}

export function ratio(a: number, b: number): string {
  return Number.isFinite(a / b) && b > 0 ? `${(a / b).toFixed(2)}` : '';
}

export function machineDescription(): string {
  let model = 'unknown CPU';
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? model;
  } catch {
    // not Linux
  }
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return (
    `nproc ${os.availableParallelism()}, ${model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ` +
    `node ${process.version} (server: node ${SERVER_NODE_FLAGS.join(' ')}), ${os.type()} ${os.release()}; ` +
    `load average ${load}`
  );
}

export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

export function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}
