// `ocpi-sessions pull --db <file> (--partner CC-PID | --url <versions-or-sessions-url> --token T) [options]`
import { parseDateTime } from '../../domain/datetime.js';
import { Option, type Command } from 'commander';
import { OCPI_VERSIONS, type OcpiVersion } from '../../domain/wire-format.js';
import { DEFAULT_PULL_TIMEOUT_MS, DEFAULT_RETRY } from '../../client/transport.js';
import { formatDuration, progressIntervalMs, progressIntervalOption } from '../progress.js';
import { createPullProgressReporter } from '../pull-progress.js';
import { PullError, type PullSummary } from '../../service/pull-runner.js';
import { DEFAULT_MARGIN_MS } from '../../service/pull-window.js';
import { PullConfigError, pullFrom } from '../../service/pull.js';
import { adapterOf } from '../../modules/index.js';
import { PullLockedError } from '../../service/pull-lock.js';
import { action, dbFlag, dbOption, examples, intOption, jsonFlag, subcommand, UsageError } from '../args.js';
import { openDb } from '../open-db.js';
import { Writable } from 'node:stream';
import { createLoggers } from '../logger.js';

function dateOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDateTime(value);
  if (ms === undefined)
    throw new UsageError(`--${name} must be an OCPI DateTime (e.g. 2025-05-01T00:00:00Z)`);
  return ms;
}

interface PullOptions {
  db?: string;
  partner?: string;
  url?: string;
  token?: string;
  since?: string;
  until?: string;
  pageSize?: string;
  commitEvery: string | number;
  version?: OcpiVersion;
  json?: boolean;
  cpo?: string;
  emsp?: string;
  marginSeconds: string | number;
  timeoutMs: string | number;
  retries: string | number;
  retryBaseMs: string | number;
  retryMaxMs: string | number;
  retryBudgetMs: string | number;
  progressInterval: string | number;
  camelEnums?: 'A' | 'B';
  logLevel: string;
}

/**
 * Sessions per transaction of the `pull` command (a server's scheduled pulls keep the runner's DEFAULT_COMMIT_EVERY:
 * they are small and share the server's memory). Each commit rewrites every leaf it touched of the random
 * (cpo, id_ci) index, at 1 000 000 sessions nearly all of them, so fewer commits write far less: 1 000 000 sessions
 * pulled in 120 s with 10 000 against 173 s with 2 000 (docs/performance.md, eighth round), for up to 10 000 held
 * sessions (max RSS 447 -> 544 MB without BULK_NODE_FLAGS). A crash re-fetches at most those.
 */
const PULL_COMMIT_EVERY = 10_000;

async function pull(values: PullOptions): Promise<number> {
  const pageSize = values.pageSize !== undefined ? intOption('page-size', values.pageSize, 0) : undefined;
  if (pageSize === 0) throw new UsageError('--page-size must be at least 1');
  const commitEvery = intOption('commit-every', values.commitEvery, PULL_COMMIT_EVERY);
  if (commitEvery === 0) throw new UsageError('--commit-every must be at least 1');
  const since = dateOption('since', values.since);
  const until = dateOption('until', values.until);
  const retry = {
    retries: intOption('retries', values.retries, DEFAULT_RETRY.retries),
    baseMs: intOption('retry-base-ms', values.retryBaseMs, DEFAULT_RETRY.baseMs),
    maxMs: intOption('retry-max-ms', values.retryMaxMs, DEFAULT_RETRY.maxMs),
    budgetMs: intOption('retry-budget-ms', values.retryBudgetMs, DEFAULT_RETRY.budgetMs),
  };
  const timeoutMs = intOption('timeout-ms', values.timeoutMs, DEFAULT_PULL_TIMEOUT_MS);
  const marginMs = intOption('margin-seconds', values.marginSeconds, DEFAULT_MARGIN_MS / 1000) * 1000;
  const intervalMs = progressIntervalMs(values.progressInterval);

  const err = process.stderr;
  const progress = createPullProgressReporter(err, { intervalMs });
  // Lines written between bar redraws must first clear the bar's line.
  const note = (line: string) => err.write(`${err.isTTY ? '\r\x1b[K' : ''}${line}\n`);
  // Retries and failures are log lines at warn (JSON, human-readable on a terminal), on stderr like the progress.
  const { log } = createLoggers(
    values.logLevel,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        note(chunk.toString('utf8').replace(/\n$/, ''));
        done();
      },
    }),
    err.isTTY === true,
  );
  const who = { partner: values.partner, ...(values.url ? { url: values.url } : {}) };

  // The first pull from a partner (--url) may set up a new eMSP instance; a pull of a saved partner needs its store.
  const store = await openDb(dbOption(values.db), {
    command: 'pull',
    create: values.url !== undefined,
    bulk: true,
  });
  try {
    let summary: PullSummary;
    try {
      summary = await pullFrom(
        store,
        {
          partner: values.partner,
          url: values.url,
          token: values.token,
          version: values.version,
          cpo: values.cpo,
          emsp: values.emsp,
        },
        {
          adapter: adapterOf('sessions', 'pull'),
          since,
          until,
          pageSize,
          commitEvery,
          marginMs,
          timeoutMs,
          retry,
          camelEnums: values.camelEnums,
          onProgress: (p) => progress.update(p),
          onInvalid: (o) => {
            const what = `${o.id !== undefined ? `session ${JSON.stringify(o.id)}` : 'object'} (page ${o.page}, #${o.index + 1})`;
            for (const issue of o.issues) note(`invalid ${what}: ${issue.path}: ${issue.message}`);
          },
          onRetry: (r) =>
            log.warn(
              {
                ...who,
                url: r.url,
                status: r.status,
                attempt: r.attempt,
                nextAttemptAt: new Date(Date.now() + r.delayMs).toISOString(),
                reason: r.reason,
              },
              `retry ${r.attempt} in ${r.delayMs} ms: ${r.reason} (GET ${r.url})`,
            ),
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
      log.warn({ ...who, url: e.summary.url ?? values.url, error: e.message }, 'pull failed');
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

export function addPullCommand(program: Command): void {
  const cmd = subcommand(
    program,
    'pull',
    "pull a CPO's sessions into our store (incremental after the first run)",
  )
    .addOption(dbFlag('SQLite file (created only with --url) or postgres:// URL'))
    .addOption(
      new Option('--partner <CC-PID>', 'the CPO: its saved URL and token, or a partner registered over OCPI'),
    )
    .addOption(
      new Option('--url <url>', "the CPO's versions or sessions URL (saved under --partner for next time)"),
    )
    .addOption(new Option('--token <token>', 'the token to call --url with'))
    .addOption(new Option('--since <DateTime>', 'date_from (default: where the last complete pull ended)'))
    .addOption(new Option('--until <DateTime>', 'date_to (default: none)'))
    .addOption(new Option('--page-size <n>', "limit asked per page (default: the server's)"))
    .addOption(
      new Option(
        '--commit-every <n>',
        'sessions stored per transaction (several pages; a crash re-fetches at most those)',
      ).default(PULL_COMMIT_EVERY),
    )
    .addOption(
      new Option('--version <version>', 'OCPI version (default: the highest both speak)').choices(
        OCPI_VERSIONS,
      ),
    )
    .addOption(jsonFlag())
    .addOption(new Option('--cpo <CC-PID>', 'the CPO of OCPI 2.1.1 sessions (default: --partner)'))
    .addOption(
      new Option(
        '--emsp <CC-PID>',
        'the eMSP of OCPI 2.1.1 sessions (default: saved with --partner, else this instance)',
      ),
    )
    .addOption(
      new Option(
        '--margin-seconds <s>',
        'the next incremental pull starts this much before the last one ended',
      ).default(DEFAULT_MARGIN_MS / 1000),
    )
    .addOption(new Option('--timeout-ms <ms>', 'timeout of each request').default(DEFAULT_PULL_TIMEOUT_MS))
    .addOption(new Option('--retries <n>', 'retries of a failing page').default(DEFAULT_RETRY.retries))
    .addOption(
      new Option('--retry-base-ms <ms>', 'first retry delay (doubling, with jitter)').default(
        DEFAULT_RETRY.baseMs,
      ),
    )
    .addOption(new Option('--retry-max-ms <ms>', 'longest retry delay').default(DEFAULT_RETRY.maxMs))
    .addOption(
      new Option('--retry-budget-ms <ms>', 'total time spent waiting to retry').default(
        DEFAULT_RETRY.budgetMs,
      ),
    )
    .addOption(progressIntervalOption('page'))
    .addOption(
      new Option(
        '--camel-enums <A|B>',
        "integer enum tables of a camelCase partner: A (OCPI 2.2.1's table order) or B (default: A)",
      ).choices(['A', 'B']),
    )
    .addOption(
      new Option(
        '--log-level <level>',
        'retries and failures are logged at warn (JSON, or readable on a terminal)',
      )
        .env('LOG_LEVEL')
        .default('warn'),
    )
    .action(action(pull));
  examples(cmd, [
    'ocpi-sessions pull --db ./emsp.db --partner NL-OCS --url https://cpo.example.com/ocpi/versions --token T',
    'ocpi-sessions pull --db ./emsp.db --partner NL-OCS --json',
  ]);
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
