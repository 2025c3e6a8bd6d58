// `ocpi-sessions serve --db <file> [--port 8080] [--host 127.0.0.1] [--public-url <url>] [--max-limit N]`
import { buildServer, DEFAULT_MAX_LIMIT, DEFAULT_LIMIT } from '../../http/server.js';
import type { SessionStore } from '../../store/contract.js';
import { openStore } from '../../store/open.js';
import { PushDelivery } from '../../service/push-delivery.js';
import { PUBLIC_URL_META } from './register.js';
import { dbOption, intOption, parse } from '../args.js';

export const serveOptions = {
  db: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'public-url': { type: 'string' },
  'max-limit': { type: 'string' },
  'default-limit': { type: 'string' },
  'log-level': { type: 'string' },
  'push-backoff-ms': { type: 'string' },
} as const;

export interface Running {
  url: string;
  store: SessionStore;
  close(): Promise<void>;
}

export async function startServer(values: Record<string, string | boolean | undefined>): Promise<Running> {
  const s = (k: string) => values[k] as string | undefined;
  const store = await openStore(dbOption(s('db')));
  const maxLimit = intOption('max-limit', s('max-limit') ?? process.env.MAX_LIMIT, DEFAULT_MAX_LIMIT);
  const app = await buildServer(store, {
    publicUrl: s('public-url') ?? process.env.PUBLIC_URL,
    maxLimit,
    defaultLimit: intOption('default-limit', s('default-limit'), Math.min(DEFAULT_LIMIT, maxLimit)),
    logLevel: s('log-level') ?? process.env.LOG_LEVEL ?? 'warn',
  });
  const port = intOption('port', s('port') ?? process.env.PORT, 8080);
  const host = s('host') ?? process.env.HOST ?? '127.0.0.1';
  const address = await app.listen({ port, host });
  await store.setMeta(PUBLIC_URL_META, s('public-url') ?? process.env.PUBLIC_URL ?? address);
  const push = new PushDelivery(store, {
    baseBackoffMs: intOption('push-backoff-ms', s('push-backoff-ms'), 1000),
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
