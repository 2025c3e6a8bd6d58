// One statement whose result fields come back as the bytes PostgreSQL sent, not as JavaScript strings.
//
// node-postgres decodes every field of every DataRow into a string (pg-protocol's reader, text and "binary" mode
// alike), and copies each socket chunk that ends inside a message into its merge buffer; the sender then encodes
// those strings back into UTF-8. For the page read (a hundred to a thousand JSON bodies, served as they are) that
// was most of the server's CPU. This query is a pg "submittable" (as pg-copy-streams is): while it is the client's
// active query it takes the socket's 'data' events, keeps each field of a DataRow as a slice of the chunk it came
// in (copying only a message split across two chunks), and hands every other message whole to the client's own
// parser, so ParseComplete, CommandComplete, ErrorResponse and ReadyForQuery run node-postgres' usual code
// (statement bookkeeping, errors, the pool's release). At ReadyForQuery the socket goes back to that parser.
// pg is pinned to ~8.23 in package.json: this file drives its Connection internals, so a minor upgrade must pass
// test/unit/pg-raw-rows.test.ts and test/http/sessions-sender-raw-bytes.test.ts first.
// Text format results, so a text column's field is its UTF-8 bytes (PostgreSQL protocol §55.2.3 "Extended
// Query"; DataRow layout: §55.7 "Message Formats").
import type pg from 'pg';

export type RawField = Buffer | null;
export type RawRow = RawField[];

/** The parts of pg's Connection this query drives (node_modules/pg/lib/connection.js). */
interface PgConnection {
  stream: NodeJS.ReadableStream & { cork?(): void; uncork?(): void };
  parsedStatements: Record<string, string | undefined>;
  submittedNamedStatements: Record<string, string | undefined>;
  parse(q: { text: string; name: string }): void;
  bind(b: { statement: string; values: unknown[]; valueMapper?: (v: unknown) => unknown }): void;
  execute(e: { portal: string; rows: number }): void;
  sync(): void;
}

type Callback = (err: Error | null, rows?: RawRow[]) => void;
type DataListener = (chunk: Buffer) => void;

const HEADER = 5; // message code (1 byte) + length (int32, counting itself)
const DATA_ROW = 0x44; // 'D'
const READY_FOR_QUERY = 0x5a; // 'Z'

/**
 * Rows of `text` (prepared once per connection under `name`; '' for the unnamed statement) as raw fields.
 * `timeoutMs` > 0: the query fails with 'Query read timeout' when no answer ended it within that time, as
 * node-postgres' `query_timeout` does (the pool then discards the connection), for a pool configured without one.
 */
export function queryRawRows(
  pool: pg.Pool,
  name: string,
  text: string,
  values: unknown[],
  timeoutMs = 0,
): Promise<RawRow[]> {
  // pg-pool hands a submittable to client.query with its callback (node_modules/pg-pool/index.js `query`).
  const submit = pool.query.bind(pool) as unknown as (q: RawRowsQuery) => Promise<RawRow[]>;
  return submit(new RawRowsQuery(name, text, values, timeoutMs));
}

// The deadlines of queries in flight, checked by one interval timer while any is in flight. node-postgres'
// query_timeout arms and clears a setTimeout per query, whose closure holds the query and so its rows: measured on
// the page read (limit=100, one connection), the young generation's scavenges then kept ~70 % of what they
// scanned and V8's collector took about a third of the client's CPU per page (docs/performance.md, sixth round).
const inFlight = new Set<RawRowsQuery>();
/** How often deadlines are checked: a timeout fires at most this late. */
const CHECK_MS = 100;
let watchdog: NodeJS.Timeout | undefined;

function checkDeadlines(): void {
  const now = Date.now();
  for (const q of inFlight) if (q.deadline <= now) q.timeOut();
  if (inFlight.size === 0) {
    clearInterval(watchdog);
    watchdog = undefined;
  }
}

export class RawRowsQuery {
  /** Read by pg's client: a named statement is recorded as parsed on ParseComplete. */
  readonly name: string;
  readonly text: string;
  /** Set by pg's client.query (with the pool's release, and the query timeout's wrapper). */
  callback?: Callback;
  private readonly rows: RawRow[] = [];
  private failed = false;
  private connection?: PgConnection;
  private pgListener?: DataListener;
  private readonly listener: DataListener = (chunk) => this.onData(chunk);
  /** The start of a message split across chunks (its header may be incomplete), and its length once known. */
  private pieces: Buffer[] = [];
  private have = 0;
  private total = 0;

  /** When this query times out (Date.now() time), once submitted with a timeout. */
  deadline = Infinity;

  constructor(
    name: string,
    text: string,
    private readonly values: unknown[],
    private readonly timeoutMs = 0,
  ) {
    this.name = name;
    this.text = text;
  }

  /** The deadline passed: fail as node-postgres' query_timeout does (pg-pool discards the connection). */
  timeOut(): void {
    this.handleError(new Error('Query read timeout'));
  }

  /** An error returned (not thrown) is reported by pg through handleError, as for its own queries. */
  submit(connection: PgConnection): Error | undefined {
    this.connection = connection;
    if (this.timeoutMs > 0) {
      this.deadline = Date.now() + this.timeoutMs;
      inFlight.add(this);
      watchdog ??= setInterval(checkDeadlines, CHECK_MS).unref();
    }
    const stream = connection.stream;
    const listeners = stream.listeners('data') as DataListener[];
    if (listeners.length !== 1)
      return new Error(`raw rows: expected one data listener, found ${listeners.length}`);
    this.pgListener = listeners[0]!;
    stream.removeListener('data', this.pgListener);
    stream.on('data', this.listener);
    stream.cork?.();
    try {
      const parsed =
        this.name !== '' &&
        (connection.parsedStatements[this.name] ?? connection.submittedNamedStatements[this.name]);
      if (!parsed) {
        connection.parse({ text: this.text, name: this.name });
        if (this.name !== '') connection.submittedNamedStatements[this.name] = this.text;
      }
      connection.bind({ statement: this.name, values: this.values, valueMapper: toParam });
      connection.execute({ portal: '', rows: 0 });
      connection.sync();
    } finally {
      stream.uncork?.();
    }
    return undefined;
  }

  handleError(err: Error): void {
    // pg calls this for an ErrorResponse (then ReadyForQuery follows, but pg no longer routes it here), a dead
    // connection or the query timeout: answer now, once.
    inFlight.delete(this);
    if (this.failed) return;
    this.failed = true;
    this.callback?.(err);
  }
  handleReadyForQuery(): void {
    inFlight.delete(this);
    if (!this.failed) this.callback?.(null, this.rows);
  }
  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
  handleCopyData(): void {}

  private onData(chunk: Buffer): void {
    let buf = chunk;
    let at = 0;
    if (this.have > 0) {
      if (this.total === 0) {
        // The header itself was split (rare): join it with this chunk and read on from there.
        buf = Buffer.concat([...this.pieces, chunk]);
      } else {
        const need = this.total - this.have;
        if (chunk.length < need) {
          this.pieces.push(chunk);
          this.have += chunk.length;
          return;
        }
        this.pieces.push(chunk.subarray(0, need));
        const message = Buffer.concat(this.pieces, this.total);
        this.pieces = [];
        this.have = this.total = 0;
        if (!this.message(message, 0, message.length)) {
          this.pgListener!(need < chunk.length ? Buffer.concat([message, chunk.subarray(need)]) : message);
          return;
        }
        at = need;
      }
      this.pieces = [];
      this.have = this.total = 0;
    }
    while (at + HEADER <= buf.length) {
      const end = at + 1 + buf.readUInt32BE(at + 1);
      if (end > buf.length) break;
      if (!this.message(buf, at, end)) {
        this.pgListener!(buf.subarray(at));
        return;
      }
      at = end;
    }
    if (at < buf.length) {
      const rest = buf.subarray(at);
      this.pieces = [rest];
      this.have = rest.length;
      this.total = rest.length >= HEADER ? 1 + rest.readUInt32BE(1) : 0;
    }
  }

  /**
   * One whole message at buf[start, end). ReadyForQuery ends the query: the socket goes back to pg's parser first
   * (pg answers ReadyForQuery by submitting the client's next query) and false tells the caller to hand it that
   * message and whatever follows it (nothing in practice: the server sends nothing before the next query).
   */
  private message(buf: Buffer, start: number, end: number): boolean {
    const code = buf[start];
    if (code === DATA_ROW) {
      const n = buf.readInt16BE(start + HEADER);
      const row: RawRow = new Array<RawField>(n);
      let p = start + HEADER + 2;
      for (let i = 0; i < n; i++) {
        const len = buf.readInt32BE(p);
        p += 4;
        if (len < 0) row[i] = null;
        else {
          row[i] = buf.subarray(p, p + len);
          p += len;
        }
      }
      this.rows.push(row);
      return true;
    }
    if (code === READY_FOR_QUERY) {
      this.connection!.stream.removeListener('data', this.listener);
      this.connection!.stream.on('data', this.pgListener!);
      return false;
    }
    this.pgListener!(buf.subarray(start, end));
    return true;
  }
}

/** Parameters as text, as node-postgres sends them (numbers and strings are all this store binds here). */
function toParam(v: unknown): unknown {
  return v === null || v === undefined ? null : typeof v === 'string' ? v : String(v as number);
}
