// The server's logger (pino, Fastify's own): JSON lines on stdout, or human-readable lines (pino-pretty) when stdout
// is a terminal. The lifecycle lines (listening, stopping, stopped) are written at info whatever --log-level says,
// `silent` included: scripts and supervisors wait for "listening on <url>".
import { pino, stdTimeFunctions, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
import { UsageError } from './args.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface Loggers {
  /** Everything else: the access log (info), push failures (warn), errors. */
  log: Logger;
  /** Start and stop lines: at info even when `log` is quieter. */
  lifecycle: Logger;
}

/** The fields of an access line (http/access-log.ts), shown on one line on a terminal. */
const ACCESS_FIELDS = [
  'method',
  'route',
  'status',
  'durationMs',
  'bytes',
  'partner',
  'requestId',
  'correlationId',
  'ip',
];

function accessLine(l: Record<string, unknown>): string {
  const who = l.partner ? ` ${String(l.partner)}` : '';
  return (
    `${String(l.method)} ${String(l.route)} ${String(l.status)} ${String(l.durationMs)} ms ` +
    `${String(l.bytes ?? '-')} B${who} ${String(l.ip)} req ${String(l.requestId)} corr ${String(l.correlationId)}`
  );
}

/** `out`: where the lines go (default stdout); `pretty`: human-readable lines (default: when `out` is a terminal). */
export function createLoggers(
  level: string,
  out: NodeJS.WritableStream = process.stdout,
  pretty = (out as Partial<NodeJS.WriteStream>).isTTY === true,
): Loggers {
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${level}'`);
  const destination = pretty
    ? PinoPretty({
        destination: out,
        colorize: true,
        translateTime: 'SYS:HH:MM:ss.l',
        // An access line reads as one line on a terminal: its fields go into the message.
        ignore: `pid,hostname,${ACCESS_FIELDS.join(',')}`,
        messageFormat: (log, messageKey) =>
          log[messageKey] === 'request' ? accessLine(log) : String(log[messageKey] ?? ''),
      })
    : out;
  const log = pino({ level, timestamp: stdTimeFunctions.isoTime }, destination);
  const quieter = level === 'silent' || pino.levels.values[level]! > pino.levels.values.info!;
  return { log, lifecycle: quieter ? log.child({}, { level: 'info' }) : log };
}
