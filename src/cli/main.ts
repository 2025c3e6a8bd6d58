#!/usr/bin/env node
// The `ocpi-sessions` command: results on stdout, errors on stderr; exit code 0 done, 1 failed, 2 usage error.
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';

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
