// The JSON log lines (pino) in a process's output; other lines (npm's banner, `start`'s instructions) are skipped.
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export function logLines(output: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const v = JSON.parse(line) as LogLine;
      if (typeof v.level === 'number' && typeof v.msg === 'string') out.push(v);
    } catch {
      // not a log line
    }
  }
  return out;
}

/** The log line whose message is `msg` (or matches it); the test fails with the output when there is none. */
export function findLog(output: string, msg: string | RegExp): LogLine {
  const found = logLines(output).find((l) => (typeof msg === 'string' ? l.msg === msg : msg.test(l.msg)));
  if (!found) throw new Error(`no log line ${String(msg)} in:\n${output}`);
  return found;
}
