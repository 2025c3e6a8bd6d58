// The `ocpi-sessions` command line (commander): every command with its options, environment variables,
// defaults and examples in `--help`, suggestions for mistyped commands and options, and errors that end in a
// CommanderError for main.ts to turn into an exit code.
import { Command } from 'commander';
import { packageVersion } from '../service/version.js';
import { addCheckCommand } from './commands/check.js';
import { addDemoCommand } from './commands/demo.js';
import { addExportCommand } from './commands/export.js';
import { addImportCommand } from './commands/import.js';
import { addMigrateCommand } from './commands/migrate.js';
import { addOperatorTokenCommand } from './commands/operator-token.js';
import { addOutboxCommand } from './commands/outbox.js';
import { addPartnersCommand } from './commands/partners.js';
import { addPartyCommand } from './commands/party.js';
import { addPullCommand } from './commands/pull.js';
import { addIngestTokenCommand, addRegisterCommand } from './commands/register.js';
import { addSchemaCommand } from './commands/schema.js';
import { addServeCommand } from './commands/serve.js';
import { addStartCommand } from './commands/start.js';
import { CREATING_COMMANDS } from './open-db.js';

export function buildProgram(): Command {
  const program = new Command('ocpi-sessions')
    .description('OCPI Sessions for CPOs and eMSPs: sender, receiver, pull client, on SQLite or PostgreSQL')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print help')
    .helpCommand('help [command]', 'print help of a command')
    // Options after a command name are that command's: `pull --version 2.1.1` is pull's --version.
    .enablePositionalOptions()
    .showSuggestionAfterError()
    .showHelpAfterError("(see 'ocpi-sessions --help')")
    .exitOverride() // main.ts sets the exit code: 2 for usage errors, 0 for --help and --version
    .addHelpText(
      'after',
      `
Every command takes --help: its options, environment variables, defaults and examples.
--db is a SQLite file or a postgres:// URL (env: DATABASE_URL or DATABASE). Only ${CREATING_COMMANDS.join(', ')}
create a missing SQLite file (and say so on stderr); the other commands refuse a missing file.
Exit codes: 0 done, 1 failed (or nothing found), 2 usage error.`,
    );
  for (const add of [
    addServeCommand,
    addStartCommand,
    addDemoCommand,
    addImportCommand,
    addPartnersCommand,
    addPartyCommand,
    addRegisterCommand,
    addMigrateCommand,
    addIngestTokenCommand,
    addOperatorTokenCommand,
    addPullCommand,
    addCheckCommand,
    addExportCommand,
    addOutboxCommand,
    addSchemaCommand,
  ])
    add(program);
  return program;
}
