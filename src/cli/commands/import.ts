// `ocpi-sessions import --db <file> <file.json|file.ndjson> [--format ...] [--emsp CC-PID] [--cpo CC-PID]`
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { WIRE_FORMATS, type WireFormat } from '../../domain/wire-format.js';
import { getIdentity } from '../../service/identity.js';
import { importSessions } from '../../modules/sessions/service/import.js';
import {
  action,
  dbFlag,
  dbOption,
  examples,
  jsonFlag,
  partiesOption,
  subcommand,
  UsageError,
} from '../args.js';
import { openDb } from '../open-db.js';

interface ImportOptions {
  db?: string;
  format?: WireFormat;
  emsp?: string;
  cpo?: string;
  json?: boolean;
}

async function importFile(file: string, values: ImportOptions): Promise<number> {
  const format = values.format;
  const cpoOption = values.cpo ? partiesOption('cpo', values.cpo)[0] : undefined;
  const emsp = values.emsp ? partiesOption('emsp', values.emsp)[0] : undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const store = await openDb(dbOption(values.db), { command: 'import', create: true });
  try {
    const cpo = cpoOption ?? (await getIdentity(store));
    const report = await importSessions(store, text, {
      format,
      context: {
        cpo: cpo
          ? { countryCode: cpo.countryCode, partyId: cpo.partyId }
          : { countryCode: 'ZZ', partyId: 'ZZZ' },
        emsp,
      },
    });
    if (values.json) {
      console.log(JSON.stringify(report));
    } else {
      for (const p of report.invalid) {
        const what = `object #${p.index + 1}${p.id ? ` (id ${JSON.stringify(p.id)})` : ''}`;
        for (const issue of p.issues) console.error(`invalid ${what}: ${issue.path}: ${issue.message}`);
      }
      const valid = report.created + report.updated + report.stale;
      console.log(
        `imported ${valid} of ${report.total} sessions (created ${report.created}, updated ${report.updated}, ` +
          `not newer than stored ${report.stale}); invalid ${report.invalid.length}`,
      );
    }
    return report.invalid.length > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}

export function addImportCommand(program: Command): void {
  const cmd = subcommand(program, 'import', 'store sessions from a file; every invalid object is reported')
    .argument('<file>', 'a JSON array, an OCPI envelope ({"data": [...]}), a single object or NDJSON')
    .addOption(dbFlag('SQLite file (created if missing) or postgres:// URL'))
    .addOption(
      new Option(
        '--format <format>',
        'the wire format of every object (default: detected per object)',
      ).choices(WIRE_FORMATS),
    )
    .addOption(new Option('--emsp <CC-PID>', "the sessions' eMSP (needed for OCPI 2.1.1 sessions)"))
    .addOption(
      new Option('--cpo <CC-PID>', "the sessions' CPO for 2.1.1 sessions (default: this instance's party)"),
    )
    .addOption(jsonFlag())
    .action(action(importFile));
  examples(cmd, [
    'ocpi-sessions import --db ./ocpi.db sessions.ndjson',
    'ocpi-sessions import --db ./ocpi.db sessions-2.1.1.json --format ocpi-2.1.1 --cpo NL-OCS --emsp DE-EMP --json',
  ]);
}
