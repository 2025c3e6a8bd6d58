// The Credentials module (OCPI 2.1.1 credentials, 2.2.1 §7): registration, served by every party.
import type { ModuleDescriptor } from '../descriptor.js';

export const CREDENTIALS_TAG = 'credentials';

export const credentialsModule: ModuleDescriptor = {
  kind: 'configuration',
  identifier: 'credentials',
  // OCPI 2.2.1 §7: both parties offer the interface; version details list it with role SENDER (as §7's
  // examples do).
  interfaces: [{ role: 'SENDER', servedBy: 'any', path: (v) => `/ocpi/${v}/credentials` }],
  tags: [
    {
      name: CREDENTIALS_TAG,
      description: 'OCPI Credentials module and registration (2.1.1 credentials, 2.2.1 §7).',
    },
  ],
};
