// Large batches of putSessions on PostgreSQL: rows go over the wire with COPY FROM STDIN (pg-copy-streams) into a
// temporary staging table, and one INSERT ... SELECT moves them into the real table with the same ON CONFLICT
// clause as the multi-row VALUES statements of small batches. So both paths end with the same rows; the bulk one
// saves the parsing, planning and binding of statements with thousands of parameters (and the client's
// per-parameter encoding). Staging tables live in the connection's temporary schema and are emptied at every
// commit (ON COMMIT DELETE ROWS).
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** A staging table: its name, its columns with their types, in COPY order. */
export interface Staging {
  table: string;
  columns: readonly (readonly [name: string, type: string])[];
}

export type CopyValue = string | number | null;

/**
 * Creates `s` on this connection if it is not there yet (temporary: invisible to every other connection). Its text
 * columns are never compressed (STORAGE EXTERNAL): INSERT ... SELECT keeps a value compressed as it is, so a body
 * compressed in staging would stay compressed in page_bodies, which keeps bodies up to a heap page uncompressed
 * (migration 4, toast_tuple_target); uncompressed, each value gets the target table's own treatment.
 */
function stagingDdl(s: Staging): string {
  const cols = s.columns.map(([name, type]) => `${name} ${type}`).join(', ');
  const external = s.columns
    .filter(([, type]) => type === 'text')
    .map(([name]) => `ALTER TABLE ${s.table} ALTER COLUMN ${name} SET STORAGE EXTERNAL;`)
    .join(' ');
  return `DO $$ BEGIN IF to_regclass('pg_temp.${s.table}') IS NULL THEN
    CREATE TEMP TABLE ${s.table} (${cols}) ON COMMIT DELETE ROWS; ${external}
  END IF; END $$`;
}

/** Writes `rows` (one value per column of `s`, in order) into the staging table `s` (created if missing) with COPY. */
export async function copyRows(c: pg.PoolClient, s: Staging, rows: Iterable<CopyValue[]>): Promise<void> {
  await c.query(stagingDdl(s));
  const names = s.columns.map(([name]) => name).join(', ');
  await pipeline(
    Readable.from(lines(rows), { objectMode: false }),
    c.query(copyFrom(`COPY ${s.table} (${names}) FROM STDIN`)),
  );
}

/**
 * The rows in COPY's text format, in blocks of about 1 MB (each one write on the stream). Each field is written
 * straight into the block as UTF-8: building one string per block first and converting it took 1.3 s of a
 * 10 000-session seeding profile (the concatenated string is flattened, then converted).
 */
function* lines(rows: Iterable<CopyValue[]>): Generator<Buffer> {
  let block = Buffer.allocUnsafeSlow(BLOCK);
  let at = 0;
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const text = field(row[i]!);
      const room = text.length * 3 + 1; // UTF-8 takes at most 3 bytes per UTF-16 unit
      if (at + room > block.length) {
        if (at) yield block.subarray(0, at);
        block = Buffer.allocUnsafeSlow(Math.max(BLOCK, room));
        at = 0;
      }
      at += block.write(text, at);
      block[at++] = i === row.length - 1 ? 0x0a : 0x09; // newline ends a row, tab separates its fields
    }
  }
  if (at) yield block.subarray(0, at);
}

const BLOCK = 1 << 20;

const SPECIAL = /[\\\n\r\t]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * One field of COPY's text format: NULL is `\N`; in text, backslash, newline, carriage return and tab are
 * backslash-escaped (PostgreSQL documentation, COPY, "Text Format"). Every other character is sent as it is.
 */
export function field(v: CopyValue): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  return SPECIAL.test(v) ? v.replace(/[\\\n\r\t]/g, (ch) => ESCAPES[ch]!) : v;
}
