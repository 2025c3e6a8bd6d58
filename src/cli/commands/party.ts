// `ocpi-sessions party set --db <file> --country-code CC --party-id PID --role CPO|EMSP|CPO,EMSP [--name ..] [--website URL]`
// `ocpi-sessions party show --db <file> [--json]`
import { Option, type Command } from 'commander';
import { ROLES, type Role } from '../../domain/party.js';
import { getIdentity, setIdentity } from '../../service/identity.js';
import { action, dbFlag, dbOption, examples, jsonFlag, subcommand, UsageError } from '../args.js';
import { openDb } from '../open-db.js';

interface PartyOptions {
  db?: string;
  countryCode: string;
  partyId: string;
  role: string;
  name?: string;
  website?: string;
}

async function set(values: PartyOptions): Promise<number> {
  const cc = values.countryCode;
  const pid = values.partyId;
  if (!/^[A-Za-z]{2}$/.test(cc)) throw new UsageError('--country-code must be 2 letters');
  if (!/^[A-Za-z0-9]{3}$/.test(pid)) throw new UsageError('--party-id must be 3 letters or digits');
  const roles = values.role.toUpperCase().split(',') as Role[];
  if (!roles.length || !roles.every((r) => ROLES.includes(r)))
    throw new UsageError('--role must be CPO, EMSP or CPO,EMSP');
  // Setting up a new instance: this command may create its database.
  const store = await openDb(dbOption(values.db), { command: 'party set', create: true });
  try {
    await setIdentity(store, {
      countryCode: cc,
      partyId: pid,
      roles,
      name: values.name ?? `${cc.toUpperCase()}-${pid.toUpperCase()}`,
      website: values.website,
    });
    console.log(`this instance is ${cc.toUpperCase()}-${pid.toUpperCase()} (${roles.join(',')})`);
    return 0;
  } finally {
    await store.close();
  }
}

async function show(values: { db?: string; json?: boolean }): Promise<number> {
  const store = await openDb(dbOption(values.db), { command: 'party show', create: false });
  try {
    const id = await getIdentity(store);
    if (values.json) console.log(JSON.stringify(id ?? null));
    else if (!id) console.log('no identity set');
    else {
      console.log(`${id.countryCode}-${id.partyId} (${id.roles.join(',')})`);
      console.log(`name: ${id.name}`);
      if (id.website) console.log(`website: ${id.website}`);
    }
    return id ? 0 : 1;
  } finally {
    await store.close();
  }
}

export function addPartyCommand(program: Command): void {
  const party = subcommand(program, 'party', "this instance's own OCPI party (who we are to partners)");

  const setCmd = subcommand(party, 'set', 'set who this instance is')
    .addOption(dbFlag('SQLite file (created if missing) or postgres:// URL'))
    .requiredOption('--country-code <CC>', 'our country code, 2 letters (required)')
    .requiredOption('--party-id <PID>', 'our party id, 3 letters or digits (required)')
    .addOption(new Option('--role <roles>', 'CPO, EMSP or CPO,EMSP').default('CPO'))
    .addOption(new Option('--name <name>', 'our business name (default: CC-PID)'))
    .addOption(new Option('--website <url>', 'our website'))
    .action(action(set));
  examples(setCmd, [
    "ocpi-sessions party set --db ./ocpi.db --country-code NL --party-id OCS --role CPO --name 'Example CPO'",
  ]);

  const showCmd = subcommand(party, 'show', 'print who this instance is (exit 1 when not set)')
    .addOption(dbFlag('SQLite file (must exist) or postgres:// URL'))
    .addOption(jsonFlag())
    .action(action(show));
  examples(showCmd, [
    'ocpi-sessions party show --db ./ocpi.db',
    'ocpi-sessions party show --db ./ocpi.db --json',
  ]);
}
