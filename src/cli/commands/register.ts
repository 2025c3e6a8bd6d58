// `ocpi-sessions register --db <file> <their-versions-url> --token <their token A> [--public-url <our base>]
//   [--version 2.1.1|2.2.1] [--deny-private-peers]`
// `ocpi-sessions ingest-token --db <file>`
import { Option, type Command } from 'commander';
import { OCPI_VERSIONS, type OcpiVersion } from '../../domain/wire-format.js';
import { PUBLIC_URL } from '../../service/identity.js';
import { rotateIngestToken } from '../../service/ingest-token.js';
import { registerWith } from '../../modules/credentials/service/registration.js';
import { RegistrationError } from '../../service/refused.js';
import type { SessionStore } from '../../store/contract.js';
import { action, dbFlag, dbOption, examples, jsonFlag, subcommand, UsageError } from '../args.js';
import { openDb } from '../open-db.js';

/** Our versions URL as partners reach it: --public-url, else what `serve` recorded when it started. */
export async function ourVersionsUrl(store: SessionStore, publicUrl: string | undefined): Promise<string> {
  const base = publicUrl ?? (await store.readSetting(PUBLIC_URL));
  if (!base) throw new UsageError('our public URL is unknown: pass --public-url or start `serve` once');
  return `${base.replace(/\/+$/, '')}/ocpi/versions`;
}

interface RegisterOptions {
  db?: string;
  token: string;
  publicUrl?: string;
  version?: OcpiVersion;
  json?: boolean;
  denyPrivatePeers?: boolean;
}

async function register(url: string, values: RegisterOptions): Promise<number> {
  const store = await openDb(dbOption(values.db), { command: 'register', create: false });
  try {
    const ours = await ourVersionsUrl(store, values.publicUrl);
    try {
      const denyPrivatePeers = values.denyPrivatePeers === true || process.env.DENY_PRIVATE_PEERS === '1';
      const p = await registerWith(store, url, values.token, ours, values.version, { denyPrivatePeers });
      if (values.json) console.log(JSON.stringify(p));
      else console.log(`registered with ${p.key} (${p.roles.join(',')}) over OCPI ${p.version}`);
      return 0;
    } catch (e) {
      if (e instanceof RegistrationError) {
        // Our own operator runs this: the details (URL, errno, what answered) are printed too.
        const detail = e.detail ? `: ${e.detail}` : '';
        console.error(`ocpi-sessions: registration failed (OCPI ${e.statusCode}): ${e.message}${detail}`);
        return 1;
      }
      throw e;
    }
  } finally {
    await store.close();
  }
}

async function ingestToken(values: { db?: string }): Promise<number> {
  const store = await openDb(dbOption(values.db), { command: 'ingest-token', create: false });
  try {
    console.log(await rotateIngestToken(store));
    return 0;
  } finally {
    await store.close();
  }
}

export function addRegisterCommand(program: Command): void {
  const cmd = subcommand(
    program,
    'register',
    'register with a partner: fetch its versions, send our credentials (token B), store its token C',
  )
    .argument('<versions-url>', "the partner's OCPI versions URL")
    .addOption(dbFlag('SQLite file (must exist) or postgres:// URL'))
    .requiredOption('--token <token>', 'the token A the partner gave us (required)')
    .addOption(
      new Option(
        '--public-url <url>',
        'our base URL as the partner reaches it (default: what `serve` last recorded)',
      ),
    )
    .addOption(
      new Option('--version <version>', 'the OCPI version to use (default: the highest both speak)').choices(
        OCPI_VERSIONS,
      ),
    )
    .addOption(jsonFlag())
    .addOption(
      new Option(
        '--deny-private-peers',
        'refuse partner URLs on loopback, private and link-local addresses (env: DENY_PRIVATE_PEERS=1)',
      ),
    )
    .action(action(register));
  examples(cmd, [
    'ocpi-sessions register --db ./ocpi.db https://emsp.example.com/ocpi/versions --token A-token --public-url https://ocpi.example.com',
  ]);
}

export function addIngestTokenCommand(program: Command): void {
  const cmd = subcommand(
    program,
    'ingest-token',
    'print a new operator token for PUT/PATCH /ingest/2.2.1/sessions/... (the previous one stops working)',
  )
    .addOption(dbFlag('SQLite file (must exist) or postgres:// URL'))
    .action(action(ingestToken));
  examples(cmd, ['TOKEN=$(ocpi-sessions ingest-token --db ./ocpi.db)']);
}
