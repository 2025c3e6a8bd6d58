// The Sessions module (OCPI 2.1.1 mod_sessions, 2.2.1 §9): a CPO serves the Sender interface (eMSPs pull), an eMSP
// the Receiver interface (CPOs push); the CPO's own back end feeds sessions on the ingest interface (not OCPI).
import type { ModuleDescriptor } from '../descriptor.js';

export const SENDER_TAG = 'sessions (CPO sender)';
export const RECEIVER_TAG = 'sessions (eMSP receiver)';
export const INGEST_TAG = 'ingest (CPO back end)';

export const sessionsModule: ModuleDescriptor = {
  kind: 'functional',
  identifier: 'sessions',
  interfaces: [
    // OCPI 2.2.1 §9.2.1 (2.1.1 mod_sessions §3.1): the CPO's Sender interface.
    { role: 'SENDER', servedBy: 'CPO', path: (v) => `/ocpi/cpo/${v}/sessions` },
    // OCPI 2.2.1 §9.2.2 (2.1.1 mod_sessions §3.2): the eMSP's Receiver interface.
    { role: 'RECEIVER', servedBy: 'EMSP', path: (v) => `/ocpi/emsp/${v}/sessions` },
  ],
  tags: [
    {
      name: SENDER_TAG,
      description:
        'OCPI Sessions module, Sender interface of the CPO (2.1.1 mod_sessions §3.1, 2.2.1 §9.2.1): the eMSP ' +
        'pulls the sessions of its tokens, page by page.',
    },
    {
      name: RECEIVER_TAG,
      description:
        'OCPI Sessions module, Receiver interface of the eMSP (2.1.1 mod_sessions §3.2, 2.2.1 §9.2.2): a CPO ' +
        'pushes its sessions (client owned objects, under its own country_code / party_id).',
    },
    {
      name: INGEST_TAG,
      description: "Not OCPI: the CPO's own charging back end feeds live sessions, with the ingest token.",
    },
  ],
};
