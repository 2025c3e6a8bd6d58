// `ocpi-sessions serve --db <file> [--port 8080] [--host 127.0.0.1] [--public-url <url>] [--max-limit N]
//   [--push-concurrency 4] [--push-max-in-flight 64] [--push-pause-after 3] [--push-max-backoff-ms 60000]
//   [--rate-limit N[/BURST]] [--request-timeout-ms 30000] [--body-limit 1048576] [--deny-private-peers]
//   [--log-level info] [--trust-proxy [hops|addresses]] [--metrics-token T] [--metrics-port N [--metrics-host A]]
//   [--console [--console-password P]] [--pull-every S]`
import { Option, type Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildServer, DEFAULT_MAX_LIMIT, DEFAULT_LIMIT, type ServerConfig } from '../../app/server.js';
import { buildMetricsServer } from '../../app/metrics-server.js';
import { Metrics } from '../../http/metrics.js';
import { packageVersion } from '../../service/version.js';
import type { SessionStore } from '../../store/contract.js';
import { PUBLIC_URL } from '../../service/identity.js';
import { MODULES, PUSH_ADAPTERS } from '../../modules/index.js';
import { PushDelivery } from '../../service/push-delivery.js';
import { LANE_DEFAULTS } from '../../service/push-lanes.js';
import { action, dbFlag, dbOption, examples, intOption, subcommand, UsageError } from '../args.js';
import { openDb } from '../open-db.js';
import { Opened } from '../opened.js';
import { createLoggers } from '../logger.js';
import type { RateLimitConfig } from '../../http/rate-limit.js';

/** The options of `serve` (and `start`), as commander gives them (numbers are defaults, strings typed values). */
export interface ServeOptions {
  db?: string;
  port: string | number;
  host: string;
  publicUrl?: string;
  maxLimit: string | number;
  defaultLimit?: string;
  logLevel: string;
  pushBackoffMs: string | number;
  pushMaxBackoffMs: string | number;
  pushConcurrency: string | number;
  pushMaxInFlight: string | number;
  pushPauseAfter: string | number;
  pushLeaseMs: string | number;
  rateLimit?: string;
  requestTimeoutMs: string | number;
  bodyLimit: string | number;
  denyPrivatePeers?: boolean;
  trustProxy?: string | boolean;
  metricsToken?: string;
  metricsPort?: string;
  metricsHost: string;
  console?: boolean | string;
  consolePassword?: string;
  pullEvery?: string;
}

/** The server's options, shared by `serve` and `start` (`--db` is each command's own). */
export function addServerOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--port <n>', 'TCP port (0: any free port)').env('PORT').default(8080))
    .addOption(new Option('--host <address>', 'address to listen on').env('HOST').default('127.0.0.1'))
    .addOption(
      new Option(
        '--public-url <url>',
        'base URL partners reach us at (versions URL, Link headers); default: the listening address',
      ).env('PUBLIC_URL'),
    )
    .addOption(
      new Option('--max-limit <n>', 'largest page a partner may ask for')
        .env('MAX_LIMIT')
        .default(DEFAULT_MAX_LIMIT),
    )
    .addOption(
      new Option(
        '--default-limit <n>',
        `page size when a partner asks none (default: ${DEFAULT_LIMIT}, at most --max-limit)`,
      ),
    )
    .addOption(
      new Option(
        '--log-level <level>',
        'fatal, error, warn, info (the access log: one line per request), debug, trace or silent; JSON lines, ' +
          'human-readable on a terminal',
      )
        .env('LOG_LEVEL')
        .default('info'),
    )
    .addOption(new Option('--push-backoff-ms <ms>', 'first retry delay of a failed push').default(1000))
    .addOption(
      new Option(
        '--push-max-backoff-ms <ms>',
        'longest retry delay of a failed push, and longest pause of a partner that keeps failing',
      ).default(LANE_DEFAULTS.maxBackoffMs),
    )
    .addOption(
      new Option('--push-concurrency <n>', 'pushes in flight at once per partner (per process)').default(
        LANE_DEFAULTS.perPartner,
      ),
    )
    .addOption(
      new Option(
        '--push-max-in-flight <n>',
        'pushes in flight at once in this process, all partners',
      ).default(LANE_DEFAULTS.maxInFlight),
    )
    .addOption(
      new Option(
        '--push-pause-after <n>',
        'failed pushes in a row (no answer, HTTP 5xx or 429) after which a partner is paused and probed',
      ).default(LANE_DEFAULTS.pauseAfter),
    )
    .addOption(
      new Option('--push-lease-ms <ms>', 'advanced: how long a claimed push delivery is leased').default(
        60_000,
      ),
    )
    .addOption(
      new Option(
        '--rate-limit <n[/burst]>',
        'requests per second per token (burst 4 N unless given); 0: off',
      ).env('RATE_LIMIT'),
    )
    .addOption(
      new Option('--request-timeout-ms <ms>', 'time for a request line, headers and body')
        .env('REQUEST_TIMEOUT_MS')
        .default(30_000),
    )
    .addOption(
      new Option('--body-limit <bytes>', 'largest request body').env('BODY_LIMIT').default(1024 * 1024),
    )
    .addOption(
      new Option(
        '--deny-private-peers',
        'refuse partner-supplied URLs on loopback, private and link-local addresses (env: DENY_PRIVATE_PEERS=1)',
      ),
    )
    .addOption(
      new Option(
        '--trust-proxy [hops|addresses]',
        'behind a reverse proxy: take the client address (rate limit, logs) from X-Forwarded-For; bare: trust ' +
          'every hop, a number: that many hops, else the proxy addresses/CIDRs, comma-separated',
      ).env('TRUST_PROXY'),
    )
    .addOption(
      new Option(
        '--metrics-token <token>',
        'operator token for GET /metrics (Authorization: Bearer <token>); without it /metrics refuses every request',
      ).env('METRICS_TOKEN'),
    )
    .addOption(
      new Option('--metrics-port <n>', 'also serve GET /metrics without a token on this port').env(
        'METRICS_PORT',
      ),
    )
    .addOption(
      new Option('--metrics-host <address>', 'address of --metrics-port')
        .env('METRICS_HOST')
        .default('127.0.0.1'),
    )
    .addOption(
      new Option(
        '--console',
        'serve the operator console at /console (API under /console/api/): operator tokens ' +
          '(`ocpi-sessions operator-token`) or --console-password open it (env: OCPI_CONSOLE=1)',
      ),
    )
    .addOption(
      new Option(
        '--console-password <secret>',
        'a password that opens the console too (Authorization: Bearer <secret>); never stored',
      ).env('OCPI_CONSOLE_PASSWORD'),
    )
    .addOption(
      new Option(
        '--pull-every <seconds>',
        'pull every CPO partner we can pull from (registered over OCPI, or saved by `pull --partner`) once per ' +
          'this many seconds, one node of a cluster at a time; default: only when asked',
      ).env('PULL_EVERY'),
    );
}

/** `--console`, or OCPI_CONSOLE set to 1 / true / yes / on. */
export function consoleEnabled(value: boolean | string | undefined): boolean {
  if (value === true) return true;
  const env = process.env.OCPI_CONSOLE?.trim().toLowerCase();
  return env !== undefined && ['1', 'true', 'yes', 'on'].includes(env);
}

export interface Running {
  url: string;
  /** The URL of --metrics-port, when given. */
  metricsUrl?: string;
  store: SessionStore;
  /** Start and stop lines (createLoggers). */
  lifecycle: Logger;
  close(): Promise<void>;
}

/**
 * `ready` runs once the server listens and before the "listening" line is logged: whoever reads that line (a
 * supervisor, a test) may signal us at once, so the signal handlers must already be there.
 */
export async function startServer(
  options: ServeOptions,
  command = 'serve',
  ready?: (running: Running) => void,
): Promise<Running> {
  // Every value is checked before the store is opened: a usage error creates no database.
  const denyPrivatePeers = options.denyPrivatePeers === true || process.env.DENY_PRIVATE_PEERS === '1';
  const maxLimit = intOption('max-limit', options.maxLimit, DEFAULT_MAX_LIMIT);
  const loggers = createLoggers(options.logLevel);
  const metricsPort =
    options.metricsPort === undefined ? undefined : intOption('metrics-port', options.metricsPort, 0);
  const config: Partial<ServerConfig> = {
    logger: loggers.log,
    trustProxy: trustProxyOption(options.trustProxy),
    metricsToken: options.metricsToken || undefined,
    publicUrl: options.publicUrl,
    maxLimit,
    defaultLimit: intOption('default-limit', options.defaultLimit, Math.min(DEFAULT_LIMIT, maxLimit)),
    requestTimeoutMs: intOption('request-timeout-ms', options.requestTimeoutMs, 30_000),
    bodyLimit: intOption('body-limit', options.bodyLimit, 1024 * 1024),
    rateLimit: rateLimitOption(options.rateLimit),
    denyPrivatePeers,
    console: consoleEnabled(options.console),
    consolePassword: options.consolePassword || undefined,
    pullEveryMs: pullEveryOption(options.pullEvery),
  };
  const port = intOption('port', options.port, 8080);
  const push = {
    baseBackoffMs: intOption('push-backoff-ms', options.pushBackoffMs, 1000),
    maxBackoffMs: intOption('push-max-backoff-ms', options.pushMaxBackoffMs, LANE_DEFAULTS.maxBackoffMs),
    perPartner: Math.max(1, intOption('push-concurrency', options.pushConcurrency, LANE_DEFAULTS.perPartner)),
    maxInFlight: Math.max(
      1,
      intOption('push-max-in-flight', options.pushMaxInFlight, LANE_DEFAULTS.maxInFlight),
    ),
    pauseAfter: Math.max(1, intOption('push-pause-after', options.pushPauseAfter, LANE_DEFAULTS.pauseAfter)),
    // Advanced: how long a claimed delivery is leased (bounds the push request timeout to half of it).
    leaseMs: Math.max(100, intOption('push-lease-ms', options.pushLeaseMs, 60_000)),
    denyPrivatePeers,
    log: loggers.log,
  };
  const store = await openDb(dbOption(options.db), { command, create: true });
  // What is open so far, closed in reverse when a later step fails (a port taken, the store failing): the
  // process must not keep a listening server, a store or the push worker after it reported the failure.
  const opened = new Opened();
  opened.add(() => store.close());
  try {
    const delivery = new PushDelivery(store, PUSH_ADAPTERS, push); // started once the server listens
    opened.add(() => delivery.stop());
    const metrics = new Metrics(
      store,
      MODULES.flatMap((m) => (m.pull ? [m.pull.module] : [])),
    );
    const metricsApp = metricsPort === undefined ? undefined : await buildMetricsServer(metrics);
    if (metricsApp) opened.add(() => metricsApp.close());
    const app = await buildServer(store, { ...config, metrics });
    opened.add(() => app.close()); // closed first: in-flight requests finish, new ones get 503
    const address = await listening('--port', app, port, options.host);
    const metricsUrl =
      metricsApp && (await listening('--metrics-port', metricsApp, metricsPort!, options.metricsHost));
    await store.writeSetting(PUBLIC_URL, options.publicUrl ?? address);
    delivery.start();
    const { lifecycle } = loggers;
    const close = () => opened.closeAll(); // the server, the metrics port, the push worker, the store
    const running: Running = { url: address, metricsUrl, store, lifecycle, close };
    ready?.(running);
    lifecycle.info(
      { url: address, store: store.kind, version: packageVersion(), ...(metricsUrl ? { metricsUrl } : {}) },
      `ocpi-sessions listening on ${address} (store: ${store.kind}, version ${packageVersion()})`,
    );
    return running;
  } catch (e) {
    await opened.closeAll().catch(() => undefined); // the first failure is the one to report
    throw e;
  }
}

/** `app.listen`, failing with a message that names the option when the address is taken or not ours. */
async function listening(option: string, app: FastifyInstance, port: number, host: string): Promise<string> {
  try {
    return await app.listen({ port, host });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES')
      throw new Error(`cannot listen on ${host}:${port} (${option}): ${(e as Error).message}`);
    throw e;
  }
}

/** `--trust-proxy`: bare (or true): every hop; a number: that many hops; else addresses/CIDRs, comma-separated. */
function trustProxyOption(value: string | boolean | undefined): ServerConfig['trustProxy'] {
  if (value === undefined || value === false || value === '' || value === 'false') return undefined;
  if (value === true || value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const list = value
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (list.length === 0) throw new UsageError(`--trust-proxy: no address in '${value}'`);
  return list;
}

/** `--pull-every S`: whole seconds ≥ 1; absent, empty or 0: no scheduled pulls. */
function pullEveryOption(value: string | undefined): number | undefined {
  if (value === undefined || value === '' || value === '0') return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--pull-every must be a number of seconds, got '${value}'`);
  return Number(value) * 1000;
}

/** `--rate-limit N` (N requests/s per token, burst 4 N) or `N/B` (burst B); 0 or absent: off. */
function rateLimitOption(value: string | undefined): RateLimitConfig | undefined {
  if (value === undefined || value === '' || value === '0') return undefined;
  const m = /^(\d+(?:\.\d+)?)(?:\/(\d+))?$/.exec(value);
  if (!m || !(Number(m[1]) > 0)) {
    throw new UsageError(`--rate-limit must be N or N/BURST (requests per second per token), got '${value}'`);
  }
  return { perSecond: Number(m[1]), ...(m[2] ? { burst: Number(m[2]) } : {}) };
}

/**
 * SIGTERM and SIGINT stop the server gracefully: in-flight requests finish, the push worker stops, the store
 * closes, then the process exits 0. A repeated signal changes nothing (a Ctrl-C reaches both `npm start` and us,
 * and npm forwards it once more).
 */
export function stopOnSignals(running: Running): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const log = running.lifecycle;
    log.info({ signal }, `ocpi-sessions stopping (${signal}): finishing in-flight requests …`);
    running.close().then(
      () => {
        log.info('ocpi-sessions stopped');
        process.exit(0);
      },
      (e: unknown) => {
        log.error({ err: e }, `ocpi-sessions: stopping failed: ${(e as Error).message ?? e}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

export function addServeCommand(program: Command): void {
  const cmd = subcommand(
    program,
    'serve',
    'serve the OCPI API (and push to registered partners) until stopped',
  );
  cmd.addOption(dbFlag('SQLite file (created if missing) or postgres:// URL'));
  addServerOptions(cmd).action(
    action(async (options: ServeOptions) => {
      await startServer(options, 'serve', stopOnSignals); // logs "listening on"
      return undefined; // keeps running
    }),
  );
  examples(cmd, [
    'ocpi-sessions serve --db ./ocpi.db',
    'ocpi-sessions serve --db postgres://ocpi@db/ocpi --host 0.0.0.0 --public-url https://ocpi.example.com --rate-limit 20/100',
    'ocpi-sessions serve --db ./ocpi.db --trust-proxy 1 --metrics-port 9464   (behind one reverse proxy; Prometheus scrapes 127.0.0.1:9464)',
  ]);
}
