// `ocpi-sessions pull --db <file> (--partner CC-PID | --url <versions-or-sessions-url> --token T) [options]`
import { parseDateTime } from '../../domain/datetime.js';
import type { OcpiVersion } from '../../domain/wire-format.js';
import { DEFAULT_PULL_TIMEOUT_MS, DEFAULT_RETRY } from '../../client/transport.js';
import { createProgressReporter, formatDuration } from '../../client/progress.js';
import { PullError, type PullSummary } from '../../service/pull-runner.js';
import { DEFAULT_MARGIN_MS } from '../../service/pull-window.js';
import { PullConfigError, pullFrom } from '../../service/pull.js';
import { adapterOf } from '../../modules/index.js';
import { PullLockedError } from '../../service/pull-lock.js';
import { openStore } from '../../store/open.js';
import { dbOption, intOption, parse, UsageError } from '../args.js';

export const PULL_USAGE = `pull      --db <file> (--partner CC-PID | --url <versions-or-sessions-url> --token T) [--since <DateTime>]
            [--until <DateTime>] [--page-size N] [--version 2.1.1|2.2.1] [--json] [--cpo CC-PID] [--emsp CC-PID]
            [--margin-seconds 300] [--timeout-ms 30000] [--retries 8] [--retry-base-ms 500] [--retry-max-ms 30000]
            [--retry-budget-ms 300000] [--progress-interval 5] [--camel-enums A|B]`;

function dateOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDateTime(value);
  if (ms === undefined)
    throw new UsageError(`--${name} must be an OCPI DateTime (e.g. 2025-05-01T00:00:00Z)`);
  return ms;
}

export async function pullCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    db: { type: 'string' },
    partner: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    'page-size': { type: 'string' },
    version: { type: 'string' },
    json: { type: 'boolean' },
    cpo: { type: 'string' },
    emsp: { type: 'string' },
    'margin-seconds': { type: 'string' },
    'timeout-ms': { type: 'string' },
    retries: { type: 'string' },
    'retry-base-ms': { type: 'string' },
    'retry-max-ms': { type: 'string' },
    'retry-budget-ms': { type: 'string' },
    'progress-interval': { type: 'string' },
    'camel-enums': { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`pull takes no positional arguments: ${positionals[0]}`);
  const version = values.version as OcpiVersion | undefined;
  if (version !== undefined && version !== '2.1.1' && version !== '2.2.1')
    throw new UsageError('--version must be 2.1.1 or 2.2.1');
  const camelEnums = values['camel-enums'];
  if (camelEnums !== undefined && camelEnums !== 'A' && camelEnums !== 'B')
    throw new UsageError('--camel-enums must be A or B');
  const pageSize =
    values['page-size'] !== undefined ? intOption('page-size', values['page-size'], 0) : undefined;
  if (pageSize === 0) throw new UsageError('--page-size must be at least 1');
  const since = dateOption('since', values.since);
  const until = dateOption('until', values.until);
  const retry = {
    retries: intOption('retries', values.retries, DEFAULT_RETRY.retries),
    baseMs: intOption('retry-base-ms', values['retry-base-ms'], DEFAULT_RETRY.baseMs),
    maxMs: intOption('retry-max-ms', values['retry-max-ms'], DEFAULT_RETRY.maxMs),
    budgetMs: intOption('retry-budget-ms', values['retry-budget-ms'], DEFAULT_RETRY.budgetMs),
  };
  const timeoutMs = intOption('timeout-ms', values['timeout-ms'], DEFAULT_PULL_TIMEOUT_MS);
  const marginMs = intOption('margin-seconds', values['margin-seconds'], DEFAULT_MARGIN_MS / 1000) * 1000;
  const interval = values['progress-interval'] ?? '5';
  if (!/^\d+(\.\d+)?$/.test(interval))
    throw new UsageError('--progress-interval must be a number of seconds');

  const err = process.stderr;
  const progress = createProgressReporter(err, { intervalMs: Number(interval) * 1000 });
  // Lines written between bar redraws must first clear the bar's line.
  const note = (line: string) => err.write(`${err.isTTY ? '\r\x1b[K' : ''}${line}\n`);

  const store = await openStore(dbOption(values.db));
  try {
    let summary: PullSummary;
    try {
      summary = await pullFrom(
        store,
        {
          partner: values.partner,
          url: values.url,
          token: values.token,
          version,
          cpo: values.cpo,
          emsp: values.emsp,
        },
        {
          adapter: adapterOf('sessions', 'pull'),
          since,
          until,
          pageSize,
          marginMs,
          timeoutMs,
          retry,
          camelEnums: camelEnums as 'A' | 'B' | undefined,
          onProgress: (p) => progress.update(p),
          onInvalid: (o) => {
            const what = `${o.id !== undefined ? `session ${JSON.stringify(o.id)}` : 'object'} (page ${o.page}, #${o.index + 1})`;
            for (const issue of o.issues) note(`invalid ${what}: ${issue.path}: ${issue.message}`);
          },
          onRetry: (r) => note(`retry ${r.attempt} in ${r.delayMs} ms: ${r.reason} (GET ${r.url})`),
          onNotice: (m) => note(m),
        },
      );
    } catch (e) {
      if (e instanceof PullConfigError) throw new UsageError(e.message);
      if (e instanceof PullLockedError) {
        progress.done();
        console.error(`ocpi-sessions: pull not started: ${e.message}`);
        return 1;
      }
      if (!(e instanceof PullError)) throw e;
      progress.done();
      if (e.kind === 'setup') throw new UsageError(e.message);
      if (values.json) console.log(JSON.stringify(e.summary));
      console.error(`ocpi-sessions: pull failed: ${e.message}`);
      return 1;
    }
    progress.done();
    if (values.json) console.log(JSON.stringify(summary));
    else console.log(humanSummary(summary, marginMs));
    return 0;
  } finally {
    await store.close();
  }
}

export function humanSummary(s: PullSummary, marginMs: number): string {
  const seconds = s.durationMs / 1000;
  return [
    `pulled ${s.key} from ${s.url} (OCPI ${s.version}, token ${s.encoding}) in ${seconds.toFixed(1)} s` +
      `${s.resumed ? ', resuming an interrupted pull' : ''}`,
    `  pages ${s.pages}, sessions received ${s.received} (${s.sessionsPerSecond}/s)`,
    `  sessions new ${s.sessions.new}, updated ${s.sessions.updated}, unchanged ${s.sessions.unchanged}; ` +
      `invalid ${s.invalid}; repeated ${s.repeated}`,
    `  retries ${s.retries}, corrections ${s.corrections}, moved ${s.moved}, rewinds ${s.rewinds}, ` +
      `token fallbacks ${s.authFallbacks}; duration ${formatDuration(seconds)}`,
    `  window date_from ${s.dateFrom ?? '(all)'}, date_to ${s.dateTo ?? '(none)'}; ` +
      (s.recordsSync
        ? `the next pull asks date_from ${s.dateTo ?? s.syncStartedAt} minus ${marginMs / 1000} s`
        : 'this window does not change where the next incremental pull starts'),
  ].join('\n');
}
