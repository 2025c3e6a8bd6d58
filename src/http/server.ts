// Builds the HTTP server: routes per OCPI module and role; no business rules here.
import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { SessionStore } from '../store/contract.js';
import './types.js';

import { registerAuth } from './auth.js';
import { registerErrorHandling } from './errors.js';
import type { PagingConfig } from './pagination.js';
import { registerHealth } from './routes/health.js';
import { registerSessionsSender } from './routes/sessions-sender.js';

export interface ServerConfig extends PagingConfig {
  logLevel?: string;
  bodyLimit?: number;
  requestTimeoutMs?: number;
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
  registerErrorHandling(app);
  registerAuth(app, store);
  registerHealth(app, store);
  registerSessionsSender(app, store, paging);
  await app.ready();
  return app;
}
