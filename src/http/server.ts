// Builds the HTTP server: routes per OCPI module and role; no business rules here.
import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { SessionStore } from '../store/contract.js';
import './types.js';

import { registerAuth } from './auth.js';
import { registerErrorHandling } from './errors.js';
import type { PagingConfig } from './pagination.js';
import { registerChargingPreferences } from './routes/charging-preferences.js';
import { registerCredentials } from './routes/credentials.js';
import { registerDocs } from './routes/docs.js';
import { registerHealth } from './routes/health.js';
import { registerSessionsReceiver } from './routes/sessions-receiver.js';
import { registerSessionsSender } from './routes/sessions-sender.js';
import { registerVersions } from './routes/versions.js';
import { registerTransportHeaders } from './transport-headers.js';
import { cachedIdentity } from '../service/identity.js';

export interface ServerConfig extends PagingConfig {
  logLevel?: string;
  bodyLimit?: number;
  requestTimeoutMs?: number;
  /** GET /openapi.json and GET /docs (default true). */
  docs?: boolean;
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
  const app = Fastify({
    logger: config.logLevel && config.logLevel !== 'silent' ? { level: config.logLevel } : false,
    bodyLimit: config.bodyLimit ?? 1024 * 1024,
    requestTimeout: config.requestTimeoutMs ?? 30_000,
    connectionTimeout: config.requestTimeoutMs ?? 30_000,
    return503OnClosing: true,
    ajv: { customOptions: { coerceTypes: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const identity = cachedIdentity(store);
  registerErrorHandling(app);
  registerTransportHeaders(app, identity);
  registerAuth(app, store);
  // Before every route: the OpenAPI generator collects the routes as they are added.
  if (config.docs !== false) await registerDocs(app, paging);
  registerHealth(app, store);
  registerVersions(app, config.publicUrl, identity);
  registerCredentials(app, store, config.publicUrl);
  registerSessionsSender(app, store, paging);
  registerChargingPreferences(app, store);
  registerSessionsReceiver(app, store, identity);
  await app.ready();
  return app;
}
