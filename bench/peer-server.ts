// The "typical peer" of the sender benchmark: a straightforward Fastify server on the same data set, written the way
// an OCPI sender usually is: authenticate the token, COUNT(*) the matches, SELECT the page with OFFSET, parse every
// stored session document and let Fastify stringify the envelope. Nothing rendered at write time, no counters.
// It answers GET /ocpi/cpo/{version}/sessions?offset&limit&date_from&date_to with the same headers as ours.
//
//   node dist/bench/peer-server.js --db <sqlite file | postgres://…> [--port 0]
// Prints `peer listening on http://127.0.0.1:<port>` once it listens; stops on SIGTERM/SIGINT.
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values } = parseArgs({
  options: { db: { type: 'string' }, port: { type: 'string', default: '0' } },
});
if (!values.db) throw new Error('--db is required');

interface Query {
  owner: string;
  from: number;
  to: number;
  limit: number;
  offset: number;
}
interface Db {
  owner(tokenHash: string): Promise<string | undefined>;
  count(q: Query): Promise<number>;
  docs(q: Query): Promise<string[]>;
}

/** The date window only when asked for (as a peer writes it): `owner = ?` alone lets ORDER BY ord use an index. */
function where(q: Query): { sql: string; params: unknown[] } {
  const windowed = q.from !== Number.MIN_SAFE_INTEGER || q.to !== Number.MAX_SAFE_INTEGER;
  return windowed
    ? { sql: 'owner = $1 AND last_updated >= $2 AND last_updated < $3', params: [q.owner, q.from, q.to] }
    : { sql: 'owner = $1', params: [q.owner] };
}
const countSql = (w: string) => `SELECT COUNT(*) AS n FROM sessions WHERE ${w}`;
/** LIMIT and OFFSET are numbers checked by the route, written into the text like most peers do. */
const docsSql = (w: string, q: Query) =>
  `SELECT doc FROM sessions WHERE ${w} ORDER BY ord LIMIT ${q.limit} OFFSET ${q.offset}`;

function sqlite(file: string): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const owner = db.prepare<[string], { party_key: string }>(
    'SELECT party_key FROM partners WHERE token_hash = ?',
  );
  const value = (sql: string, params: unknown[]) =>
    db
      .prepare(sql.replace(/\$\d/g, '?'))
      .pluck()
      .all(...params);
  return {
    owner: async (h) => owner.get(h)?.party_key,
    count: async (q) => {
      const w = where(q);
      return value(countSql(w.sql), w.params)[0] as number;
    },
    docs: async (q) => {
      const w = where(q);
      return value(docsSql(w.sql, q), w.params) as string[];
    },
  };
}

function postgres(url: string): Db {
  // The bench names the connections in the URL (application_name), to tell this server's backends from ours.
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  return {
    owner: async (h) =>
      (await pool.query<{ party_key: string }>('SELECT party_key FROM partners WHERE token_hash = $1', [h]))
        .rows[0]?.party_key,
    count: async (q) => {
      const w = where(q);
      return Number((await pool.query<{ n: string }>(countSql(w.sql), w.params)).rows[0]!.n);
    },
    docs: async (q) => {
      const w = where(q);
      return (await pool.query<{ doc: string }>(docsSql(w.sql, q), w.params)).rows.map((r) => r.doc);
    },
  };
}

const db = values.db.startsWith('postgres') ? postgres(values.db) : sqlite(values.db);
const app = Fastify({ logger: false, keepAliveTimeout: 72_000 });
const envelope = (data: unknown, code: number, message: string) => ({
  data,
  status_code: code,
  status_message: message,
  timestamp: new Date().toISOString(),
});

app.get<{ Params: { version: string }; Querystring: Record<string, string | undefined> }>(
  '/ocpi/cpo/:version/sessions',
  async (request, reply) => {
    const auth = /^Token (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const owner = auth && (await db.owner(hashToken(auth)));
    if (!owner) return reply.code(401).send(envelope(undefined, 2000, 'Unknown token'));
    const q = request.query;
    const query: Query = {
      owner,
      from: q.date_from ? Date.parse(q.date_from) : Number.MIN_SAFE_INTEGER,
      to: q.date_to ? Date.parse(q.date_to) : Number.MAX_SAFE_INTEGER,
      limit: Math.min(1000, Math.max(0, Math.trunc(Number(q.limit ?? 100)) || 0)),
      offset: Math.max(0, Math.trunc(Number(q.offset ?? 0)) || 0),
    };
    const [total, docs] = [await db.count(query), await db.docs(query)];
    const data = docs.map((d) => JSON.parse(d) as unknown);
    reply.header('x-total-count', String(total)).header('x-limit', String(query.limit));
    return envelope(data, 1000, 'Success');
  },
);

function hashToken(header: string): string {
  return createHash('sha256').update(Buffer.from(header, 'base64').toString('utf8'), 'utf8').digest('hex');
}

const address = await app.listen({ port: Number(values.port), host: '127.0.0.1' });
console.log(`peer listening on ${address}`);
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => void app.close().then(() => process.exit(0)));
