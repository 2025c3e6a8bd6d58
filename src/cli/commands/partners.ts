// `ocpi-sessions partners add|list|remove|invite --db <file> ...`
import { Option, type Command } from 'commander';
import { PARTNER_FORMATS, ROLES, type PartnerFormat, type Role } from '../../domain/party.js';
import { OCPI_VERSIONS, type OcpiVersion } from '../../domain/wire-format.js';
import { loadCheckVerdicts, verdictLine } from '../../service/check-verdicts.js';
import { addPartner, removePartner } from '../../service/partners.js';
import { invite } from '../../modules/credentials/service/registration.js';
import type { SessionStore } from '../../store/contract.js';
import { ourVersionsUrl } from './register.js';
import { action, dbFlag, dbOption, examples, jsonFlag, subcommand, UsageError } from '../args.js';
import { openDb } from '../open-db.js';

interface PartnersOptions {
  db?: string;
  countryCode?: string;
  partyId?: string;
  format?: PartnerFormat;
  role?: string;
  token?: string;
  version?: OcpiVersion;
  json?: boolean;
  publicUrl?: string;
}

/** Runs `partners <sub>` on the existing database (never a new one). */
function onStore(sub: string, run: (store: SessionStore, options: PartnersOptions) => Promise<number>) {
  return async (options: PartnersOptions): Promise<number> => {
    const store = await openDb(dbOption(options.db), { command: `partners ${sub}`, create: false });
    try {
      return await run(store, options);
    } finally {
      await store.close();
    }
  };
}

async function add(store: SessionStore, values: PartnersOptions): Promise<number> {
  const roles = (values.role ?? 'EMSP').toUpperCase().split(',') as Role[];
  if (!roles.every((r) => ROLES.includes(r))) throw new UsageError('--role must be EMSP, CPO or CPO,EMSP');
  const { partner, token } = await addPartner(store, {
    countryCode: values.countryCode!,
    partyId: values.partyId!,
    format: values.format ?? 'ocpi',
    roles,
    token: values.token,
    ...(values.version ? { version: values.version } : {}),
  });
  if (values.json) console.log(JSON.stringify({ ...partner, token }));
  else
    console.log(
      `added partner ${partner.key} (${partner.roles.join(',')}, format ${partner.format})\ntoken: ${token}`,
    );
  return 0;
}

async function list(store: SessionStore, values: PartnersOptions): Promise<number> {
  const partners = await store.listPartners();
  // The last `check` of a party (check --db --partner): on its partner, or on its own for a party we only pull from.
  const checks = await loadCheckVerdicts(store);
  const pullOnly = Object.keys(checks).filter((k) => !partners.some((p) => p.key === k));
  if (values.json)
    console.log(
      JSON.stringify([
        ...partners.map((p) => (checks[p.key] ? { ...p, lastCheck: checks[p.key] } : p)),
        ...pullOnly.map((key) => ({ key, state: 'checked', lastCheck: checks[key] })),
      ]),
    );
  else if (partners.length === 0 && pullOnly.length === 0) console.log('no partners');
  else {
    const check = (key: string) => (checks[key] ? [`check: ${verdictLine(checks[key])}`] : []);
    for (const p of partners) {
      const endpoints = p.endpoints
        .map((e) => `${e.identifier}${e.role ? `/${e.role}` : ''}=${e.url}`)
        .join(' ');
      const cols = [
        p.key || '(invited)',
        p.roles.join(',') || '-',
        p.state,
        p.version ?? '-',
        `format=${p.format}`,
        // OCPI 2.3.0: the Hub party, and the parties its credentials list beyond its own (a hub's reachable ones).
        ...(p.hubPartyId ? [`hub=${p.hubPartyId}`] : []),
        ...(p.parties.some((x) => x.key !== p.key)
          ? [`parties=${p.parties.map((x) => `${x.role}:${x.key}`).join(',')}`]
          : []),
      ];
      console.log([...cols, endpoints, ...check(p.key)].join('\t'));
    }
    for (const key of pullOnly)
      console.log([key, '-', 'checked', checks[key]!.version ?? '-', '-', '', ...check(key)].join('\t'));
  }
  return 0;
}

async function inviteCommand(store: SessionStore, values: PartnersOptions): Promise<number> {
  const versionsUrl = await ourVersionsUrl(store, values.publicUrl);
  const tokenA = await invite(store);
  if (values.json) console.log(JSON.stringify({ token: tokenA, url: versionsUrl }));
  else
    console.log(
      `token A: ${tokenA}\nversions URL: ${versionsUrl}\n` +
        `The partner registers with: ocpi-sessions register --db <its db> ${versionsUrl} --token ${tokenA}`,
    );
  return 0;
}

async function remove(key: string | undefined, values: PartnersOptions): Promise<number> {
  const party =
    key ?? (values.countryCode && values.partyId ? `${values.countryCode}-${values.partyId}` : undefined);
  if (!party) throw new UsageError('partners remove needs CC-PID (or --country-code and --party-id)');
  return onStore('remove', async (store) => {
    const removed = await removePartner(store, party);
    console.log(removed ? `removed partner ${party.toUpperCase()}` : `no partner ${party.toUpperCase()}`);
    return removed ? 0 : 1;
  })(values);
}

const db = () => dbFlag('SQLite file (must exist) or postgres:// URL');

export function addPartnersCommand(program: Command): void {
  const partners = subcommand(program, 'partners', 'the parties that may call us and that we push to');

  const addCmd = subcommand(partners, 'add', 'add a partner with a token (printed once; stored as a hash)')
    .addOption(db())
    .requiredOption('--country-code <CC>', "the partner's country code (required)")
    .requiredOption('--party-id <PID>', "the partner's party id (required)")
    .addOption(
      new Option('--format <format>', 'ocpi: standard OCPI; camel: the camelCase/integer format')
        .choices(PARTNER_FORMATS)
        .default('ocpi'),
    )
    .addOption(new Option('--role <roles>', 'EMSP, CPO or CPO,EMSP').default('EMSP'))
    .addOption(
      new Option('--token <token>', 'the token the partner calls us with (default: a new random one)'),
    )
    .addOption(
      new Option(
        '--version <version>',
        'the OCPI version it reads our sessions in: only that wire format is stored for it (default: every version)',
      ).choices(OCPI_VERSIONS),
    )
    .addOption(jsonFlag())
    .action(action(onStore('add', add)));
  examples(addCmd, [
    'ocpi-sessions partners add --db ./ocpi.db --country-code NL --party-id EMS',
    'ocpi-sessions partners add --db ./ocpi.db --country-code DE --party-id EMP --format camel --token -given-token --json',
    'ocpi-sessions partners add --db ./ocpi.db --country-code FR --party-id MSP --version 2.2.1',
  ]);

  const listCmd = subcommand(partners, 'list', 'list the partners (never their tokens)')
    .addOption(db())
    .addOption(jsonFlag())
    .action(action(onStore('list', list)));
  examples(listCmd, [
    'ocpi-sessions partners list --db ./ocpi.db',
    'ocpi-sessions partners list --db ./ocpi.db --json',
  ]);

  const removeCmd = subcommand(partners, 'remove', 'remove a partner: its token stops working at once')
    .argument('[CC-PID]', 'the partner (or --country-code and --party-id)')
    .addOption(db())
    .addOption(new Option('--country-code <CC>', "the partner's country code"))
    .addOption(new Option('--party-id <PID>', "the partner's party id"))
    .action(action(remove));
  examples(removeCmd, ['ocpi-sessions partners remove --db ./ocpi.db NL-EMS']);

  const inviteCmd = subcommand(
    partners,
    'invite',
    'print a token A and our versions URL for a partner to register with',
  )
    .addOption(db())
    .addOption(
      new Option(
        '--public-url <url>',
        'our base URL as partners reach it (default: what `serve` last recorded)',
      ),
    )
    .addOption(jsonFlag())
    .action(action(onStore('invite', inviteCommand)));
  examples(inviteCmd, [
    'ocpi-sessions partners invite --db ./ocpi.db --public-url https://ocpi.example.com',
    'ocpi-sessions partners invite --db ./ocpi.db --json',
  ]);
}
