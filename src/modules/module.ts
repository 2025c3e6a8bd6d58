// An OCPI module as the server and the CLI use it: its descriptor (module.ts of the module, data only) and what
// it plugs into the machinery: its routes, its OpenAPI examples. Listed once in src/modules/index.ts.
import type { FastifyInstance } from 'fastify';
import type { PagingConfig } from '../http/pagination.js';
import type { Identity } from '../service/identity.js';
import type { PullAdapter } from '../service/pull-adapter.js';
import type { PushAdapter } from '../service/push-adapter.js';
import type { TokenCache } from '../service/token-cache.js';
import type { SessionStore } from '../store/contract.js';
import type { ModuleDescriptor } from './descriptor.js';

/** What a module's routes may use: one per server. */
export interface RouteContext {
  store: SessionStore;
  tokens: TokenCache;
  paging: PagingConfig;
  publicUrl: string | undefined;
  /** This instance's identity (cached, service/identity.ts). */
  identity: () => Promise<Identity | undefined>;
  /** `--deny-private-peers`: call-backs to partner URLs refuse private, loopback and link-local addresses. */
  denyPrivatePeers: boolean | undefined;
  /** Every module's descriptor, in registry order (the versions module lists their endpoints). */
  modules: readonly ModuleDescriptor[];
}

export interface OcpiModule {
  readonly descriptor: ModuleDescriptor;
  /** Brings the store up to what the module serves before the server answers (bodies of a new wire format). */
  prepareStore?(store: SessionStore): Promise<void>;
  /** Work the module does in the background while the server runs (started on listen, stopped on close). */
  background?(store: SessionStore, onError: (err: unknown) => void): { start(): void; stop(): Promise<void> };
  /** Registers the module's routes; each declares its `config.access` (src/http/types.ts). */
  registerRoutes(app: FastifyInstance, cx: RouteContext): void;
  /** How the module's objects are pushed to a partner's RECEIVER interface (absent: the module is not pushed). */
  readonly push?: PushAdapter;
  /** How the module's objects are pulled from a partner's SENDER interface (absent: the module is not pulled). */
  readonly pull?: PullAdapter;
  /** Example values of the module's OpenAPI component schemas, by `$id` (made on the first document request). */
  readonly docExamples?: () => Map<string, unknown>;
}
