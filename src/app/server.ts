// The composition root of the HTTP server: the cross-cutting parts of src/http (errors, deadlines, transport
// headers, rate limit, auth, documentation, health), then every module of the registry (src/modules/index.ts).
// No business rules here.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { SessionStore } from '../store/contract.js';
import '../http/types.js';

import { registerAuth } from '../http/auth.js';
import { clientError, frameworkError, registerErrorHandling } from '../http/errors.js';
import { registerBodyDeadline, registerRateLimit, type RateLimitConfig } from '../http/rate-limit.js';
import type { PagingConfig } from '../http/pagination.js';
import type { OpenApiParts } from '../http/openapi/document.js';
import { DOCS_PREFIX, registerDocs } from '../http/routes/docs.js';
import { registerHealth } from '../http/routes/health.js';
import { MODULES } from '../modules/index.js';
import { renderBody } from '../modules/sessions/service/writer.js';
import type { OcpiModule } from '../modules/module.js';
import { registerTransportHeaders, requestIdOf } from '../http/transport-headers.js';
import { registerAccessLog } from '../http/access-log.js';
import { Metrics } from '../http/metrics.js';
import { registerMetricsRoute } from '../http/routes/metrics.js';
import { cachedIdentity } from '../service/identity.js';
import { TokenCache } from '../service/token-cache.js';
import { CONSOLE_TAG } from '../http/routes/console/schemas.js';
import { registerConsoleApi } from '../http/routes/console/routes.js';
import { registerConsoleUi } from '../http/routes/console/ui.js';
import { OverviewReader } from '../service/console/overview.js';
import { PullJobs } from '../service/pull-jobs.js';
import { PullSchedule } from '../service/pull-schedule.js';

export interface ServerConfig extends PagingConfig {
  /** A logger of Fastify's kind (pino) to log to: the access log (info) and errors. Wins over logLevel. */
  logger?: FastifyBaseLogger;
  /** Without `logger`: a pino logger at this level to stdout (absent or 'silent': no logs). */
  logLevel?: string;
  bodyLimit?: number;
  /** Time a client has to send a whole request (headers and body); slower connections are closed (default 30 s). */
  requestTimeoutMs?: number;
  /** Per-token (per-IP when unauthenticated) token bucket, in memory per process; default off. See rate-limit.ts. */
  rateLimit?: RateLimitConfig;
  /** `--deny-private-peers`: registration call-backs refuse private, loopback and link-local peer addresses. */
  denyPrivatePeers?: boolean;
  /** GET /openapi.json and GET /docs (default true). */
  docs?: boolean;
  /** The metrics of this server (default: new ones); GET /metrics serves them to the operator token. */
  metrics?: Metrics;
  /** `--metrics-token`: opens GET /metrics (operator access); absent: /metrics refuses every request. */
  metricsToken?: string;
  /**
   * `--trust-proxy`: Fastify's trustProxy. true trusts every hop, a number that many hops, a string or list the
   * proxies' addresses/CIDRs. The client address (rate limit per IP, access log) is then taken from
   * X-Forwarded-For; without it, the connection's peer.
   */
  trustProxy?: boolean | number | string | string[];
  /**
   * `--console`: the operator console: its pages at /console (public: they hold no data) and its API under
   * /console/api/ (access `console`: an operator token or `consolePassword`). Absent or false: those paths answer 404.
   */
  console?: boolean;
  /** `--console-password`: opens the console besides the operator tokens (never stored). */
  consolePassword?: string;
  /**
   * `--pull-every`: pull every CPO partner we can pull from once per this many ms (service/pull-schedule.ts),
   * from the moment the server listens until it closes. Absent: pulls run only when asked (CLI, console).
   */
  pullEveryMs?: number;
}

export const DEFAULT_LIMIT = 100;
export const DEFAULT_MAX_LIMIT = 1000;

export async function buildServer(
  store: SessionStore,
  config: Partial<ServerConfig> = {},
): Promise<FastifyInstance> {
  const paging: PagingConfig = {
    defaultLimit: Math.min(config.defaultLimit ?? DEFAULT_LIMIT, config.maxLimit ?? DEFAULT_MAX_LIMIT),
    maxLimit: config.maxLimit ?? DEFAULT_MAX_LIMIT,
    publicUrl: config.publicUrl,
  };
  const requestTimeout = config.requestTimeoutMs ?? 30_000;
  const app = Fastify({
    ...(config.logger
      ? { loggerInstance: config.logger }
      : { logger: config.logLevel && config.logLevel !== 'silent' ? { level: config.logLevel } : false }),
    // One access line per request (access-log.ts) instead of Fastify's two; its requestId is the X-Request-ID we echo.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdOf,
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit: config.bodyLimit ?? 1024 * 1024,
    requestTimeout,
    connectionTimeout: requestTimeout,
    // Node checks requestTimeout only every connectionsCheckingInterval (default 30 s): check often enough that
    // a client trickling its headers byte by byte is cut off close to the configured timeout.
    http: { connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(requestTimeout / 4))) },
    return503OnClosing: true,
    frameworkErrors: frameworkError,
    clientErrorHandler: clientError,
    ajv: { customOptions: { coerceTypes: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const modules: readonly OcpiModule[] = MODULES;
  for (const m of modules) await m.prepareStore?.(store);
  const identity = cachedIdentity(store);
  const metrics =
    config.metrics ??
    new Metrics(
      store,
      modules.flatMap((m) => (m.pull ? [m.pull.module] : [])),
    );
  const storeFault = metrics.storeFault.bind(metrics);
  metrics.register(app);
  registerAccessLog(app);
  registerErrorHandling(app, storeFault);
  registerBodyDeadline(app, requestTimeout);
  registerTransportHeaders(app, identity);
  if (config.rateLimit) registerRateLimit(app, config.rateLimit); // before auth: see rate-limit.ts
  const tokens = new TokenCache(store);
  registerAuth(app, store, tokens, [DOCS_PREFIX], config.metricsToken, config.consolePassword);
  // Before every route: the OpenAPI generator collects the routes as they are added.
  const parts = openApiParts(modules);
  const docParts = config.console ? { ...parts, tags: [...parts.tags, CONSOLE_TAG] } : parts;
  if (config.docs !== false) await registerDocs(app, paging, docParts);
  registerHealth(app, store, storeFault);
  registerMetricsRoute(app, metrics, 'operator');
  const cx = {
    store,
    tokens,
    paging,
    publicUrl: config.publicUrl,
    identity,
    denyPrivatePeers: config.denyPrivatePeers,
    modules: modules.map((m) => m.descriptor),
  };
  for (const m of modules) m.registerRoutes(app, cx);
  const pullAdapters = modules.flatMap((m) => (m.pull ? [m.pull] : []));
  const pulled = pullAdapters.map((a) => a.module);
  const jobs = new PullJobs(store, pullAdapters, app.log, config.denyPrivatePeers === true);
  const schedule =
    config.pullEveryMs === undefined
      ? undefined
      : new PullSchedule(store, jobs, pulled, config.pullEveryMs, app.log);
  for (const m of modules) {
    const work = m.background?.(store, (err) =>
      app.log.error({ err }, `${m.descriptor.identifier}: background`),
    );
    if (!work) continue;
    app.addHook('onListen', () => work.start());
    app.addHook('onClose', () => work.stop());
  }
  if (schedule) {
    app.addHook('onListen', () => schedule.start());
    app.addHook('onClose', () => schedule.stop());
  }
  if (config.console) {
    const overview = new OverviewReader(store, pulled, () => metrics.rates(), jobs, schedule);
    registerConsoleApi(app, { store, overview, jobs, render: renderBody });
    await registerConsoleUi(app); // the pages at /console (dist/console, built by `npm run build`)
  }
  await app.ready();
  return app;
}

/** Fastify's trustProxy; a hop count as the function Fastify makes of one (its types take no number). */
function trustProxyOption(value: ServerConfig['trustProxy']) {
  if (typeof value !== 'number') return value ?? false;
  return (_address: string, hop: number) => hop < value;
}

/** The modules' part of the OpenAPI document: functional modules' tags first (what partners use), then the rest. */
function openApiParts(modules: readonly OcpiModule[]): OpenApiParts {
  const ordered = [
    ...modules.filter((m) => m.descriptor.kind === 'functional'),
    ...modules.filter((m) => m.descriptor.kind !== 'functional'),
  ];
  return {
    tags: ordered.flatMap((m) => m.descriptor.tags),
    examples: modules.flatMap((m) => (m.docExamples ? [m.docExamples] : [])),
  };
}
