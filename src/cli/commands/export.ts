// `ocpi-sessions export --db <file> [--partner CC-PID] [--emsp CC-PID] [--since DT] [--until DT]
//                      [--format ndjson|csv|ocpi-2.2.1|camel-2.1.1|…] [--out <file>]`
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { parseDateTime } from '../../domain/datetime.js';
import { parsePartyKey, partyKey } from '../../domain/session.js';
import { EXPORT_FORMATS, exportSessions, type ExportFormat } from '../../modules/sessions/service/export.js';
import { openStore } from '../../store/open.js';
import { dbOption, parse, UsageError } from '../args.js';

export const EXPORT_USAGE = `export    --db <file> [--partner CC-PID] [--emsp CC-PID] [--since <DateTime>] [--until <DateTime>]
            [--format ndjson|csv|ocpi-2.2.1|camel-2.1.1|ocpi-2.1.1|camel-2.2.1] [--out <file>]`;

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

export async function exportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    db: { type: 'string' },
    partner: { type: 'string' },
    emsp: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`export takes no positional arguments: ${positionals[0]}`);
  const format = (values.format ?? 'ndjson') as ExportFormat;
  if (!EXPORT_FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
  const filter = {
    partner: party('partner', values.partner),
    emsp: party('emsp', values.emsp),
    since: date('since', values.since),
    until: date('until', values.until),
  };
  const store = await openStore(dbOption(values.db));
  const out: Writable = values.out ? createWriteStream(values.out) : process.stdout;
  out.on('error', () => {}); // errors reach us through writerFor's promises; this keeps a late one from crashing
  try {
    const count = await exportSessions(store, writerFor(out), { format, filter });
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
