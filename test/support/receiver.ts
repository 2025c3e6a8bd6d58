// A real OCPI 2.2.1 Sessions receiver on loopback for push tests: PUT replaces a session, PATCH merges the fields
// given (charging_periods appended, OCPI 2.2.1 §9.2.2.3), both answered with an OCPI envelope. What it does with a
// request is scripted per request (`behave`): answer, answer with an HTTP status without applying, apply and then
// lose the answer (the connection is closed), close the connection without applying; it may first wait for a
// promise (a gate the test opens). Every request is recorded with its place in one event order shared by all
// receivers of a test (`events`), so tests compare the order of things, never wall-clock times.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashToken } from '../../src/service/tokens.js';
import type { SessionStore } from '../../src/store/contract.js';

export type Body = Record<string, unknown>;

export type Behaviour =
  | { kind: 'ok' }
  | { kind: 'status'; status: number }
  /** Applied, but the answer is lost: the connection closes. */
  | { kind: 'lose-answer' }
  /** The connection closes before anything is applied. */
  | { kind: 'drop' };

export interface Received {
  method: string;
  id: string;
  body: Body;
  /** Events (shared order) when the request arrived and when it was answered or dropped. */
  arrived: number;
  ended?: number;
  outcome?: Behaviour['kind'];
}

export interface Events {
  n: number;
}

export interface Receiver {
  /** The receiver endpoint (what the partner registered as its Sessions RECEIVER). */
  url: string;
  sessions: Map<string, Body>;
  received: Received[];
  /** Most requests in progress at once, in all and per session. */
  maxConcurrent: number;
  maxPerSession: number;
  /** Requests in progress now. */
  inProgress(): number;
  behave: (r: Received) => Behaviour | Promise<Behaviour>;
  close(): Promise<void>;
}

export async function startReceiver(
  events: Events = { n: 0 },
  behave: Receiver['behave'] = () => ({ kind: 'ok' }),
): Promise<Receiver> {
  const sessions = new Map<string, Body>();
  const received: Received[] = [];
  const open = new Map<string, number>();
  let concurrent = 0;
  const envelope = (code: number, message: string) =>
    JSON.stringify({ status_code: code, status_message: message, timestamp: new Date().toISOString() });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const m = /\/sessions\/([^/]+)\/([^/]+)\/([^/?]+)$/.exec(req.url ?? '');
      if (!m || (req.method !== 'PUT' && req.method !== 'PATCH')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(envelope(2000, 'not found'));
        return;
      }
      const id = decodeURIComponent(m[3]!);
      const rec: Received = {
        method: req.method,
        id,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Body,
        arrived: ++events.n,
      };
      received.push(rec);
      concurrent++;
      open.set(id, (open.get(id) ?? 0) + 1);
      r.maxConcurrent = Math.max(r.maxConcurrent, concurrent);
      r.maxPerSession = Math.max(r.maxPerSession, open.get(id)!);
      void (async () => {
        const b = await r.behave(rec);
        concurrent--;
        open.set(id, open.get(id)! - 1);
        rec.ended = ++events.n;
        rec.outcome = b.kind;
        if (b.kind === 'drop') return void req.socket.destroy();
        if (b.kind === 'status') {
          res.writeHead(b.status, { 'content-type': 'application/json' }).end(envelope(3000, 'unavailable'));
          return;
        }
        const known = sessions.get(id);
        if (rec.method === 'PATCH' && !known) {
          res.writeHead(404, { 'content-type': 'application/json' }).end(envelope(2000, 'unknown session'));
          return;
        }
        sessions.set(id, rec.method === 'PUT' ? rec.body : merge(known!, rec.body));
        if (b.kind === 'lose-answer') return void req.socket.destroy();
        res.writeHead(200, { 'content-type': 'application/json' }).end(envelope(1000, 'Success'));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const r: Receiver = {
    url: `http://127.0.0.1:${port}/ocpi/emsp/2.2.1/sessions`,
    sessions,
    received,
    maxConcurrent: 0,
    maxPerSession: 0,
    inProgress: () => concurrent,
    behave,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return r;
}

/** OCPI 2.2.1 PATCH of a session: the fields given replace the stored ones, charging periods are appended. */
function merge(stored: Body, patch: Body): Body {
  const out = { ...stored, ...patch };
  if ('charging_periods' in patch)
    out.charging_periods = [
      ...((stored.charging_periods as unknown[] | undefined) ?? []),
      ...(patch.charging_periods as unknown[]),
    ];
  return out;
}

/** A gate: `wait()` resolves once `open()` was called. */
export function gate(): { wait: () => Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { wait: () => opened, open };
}

/** Registers `party` (CC-PID) as an eMSP partner whose Sessions RECEIVER (2.2.1) is `receiverUrl`. */
export async function registerReceiverPartner(
  store: SessionStore,
  party: string,
  receiverUrl: string,
): Promise<void> {
  const [countryCode, partyId] = party.split('-') as [string, string];
  const partner = await store.addPartner({
    countryCode,
    partyId,
    roles: ['EMSP'],
    format: 'ocpi',
    tokenHash: hashToken(`token-of-${party}`),
  });
  await store.updatePartner(partner.id, {
    state: 'registered',
    version: '2.2.1',
    endpoints: [{ identifier: 'sessions', role: 'RECEIVER', url: receiverUrl }],
    theirToken: `our-token-for-${party}`,
  });
}
