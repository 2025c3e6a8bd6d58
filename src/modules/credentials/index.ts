// The Credentials module, assembled: descriptor + routes (registration: service/registration.ts).
import type { OcpiModule } from '../module.js';
import { registerCredentials } from './http/routes.js';
import { credentialsModule } from './module.js';

export const credentials: OcpiModule = {
  descriptor: credentialsModule,
  registerRoutes: (app, cx) =>
    registerCredentials(app, cx.store, cx.publicUrl, { denyPrivatePeers: cx.denyPrivatePeers }),
};
