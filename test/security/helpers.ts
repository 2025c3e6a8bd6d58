// Shared by the security tests (their raw HTTP client is raw() of test/support/http.ts): the OCPI envelope
// invariants, a byte-exact snapshot of a SQLite store, and a populated party server.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Session } from '../../src/domain/session.js';
import type { ServerConfig } from '../../src/app/server.js';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { setIdentity } from '../../src/service/identity.js';
import { rotateIngestToken } from '../../src/service/ingest-token.js';
import { addPartner } from '../../src/service/partners.js';
import { invite } from '../../src/modules/credentials/service/registration.js';
import { writeSessions } from '../../src/modules/sessions/service/writer.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { RawResponse } from '../support/http.js';
import { startTestServer, tempDb, type TestServer } from '../support/server.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

/**
 * The invariants of every answer: never 5xx; a JSON OCPI envelope (either style) with a numeric status code in
 * the class that matches the HTTP status, a status message and a timestamp.
 */
export function assertEnvelope(res: RawResponse, what: string, method = 'GET'): { statusCode: number } {
  const ctx = `${what} → HTTP ${res.status} ${res.text.slice(0, 300)}`;
  assert.ok(res.status >= 200 && res.status < 500, `5xx or nonsense status: ${ctx}`);
  if (method === 'HEAD') return { statusCode: 0 };
  assert.match(String(res.headers['content-type']), /^application\/json/, `content type: ${ctx}`);
  assert.ok(
    res.json && typeof res.json === 'object' && !Array.isArray(res.json),
    `not a JSON object: ${ctx}`,
  );
  const camel = 'statusCode' in res.json;
  const statusCode = camel ? res.json.statusCode : res.json.status_code;
  const message = camel ? res.json.statusMessage : res.json.status_message;
  assert.equal(typeof statusCode, 'number', `status code: ${ctx}`);
  assert.equal(typeof message, 'string', `status message: ${ctx}`);
  assert.match(res.json.timestamp, ISO, `timestamp: ${ctx}`);
  if (res.status >= 400) {
    assert.ok(statusCode >= 2000 && statusCode < 3000, `HTTP ${res.status} needs a 2xxx status code: ${ctx}`);
  } else {
    // 2xx: success, or (credentials registration, OCPI 2.2.1 §5) a 3xxx about the other party's system.
    assert.ok(statusCode === 1000 || (statusCode >= 3000 && statusCode < 4000), `HTTP 2xx code: ${ctx}`);
  }
  if (res.status === 401) assert.equal(res.headers['www-authenticate'], 'Token', ctx);
  if (res.status === 405) assert.ok(res.headers.allow, `405 without Allow: ${ctx}`);
  if (res.status === 429) assert.match(String(res.headers['retry-after']), /^\d+$/, ctx);
  return { statusCode };
}

const readers = new Map<string, { db: Database.Database; tables: Database.Statement[] }>();

/** Every row of every table of a SQLite store, as one hash (read through a second, read-only connection). */
export function snapshot(file: string): string {
  let r = readers.get(file);
  if (!r) {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    const names = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((t) => t.name);
    // Ordered by the table's first two columns (one for a one-column table such as pending_renders).
    const order = (n: string) =>
      db.prepare(`SELECT * FROM pragma_table_info('${n}')`).all().length > 1 ? '2, 3' : '2';
    r = {
      db,
      tables: names.map((n) => db.prepare(`SELECT '${n}' AS "#", * FROM "${n}" ORDER BY ${order(n)}`)),
    };
    readers.set(file, r);
  }
  const h = createHash('sha256');
  // One read transaction: a consistent picture of all tables.
  r.db.transaction(() => {
    for (const st of r.tables) for (const row of st.raw().iterate()) h.update(JSON.stringify(row));
  })();
  return h.digest('hex');
}

/** Closes the read-only connections snapshot() opened. */
export function closeSnapshots(): void {
  for (const r of readers.values()) r.db.close();
  readers.clear();
}

export const US = { countryCode: 'NL', partyId: 'OCS' };
export const EMSPS = [
  { countryCode: 'DE', partyId: 'EMP', format: 'ocpi' as const },
  { countryCode: 'FR', partyId: 'MSP', format: 'camel' as const },
];
export const CPOS = [
  { countryCode: 'BE', partyId: 'CPX', format: 'ocpi' as const },
  { countryCode: 'AT', partyId: 'CPC', format: 'camel' as const },
];

export interface PartyServer {
  server: TestServer;
  file: string;
  sessions: Session[];
  /** Partner key → token. */
  tokens: Record<string, string>;
  tokenA: string;
  ingest: string;
}

/** A CPO + eMSP instance (NL-OCS) with demo sessions of two eMSPs, two eMSP and two CPO partners, a token A. */
export async function partyServer(config: Partial<ServerConfig> = {}, count = 60): Promise<PartyServer> {
  const file = tempDb('party.db');
  const store = new SqliteStore(file);
  const server = await startTestServer(config, store);
  await setIdentity(store, { ...US, roles: ['CPO', 'EMSP'], name: 'Us' });
  const sessions = [
    ...generateDemoSessions({ count, seed: 21, emsps: EMSPS, cpo: US, now: Date.UTC(2025, 5, 1) }),
  ];
  const tokens: Record<string, string> = {};
  for (const p of EMSPS)
    tokens[`${p.countryCode}-${p.partyId}`] = (await addPartner(store, { ...p, roles: ['EMSP'] })).token;
  for (const p of CPOS)
    tokens[`${p.countryCode}-${p.partyId}`] = (await addPartner(store, { ...p, roles: ['CPO'] })).token;
  // After the partners: their formats are stored with the sessions (no background render changing the store
  // under the tests that compare it before and after a request, issue 16).
  await writeSessions(store, sessions, { mode: 'replace' });
  const tokenA = await invite(store);
  const ingest = await rotateIngestToken(store);
  return { server, file, sessions, tokens, tokenA, ingest };
}

export const b64 = (t: string) => Buffer.from(t).toString('base64');
