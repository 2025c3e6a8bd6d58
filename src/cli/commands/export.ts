// `ocpi-sessions export --db <file> [--partner CC-PID] [--emsp CC-PID] [--since DT] [--until DT]
//                      [--format ndjson|csv|ocpi-2.2.1|camel-2.1.1|…] [--out <file>]
//                      [--delimiter ,|;|tab] [--bom] [--no-csv-protect]`
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { Option, type Command } from 'commander';
import { parseDateTime } from '../../domain/datetime.js';
import { parsePartyKey, partyKey } from '../../domain/session.js';
import { EXPORT_FORMATS, exportSessions, type ExportFormat } from '../../modules/sessions/service/export.js';
import {
  CSV_DELIMITERS,
  DEFAULT_CSV_OPTIONS,
  type CsvDelimiter,
  type CsvOptions,
} from '../../modules/sessions/service/export-csv.js';
import { action, dbFlag, dbOption, examples, subcommand, UsageError } from '../args.js';
import { openDb } from '../open-db.js';

function party(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const p = parsePartyKey(value);
  if (!p) throw new UsageError(`--${name}: '${value}' is not a party (CC-PID, e.g. NL-CPO)`);
  return partyKey(p.countryCode, p.partyId);
}

function date(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDateTime(value);
  if (ms === undefined)
    throw new UsageError(`--${name} must be an OCPI DateTime (e.g. 2025-05-01T00:00:00Z)`);
  return ms;
}

/** A write that waits for 'drain' when the stream's buffer is full. */
function writerFor(stream: Writable): (text: string) => Promise<void> {
  return (text) =>
    new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      stream.once('error', onError);
      const flushed = stream.write(text, (e) => {
        if (e) reject(e);
      });
      const done = () => {
        stream.off('error', onError);
        resolve();
      };
      if (flushed) done();
      else stream.once('drain', done);
    });
}

interface ExportOptions {
  db?: string;
  partner?: string;
  emsp?: string;
  since?: string;
  until?: string;
  format: ExportFormat;
  out?: string;
  delimiter?: CsvDelimiter;
  bom?: boolean;
  /** false with --no-csv-protect. */
  csvProtect: boolean;
}

/** The CSV options, refused with any other format (they would silently do nothing). */
function csvOptions(values: ExportOptions): CsvOptions {
  const given = [
    values.delimiter !== undefined && '--delimiter',
    values.bom !== undefined && '--bom',
    !values.csvProtect && '--no-csv-protect',
  ].filter((o) => o !== false);
  if (values.format !== 'csv' && given.length > 0)
    throw new UsageError(`${given.join(', ')}: only with --format csv`);
  return {
    delimiter: values.delimiter ?? DEFAULT_CSV_OPTIONS.delimiter,
    bom: values.bom ?? DEFAULT_CSV_OPTIONS.bom,
    protect: values.csvProtect,
  };
}

async function exportTo(values: ExportOptions): Promise<number> {
  const format = values.format;
  const filter = {
    partner: party('partner', values.partner),
    emsp: party('emsp', values.emsp),
    since: date('since', values.since),
    until: date('until', values.until),
  };
  const csv = csvOptions(values);
  const store = await openDb(dbOption(values.db), { command: 'export', create: false });
  const out: Writable = values.out ? createWriteStream(values.out) : process.stdout;
  out.on('error', () => {}); // errors reach us through writerFor's promises; this keeps a late one from crashing
  try {
    const count = await exportSessions(store, writerFor(out), { format, filter, csv });
    if (values.out) {
      await new Promise<void>((resolve, reject) =>
        out.end((e?: Error | null) => (e ? reject(e) : resolve())),
      );
      console.error(`exported ${count} sessions to ${values.out} (${format})`);
    }
    return 0;
  } catch (e) {
    // A reader that went away (`export … | head`) is not an error of ours.
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    throw e;
  } finally {
    await store.close();
  }
}

export function addExportCommand(program: Command): void {
  const cmd = subcommand(
    program,
    'export',
    'write stored sessions to stdout or a file (NDJSON, CSV or a JSON array)',
  )
    .addOption(dbFlag('SQLite file (must exist) or postgres:// URL'))
    .addOption(new Option('--partner <CC-PID>', "only this CPO's sessions"))
    .addOption(new Option('--emsp <CC-PID>', "only sessions of this eMSP's tokens"))
    .addOption(new Option('--since <DateTime>', 'only last_updated >= this (inclusive)'))
    .addOption(new Option('--until <DateTime>', 'only last_updated < this (exclusive)'))
    .addOption(
      new Option(
        '--format <format>',
        'ndjson: one OCPI 2.2.1 session a line; csv; or a JSON array in a wire format',
      )
        .choices(EXPORT_FORMATS)
        .default('ndjson'),
    )
    .addOption(new Option('--out <file>', 'write to this file (default: stdout); the count goes to stderr'))
    .addOption(
      new Option(
        '--delimiter <delimiter>',
        "CSV: the field delimiter, ',' (default), ';' (what Excel expects in e.g. NL/DE locales) or tab",
      ).choices(Object.keys(CSV_DELIMITERS)),
    )
    .addOption(new Option('--bom', 'CSV: start with a UTF-8 byte order mark (for Excel)'))
    .addOption(
      new Option(
        '--no-csv-protect',
        "CSV: write text cells starting with = + - @ tab or CR as they are (default: prefixed with ' so that " +
          'a spreadsheet does not run them as formulas; numbers are never prefixed)',
      ),
    )
    .action(action(exportTo));
  examples(cmd, [
    'ocpi-sessions export --db ./emsp.db --partner NL-OCS --since 2025-05-01T00:00:00Z --format csv --out may.csv',
    "ocpi-sessions export --db ./emsp.db --format csv --delimiter ';' --bom --out sessions-excel-de.csv",
    'ocpi-sessions export --db ./ocpi.db | head',
  ]);
}
