// The Versions module (OCPI 2.1.1 version_information_endpoint, 2.2.1 §6): the versions we speak and, per version,
// the endpoints of every module. Not itself listed in version details.
import type { ModuleDescriptor } from '../descriptor.js';

export const VERSIONS_TAG = 'versions';

export const versionsModule: ModuleDescriptor = {
  kind: 'configuration',
  identifier: 'versions',
  interfaces: [],
  tags: [{ name: VERSIONS_TAG, description: 'OCPI Versions module (2.1.1 version_information, 2.2.1 §6).' }],
};
