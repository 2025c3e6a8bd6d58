// `ocpi-sessions outbox --db <file|url> [--json]`: the push outbox per partner (service/outbox-report.ts): pending,
// oldest age, in flight, failing entries, the lane's failures in a row, paused until, last error, last success.
import type { Command } from 'commander';
import { outboxReport, type OutboxReport, type PartnerOutbox } from '../../service/outbox-report.js';
import { action, dbFlag, dbOption, examples, jsonFlag, subcommand } from '../args.js';
import { openDb } from '../open-db.js';

interface OutboxOptions {
  db?: string;
  json?: boolean;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** Seconds, minutes, hours or days, two units at most: `3m 05s`. */
export function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const units: [number, string][] = [
    [86_400, 'd'],
    [3600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  const i = units.findIndex(([n]) => s >= n);
  if (i < 0 || i === units.length - 1) return `${s}s`;
  const [big, name] = units[i]!;
  const [small, smallName] = units[i + 1]!;
  return `${Math.floor(s / big)}${name} ${String(Math.floor((s % big) / small)).padStart(2, '0')}${smallName}`;
}

function json(report: OutboxReport) {
  return {
    at: iso(report.at),
    pending: report.partners.reduce((n, p) => n + p.pending, 0),
    partners: report.partners.map((p) => ({
      partner: p.partner,
      pending: p.pending,
      oldestAgeSeconds:
        p.oldestEnqueuedAt === undefined
          ? null
          : Math.max(0, Math.round((report.at - p.oldestEnqueuedAt) / 1000)),
      oldestEnqueuedAt: iso(p.oldestEnqueuedAt),
      inFlight: p.inFlight,
      failing: p.failing,
      failures: p.failures,
      pausedUntil: iso(p.pausedUntil),
      lastError: p.lastError ?? null,
      lastErrorAt: iso(p.lastErrorAt),
      lastSuccessAt: iso(p.lastSuccessAt),
    })),
  };
}

function text(report: OutboxReport): string {
  if (report.partners.length === 0) return 'outbox empty; no push to any partner recorded';
  const head = [
    'partner',
    'pending',
    'oldest',
    'in flight',
    'failing',
    'paused until',
    'last success',
    'last error',
  ];
  const row = (p: PartnerOutbox) => [
    p.partner,
    String(p.pending),
    p.oldestEnqueuedAt === undefined ? '-' : age(report.at - p.oldestEnqueuedAt),
    String(p.inFlight),
    p.failures > 0 ? `${p.failing} (${p.failures} in a row)` : String(p.failing),
    iso(p.pausedUntil) ?? '-',
    iso(p.lastSuccessAt) ?? '-',
    p.lastError === undefined ? '-' : `${iso(p.lastErrorAt)} ${p.lastError}`,
  ];
  const rows = [head, ...report.partners.map(row)];
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  const total = report.partners.reduce((n, p) => n + p.pending, 0);
  return [...lines, `${total} pending in all`].join('\n');
}

async function show(options: OutboxOptions): Promise<number> {
  const store = await openDb(dbOption(options.db), { command: 'outbox', create: false });
  try {
    const report = await outboxReport(store, Date.now());
    console.log(options.json ? JSON.stringify(json(report)) : text(report));
    return 0;
  } finally {
    await store.close();
  }
}

export function addOutboxCommand(program: Command): void {
  const cmd = subcommand(
    program,
    'outbox',
    'the push outbox per partner: pending, oldest, in flight, failing, paused until, last success, last error',
  )
    .addOption(dbFlag('SQLite file (must exist) or postgres:// URL'))
    .addOption(jsonFlag())
    .action(action(show));
  examples(cmd, [
    'ocpi-sessions outbox --db ./ocpi.db',
    'ocpi-sessions outbox --db postgres://ocpi@db/ocpi --json',
  ]);
}
