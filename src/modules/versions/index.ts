// The Versions module, assembled: descriptor + routes.
import type { OcpiModule } from '../module.js';
import { registerVersions } from './http/routes.js';
import { versionsModule } from './module.js';

export const versions: OcpiModule = {
  descriptor: versionsModule,
  registerRoutes: (app, cx) => registerVersions(app, cx.modules, cx.publicUrl, cx.identity),
};
