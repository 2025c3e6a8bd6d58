// `ocpi-sessions serve --db <file> [--port 8080] [--host 127.0.0.1] [--public-url <url>] [--max-limit N]
//   [--rate-limit N[/BURST]] [--request-timeout-ms 30000] [--body-limit 1048576] [--deny-private-peers]`
import { buildServer, DEFAULT_MAX_LIMIT, DEFAULT_LIMIT } from '../../app/server.js';
import type { SessionStore } from '../../store/contract.js';
import { openStore } from '../../store/open.js';
import { PUBLIC_URL } from '../../service/identity.js';
import { PUSH_ADAPTERS } from '../../modules/index.js';
import { PushDelivery } from '../../service/push-delivery.js';
import { dbOption, intOption, parse, UsageError } from '../args.js';
import type { RateLimitConfig } from '../../http/rate-limit.js';

export const serveOptions = {
  db: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'public-url': { type: 'string' },
  'max-limit': { type: 'string' },
  'default-limit': { type: 'string' },
  'log-level': { type: 'string' },
  'push-backoff-ms': { type: 'string' },
  'push-lease-ms': { type: 'string' },
  'rate-limit': { type: 'string' },
  'request-timeout-ms': { type: 'string' },
  'body-limit': { type: 'string' },
  'deny-private-peers': { type: 'boolean' },
} as const;

export interface Running {
  url: string;
  store: SessionStore;
  close(): Promise<void>;
}

export async function startServer(values: Record<string, string | boolean | undefined>): Promise<Running> {
  const s = (k: string) => values[k] as string | undefined;
  const store = await openStore(dbOption(s('db')));
  const denyPrivatePeers = values['deny-private-peers'] === true || process.env.DENY_PRIVATE_PEERS === '1';
  const maxLimit = intOption('max-limit', s('max-limit') ?? process.env.MAX_LIMIT, DEFAULT_MAX_LIMIT);
  const app = await buildServer(store, {
    publicUrl: s('public-url') ?? process.env.PUBLIC_URL,
    maxLimit,
    defaultLimit: intOption('default-limit', s('default-limit'), Math.min(DEFAULT_LIMIT, maxLimit)),
    logLevel: s('log-level') ?? process.env.LOG_LEVEL ?? 'warn',
    requestTimeoutMs: intOption(
      'request-timeout-ms',
      s('request-timeout-ms') ?? process.env.REQUEST_TIMEOUT_MS,
      30_000,
    ),
    bodyLimit: intOption('body-limit', s('body-limit') ?? process.env.BODY_LIMIT, 1024 * 1024),
    rateLimit: rateLimitOption(s('rate-limit') ?? process.env.RATE_LIMIT),
    denyPrivatePeers,
  });
  const port = intOption('port', s('port') ?? process.env.PORT, 8080);
  const host = s('host') ?? process.env.HOST ?? '127.0.0.1';
  const address = await app.listen({ port, host });
  await store.writeSetting(PUBLIC_URL, s('public-url') ?? process.env.PUBLIC_URL ?? address);
  const push = new PushDelivery(store, PUSH_ADAPTERS, {
    baseBackoffMs: intOption('push-backoff-ms', s('push-backoff-ms'), 1000),
    // Advanced: how long a claimed delivery is leased (bounds the push request timeout to half of it).
    leaseMs: Math.max(100, intOption('push-lease-ms', s('push-lease-ms'), 60_000)),
    denyPrivatePeers,
  });
  push.start();
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await app.close(); // in-flight requests finish; new ones get 503
      await push.stop();
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

export function stopOnSignals(running: Running): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void running.close().then(() => process.exit(0));
    });
  }
}

export async function serve(argv: string[]): Promise<void> {
  const { values } = parse(argv, serveOptions);
  const running = await startServer(values);
  stopOnSignals(running);
  console.log(`ocpi-sessions listening on ${running.url} (store: ${running.store.kind})`);
}
