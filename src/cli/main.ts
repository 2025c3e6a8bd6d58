#!/usr/bin/env node
// The `ocpi-sessions` command.
import { UsageError } from './args.js';
import { demo } from './commands/demo.js';
import { exportCommand, EXPORT_USAGE } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { migrateCommand } from './commands/migrate.js';
import { partners } from './commands/partners.js';
import { party } from './commands/party.js';
import { ingestToken, register } from './commands/register.js';
import { pullCommand, PULL_USAGE } from './commands/pull.js';
import { schemaCommand, SCHEMA_USAGE } from './commands/schema.js';
import { serve } from './commands/serve.js';
import { start } from './commands/start.js';
import { PartnerError } from '../service/partners.js';

const HELP = `ocpi-sessions <command> [options]

  serve     --db <file|postgres://…> [--port 8080] [--host 127.0.0.1] [--public-url <url>] [--max-limit N]
  start     like serve on ./data/ocpi-sessions.db, with demo data and demo partners on first run
  demo      --db <file> [--sessions 1000] [--seed 1] [--emsp NL-EMS,DE-EMP,FR-MSP]
  import    --db <file> <file.json|file.ndjson> [--format ocpi-2.1.1|ocpi-2.2.1|camel-2.1.1|camel-2.2.1] [--emsp CC-PID] [--cpo CC-PID]
  partners  add --db <file> --country-code CC --party-id PID [--format ocpi|camel] [--role EMSP|CPO] [--token T]
            list --db <file> [--json]
            remove --db <file> CC-PID
            invite --db <file> [--public-url <url>]      prints a token A and our versions URL
  party     set --db <file> --country-code CC --party-id PID --role CPO|EMSP|CPO,EMSP [--name ..] [--website URL]
            show --db <file>
  register  --db <file> <their-versions-url> --token <their token A> [--public-url <our url>] [--version 2.1.1|2.2.1]
  migrate   --db <file|postgres://…>                     applies pending schema migrations (also done on start)
  ingest-token --db <file>                              prints a new token for PUT/PATCH /ingest/2.2.1/sessions/...
  ${PULL_USAGE}
  ${EXPORT_USAGE}
  ${SCHEMA_USAGE}
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      await serve(rest);
      return -1; // keeps running
    case 'start':
      await start(rest);
      return -1;
    case 'demo':
      await demo(rest);
      return 0;
    case 'import':
      return importCommand(rest);
    case 'partners':
      return partners(rest);
    case 'party':
      return party(rest);
    case 'migrate':
      return migrateCommand(rest);
    case 'register':
      return register(rest);
    case 'ingest-token':
      return ingestToken(rest);
    case 'pull':
      return pullCommand(rest);
    case 'export':
      return exportCommand(rest);
    case 'schema':
      return schemaCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(HELP);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command '${command}'\n\n${HELP}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError || e instanceof PartnerError) {
      console.error(`ocpi-sessions: ${e.message}`);
      process.exitCode = 2;
    } else {
      console.error(`ocpi-sessions: ${(e as Error).message ?? e}`);
      process.exitCode = 1;
    }
  },
);
