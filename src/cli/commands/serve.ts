// `ocpi-sessions serve --db <file> [--port 8080] [--host 127.0.0.1] [--public-url <url>] [--max-limit N]
//   [--rate-limit N[/BURST]] [--request-timeout-ms 30000] [--body-limit 1048576] [--deny-private-peers]`
import { Option, type Command } from 'commander';
import { buildServer, DEFAULT_MAX_LIMIT, DEFAULT_LIMIT } from '../../app/server.js';
import type { SessionStore } from '../../store/contract.js';
import { PUBLIC_URL } from '../../service/identity.js';
import { PUSH_ADAPTERS } from '../../modules/index.js';
import { PushDelivery } from '../../service/push-delivery.js';
import { action, dbFlag, dbOption, examples, intOption, subcommand, UsageError } from '../args.js';
import { openDb } from '../open-db.js';
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
  pushLeaseMs: string | number;
  rateLimit?: string;
  requestTimeoutMs: string | number;
  bodyLimit: string | number;
  denyPrivatePeers?: boolean;
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
      new Option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
        .env('LOG_LEVEL')
        .default('warn'),
    )
    .addOption(new Option('--push-backoff-ms <ms>', 'first retry delay of a failed push').default(1000))
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
    );
}

export interface Running {
  url: string;
  store: SessionStore;
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions, command = 'serve'): Promise<Running> {
  // Every value is checked before the store is opened: a usage error creates no database.
  const denyPrivatePeers = options.denyPrivatePeers === true || process.env.DENY_PRIVATE_PEERS === '1';
  const maxLimit = intOption('max-limit', options.maxLimit, DEFAULT_MAX_LIMIT);
  const config = {
    publicUrl: options.publicUrl,
    maxLimit,
    defaultLimit: intOption('default-limit', options.defaultLimit, Math.min(DEFAULT_LIMIT, maxLimit)),
    logLevel: options.logLevel,
    requestTimeoutMs: intOption('request-timeout-ms', options.requestTimeoutMs, 30_000),
    bodyLimit: intOption('body-limit', options.bodyLimit, 1024 * 1024),
    rateLimit: rateLimitOption(options.rateLimit),
    denyPrivatePeers,
  };
  const port = intOption('port', options.port, 8080);
  const push = {
    baseBackoffMs: intOption('push-backoff-ms', options.pushBackoffMs, 1000),
    // Advanced: how long a claimed delivery is leased (bounds the push request timeout to half of it).
    leaseMs: Math.max(100, intOption('push-lease-ms', options.pushLeaseMs, 60_000)),
    denyPrivatePeers,
  };
  const store = await openDb(dbOption(options.db), { command, create: true });
  const app = await buildServer(store, config);
  const address = await app.listen({ port, host: options.host });
  await store.writeSetting(PUBLIC_URL, options.publicUrl ?? address);
  const delivery = new PushDelivery(store, PUSH_ADAPTERS, push);
  delivery.start();
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await app.close(); // in-flight requests finish; new ones get 503
      await delivery.stop();
      await store.close();
    })());
  return { url: address, store, close };
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
    console.log(`ocpi-sessions stopping (${signal}): finishing in-flight requests …`);
    running.close().then(
      () => {
        console.log('ocpi-sessions stopped');
        process.exit(0);
      },
      (e: unknown) => {
        console.error(`ocpi-sessions: stopping failed: ${(e as Error).message ?? e}`);
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
      const running = await startServer(options);
      stopOnSignals(running);
      console.log(`ocpi-sessions listening on ${running.url} (store: ${running.store.kind})`);
      return undefined; // keeps running
    }),
  );
  examples(cmd, [
    'ocpi-sessions serve --db ./ocpi.db',
    'ocpi-sessions serve --db postgres://ocpi@db/ocpi --host 0.0.0.0 --public-url https://ocpi.example.com --rate-limit 20/100',
  ]);
}
