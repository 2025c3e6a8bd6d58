// The module registry: every OCPI module this instance speaks, in the order version details list them. It feeds
// route registration, the versions endpoints, the OpenAPI tags and examples (src/app/server.ts). A new module
// (cdrs, tariffs, …) is one folder under src/modules/ and one line here (see docs/architecture.md).
import { credentials } from './credentials/index.js';
import type { OcpiModule } from './module.js';
import { sessions } from './sessions/index.js';
import { versions } from './versions/index.js';

export const MODULES: readonly OcpiModule[] = [versions, credentials, sessions];
