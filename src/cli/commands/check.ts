// `ocpi-sessions check <versions-url | sessions-url> --token T [options]`: a read-only conformance check of a
// CPO's Sessions SENDER, or with `--role emsp --write --party CC-PID` of an eMSP's Sessions RECEIVER (src/check/).
// Exit 0 when no check fails, 1 when one does, 2 on usage errors.
import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { parseDateTime } from '../../domain/datetime.js';
import { parsePartyKey, partyKey } from '../../domain/session.js';
import { OCPI_VERSIONS, type OcpiVersion } from '../../domain/wire-format.js';
import { checkSessionsReceiver } from '../../check/receiver/run.js';
import { checkSessionsSender } from '../../check/sessions/run.js';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../../check/render/index.js';
import type { CheckReport } from '../../check/model.js';
import { adapterOf } from '../../modules/index.js';
import { recordCheckVerdict, type CheckVerdict } from '../../service/check-verdicts.js';
import { PullConfigError, resolvePullTarget } from '../../service/pull.js';
import type { SessionStore } from '../../store/contract.js';
import { action, dbFlag, dbOption, examples, intOption, subcommand, UsageError } from '../args.js';
import { openDb } from '../open-db.js';
import { terminalColumns } from '../progress.js';

interface CheckOptions {
  write?: boolean;
  db?: string;
  partner?: string;
  token?: string;
  version?: OcpiVersion;
  role: 'cpo' | 'emsp';
  party?: string;
  format: ReportFormat;
  out?: string;
  maxRequests: string | number;
  since?: string;
  paceMs: string | number;
  timeoutMs: string | number;
  slowMs: string | number;
  maxResponseBytes: string | number;
}

async function check(url: string | undefined, values: CheckOptions): Promise<number> {
  if (values.partner === undefined) {
    if (values.db !== undefined)
      throw new UsageError('--db records the verdict of --partner: give --partner too');
    if (url === undefined) throw new UsageError('a URL to check is required (or --partner with --db)');
    return run(url, values);
  }
  // The verdict is recorded with the partner: its saved pull configuration (or registration) gives the URL and token
  // when none is given.
  const partner = parsePartyKey(values.partner);
  if (!partner) throw new UsageError(`--partner: '${values.partner}' is not a party (CC-PID, e.g. NL-OCS)`);
  values = { ...values, partner: partyKey(partner.countryCode, partner.partyId) };
  const store = await openDb(dbOption(values.db), { command: 'check', create: false });
  try {
    if (url === undefined) {
      if (values.token !== undefined) throw new UsageError('--token goes with a URL');
      const target = await resolvePullTarget(
        store,
        { partner: values.partner },
        adapterOf('sessions', 'pull').endpoint,
      ).catch((e: unknown) => {
        throw e instanceof PullConfigError ? new UsageError(e.message) : e;
      });
      return await run(
        target.url,
        { ...values, token: target.token, version: values.version ?? target.version },
        store,
      );
    }
    return await run(url, values, store);
  } finally {
    await store.close();
  }
}

async function run(url: string, values: CheckOptions, store?: SessionStore): Promise<number> {
  if (!values.token) throw new UsageError('--token <token> is required');
  try {
    new URL(url);
  } catch {
    throw new UsageError(`'${url}' is not a URL (a versions URL or a Sessions endpoint)`);
  }
  if (values.party !== undefined && !parsePartyKey(values.party))
    throw new UsageError(`--party: '${values.party}' is not a party (CC-PID, e.g. NL-EMS)`);
  // Writes only when asked for, and only under a party the caller names as its own.
  if (values.role === 'emsp' && (!values.write || values.party === undefined))
    throw new UsageError(
      "--role emsp checks an eMSP's Sessions RECEIVER by writing a test session: it needs --write and " +
        '--party <your CPO party> (the test session is PUT under it)',
    );
  if (values.write && values.role !== 'emsp')
    throw new UsageError("--write goes with --role emsp (a CPO's Sessions SENDER is only read)");
  if (values.since !== undefined && parseDateTime(values.since) === undefined)
    throw new UsageError('--since must be an OCPI DateTime (e.g. 2025-05-01T00:00:00Z)');
  const maxRequests = intOption('max-requests', values.maxRequests, 60);
  if (maxRequests < 10) throw new UsageError('--max-requests must be at least 10');
  const err = process.stderr;
  const tty = err.isTTY === true;
  const options = {
    url,
    token: values.token,
    version: values.version,
    party: values.party,
    since: values.since,
    maxRequests,
    paceMs: intOption('pace-ms', values.paceMs, 200),
    timeoutMs: intOption('timeout-ms', values.timeoutMs, 30_000),
    slowMs: intOption('slow-ms', values.slowMs, 2_000),
    maxResponseBytes: intOption('max-response-bytes', values.maxResponseBytes, 16 * 1024 * 1024),
    // Progress only on a terminal: a redrawn line on stderr.
    onRequest: tty
      ? (made: number, max: number, target: string) =>
          err.write(
            `\r\x1b[K${`[${made}/${max}] ${target}`.slice(0, Math.max(20, terminalColumns(err.columns) - 1))}`,
          )
      : undefined,
  };
  const report =
    values.role === 'emsp'
      ? await checkSessionsReceiver({ ...options, party: values.party! })
      : await checkSessionsSender(options);
  if (tty) err.write('\r\x1b[K');
  const text = renderReport(report, values.format);
  if (values.out) {
    writeFileSync(values.out, text);
    const s = report.summary;
    console.error(
      `ocpi-sessions check: ${s.failed === 0 ? 'passed' : 'failed'}: ${s.passed} passed, ${s.failed} failed, ` +
        `${s.notDetermined} not determined; report written to ${values.out}`,
    );
  } else process.stdout.write(text);
  if (store && values.partner) await recordCheckVerdict(store, values.partner, verdictOf(report));
  return report.summary.failed === 0 ? 0 : 1;
}

function verdictOf(r: CheckReport): CheckVerdict {
  return {
    at: r.finishedAt,
    url: r.target.sessionsUrl ?? r.target.url,
    ...(r.target.version ? { version: r.target.version } : {}),
    passed: r.summary.passed,
    failed: r.summary.failed,
    notDetermined: r.summary.notDetermined,
    failedChecks: r.results.filter((x) => x.outcome === 'fail').map((x) => x.id),
    quirks: r.quirks,
    ...(r.target.encoding ? { encoding: r.target.encoding } : {}),
  };
}

export function addCheckCommand(program: Command): void {
  const cmd = subcommand(
    program,
    'check',
    "check another party's OCPI Sessions interface for conformance (GETs only, unless --write)",
  )
    .argument(
      '[url]',
      "the CPO's versions URL, version details URL or Sessions endpoint (default: --partner's)",
    )
    .addOption(new Option('--token <token>', 'the token to call it with (ours at that party)'))
    .addOption(dbFlag('SQLite file or postgres:// URL where the verdict is recorded with --partner'))
    .addOption(
      new Option(
        '--partner <CC-PID>',
        'the CPO checked: its saved pull configuration when no URL is given; the verdict is recorded with it (--db)',
      ),
    )
    .addOption(
      new Option('--version <version>', 'OCPI version (default: the highest both speak)').choices(
        OCPI_VERSIONS,
      ),
    )
    .addOption(
      new Option(
        '--role <role>',
        "the other party's role: cpo (its Sessions SENDER is read) or emsp (its RECEIVER, with --write)",
      )
        .choices(['cpo', 'emsp'])
        .default('cpo'),
    )
    .addOption(
      new Option(
        '--party <CC-PID>',
        'our party: only its sessions may be listed (cpo); the test session is written under it (emsp)',
      ),
    )
    .addOption(
      new Option(
        '--write',
        'with --role emsp: PUT/PATCH one test session (id OCPI-SESSIONS-CHECK-…) to the receiver',
      ),
    )
    .addOption(new Option('--format <format>', 'report format').choices(REPORT_FORMATS).default('text'))
    .addOption(new Option('--out <file>', 'write the report to this file instead of stdout'))
    .addOption(new Option('--max-requests <n>', 'at most this many requests (at least 10)').default(60))
    .addOption(
      new Option(
        '--since <DateTime>',
        'date_from of the window checked (default: none; date_to is the start)',
      ),
    )
    .addOption(new Option('--pace-ms <ms>', 'at least this long between two requests').default(200))
    .addOption(new Option('--timeout-ms <ms>', 'timeout of each request').default(30_000))
    .addOption(
      new Option('--slow-ms <ms>', 'an answer slower than this fails performance.latency').default(2_000),
    )
    .addOption(new Option('--max-response-bytes <n>', 'a larger answer is aborted').default(16 * 1024 * 1024))
    .action(action(check));
  examples(cmd, [
    'ocpi-sessions check https://cpo.example.com/ocpi/versions --token T --party NL-EMS',
    'ocpi-sessions check https://cpo.example.com/ocpi/cpo/2.2.1/sessions --token T --format junit --out check.xml',
    'ocpi-sessions check https://cpo.example.com/ocpi/versions --token T --since 2025-05-01T00:00:00Z --format json',
    'ocpi-sessions check --db ./emsp.db --partner NL-OCS   # its saved pull configuration; partners list shows the verdict',
    'ocpi-sessions check https://emsp.example.com/ocpi/versions --token T --role emsp --write --party NL-OCS',
  ]);
}
