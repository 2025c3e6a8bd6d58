// The Sessions module, assembled: descriptor, routes of the sender, the charging preferences, the receiver and
// the ingest interface, its push and pull adapters and its OpenAPI examples.
import type { OcpiModule } from '../module.js';
import { registerChargingPreferences } from './http/charging-preferences-routes.js';
import { sessionExamples } from './http/openapi.js';
import { registerSessionsReceiver } from './http/receiver-routes.js';
import { registerSessionsSender } from './http/sender-routes.js';
import { sessionsModule } from './module.js';
import { sessionsPull } from './service/pull.js';
import { sessionsPush } from './service/push.js';
import { PendingRenders } from './service/render-pending.js';

export const sessions: OcpiModule = {
  descriptor: sessionsModule,
  // The bodies of a stored wire format that is not ready (a partner registered, a migration): rendered in the
  // background from the start, the server answering meanwhile (render-pending.ts).
  background: (store, onError) => new PendingRenders(store, 1000, onError),
  registerRoutes(app, cx) {
    registerSessionsSender(app, cx.store, cx.tokens, cx.paging);
    registerChargingPreferences(app, cx.store);
    registerSessionsReceiver(app, cx.store, cx.identity);
  },
  push: sessionsPush,
  pull: sessionsPull,
  docExamples: sessionExamples,
};
