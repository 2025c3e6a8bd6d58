// `ocpi-sessions import --db <file> <file.json|file.ndjson> [--format ...] [--emsp CC-PID] [--cpo CC-PID]`
import { readFileSync } from 'node:fs';
import { WIRE_FORMATS, type WireFormat } from '../../domain/wire-format.js';
import { getIdentity } from '../../service/identity.js';
import { importSessions } from '../../modules/sessions/service/import.js';
import { openStore } from '../../store/open.js';
import { dbOption, parse, partiesOption, UsageError } from '../args.js';

export async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    db: { type: 'string' },
    format: { type: 'string' },
    emsp: { type: 'string' },
    cpo: { type: 'string' },
    json: { type: 'boolean' },
  });
  const file = positionals[0];
  if (!file)
    throw new UsageError('import needs a file: ocpi-sessions import --db <db> <file.json|file.ndjson>');
  const format = values.format as WireFormat | undefined;
  if (format && !WIRE_FORMATS.includes(format)) {
    throw new UsageError(`--format must be one of ${WIRE_FORMATS.join(', ')}`);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const store = await openStore(dbOption(values.db));
  try {
    const identity = await getIdentity(store);
    const cpo = values.cpo ? partiesOption('cpo', values.cpo)[0] : identity;
    const emsp = values.emsp ? partiesOption('emsp', values.emsp)[0] : undefined;
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
