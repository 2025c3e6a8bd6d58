#!/usr/bin/env node
// The `ocpi-sessions` command: results on stdout, errors on stderr; exit code 0 done, 1 failed, 2 usage error.
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';

// A reader that went away (`ocpi-sessions export --help | head -1`) is not a failure of ours: the write fails with
// EPIPE, reported as an 'error' event that would otherwise crash the process with a stack trace. Nothing more can
// be written to that stream, so the command ends as it would have (commands that write a lot, such as export, stop
// on their failed write: export.ts).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has printed the message (or the help, or the version) already.
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    console.error(`ocpi-sessions: ${(e as Error).message ?? e}`);
    process.exitCode = 1;
  }
}

await main(process.argv);
