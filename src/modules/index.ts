// The module registry: every OCPI module this instance speaks, in the order version details list them. It feeds
// route registration, the versions endpoints, the OpenAPI tags and examples (src/app/server.ts). A new module
// (cdrs, tariffs, …) is one folder under src/modules/ and one line here (see docs/architecture.md).
import { credentials } from './credentials/index.js';
import type { ModuleId } from '../domain/module-id.js';
import type { OcpiModule } from './module.js';
import { sessions } from './sessions/index.js';
import { versions } from './versions/index.js';

export const MODULES: readonly OcpiModule[] = [versions, credentials, sessions];

/** The adapter of a module for the push worker or the pull runner; throws when the module has none. */
export function adapterOf<K extends 'pull' | 'push'>(id: ModuleId, kind: K): NonNullable<OcpiModule[K]> {
  const found = MODULES.find((m) => m.descriptor.identifier === id)?.[kind];
  if (!found) throw new Error(`the ${id} module has no ${kind} adapter`);
  return found;
}

/** The push adapters of every module that pushes (the push worker finds an outbox entry's by its module). */
export const PUSH_ADAPTERS = MODULES.flatMap((m) => (m.push ? [m.push] : []));
