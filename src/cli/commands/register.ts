// `ocpi-sessions register --db <file> <their-versions-url> --token <their token A> [--public-url <our base>]
//   [--version 2.1.1|2.2.1] [--deny-private-peers]`
// `ocpi-sessions ingest-token --db <file>`
import type { OcpiVersion } from '../../domain/wire-format.js';
import { PUBLIC_URL } from '../../service/identity.js';
import { rotateIngestToken } from '../../service/ingest-token.js';
import { registerWith } from '../../modules/credentials/service/registration.js';
import { RegistrationError } from '../../service/refused.js';
import type { SessionStore } from '../../store/contract.js';
import { openStore } from '../../store/open.js';
import { dbOption, parse, UsageError } from '../args.js';

/** Our versions URL as partners reach it: --public-url, else what `serve` recorded when it started. */
export async function ourVersionsUrl(store: SessionStore, publicUrl: string | undefined): Promise<string> {
  const base = publicUrl ?? (await store.readSetting(PUBLIC_URL));
  if (!base) throw new UsageError('our public URL is unknown: pass --public-url or start `serve` once');
  return `${base.replace(/\/+$/, '')}/ocpi/versions`;
}

export async function register(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    db: { type: 'string' },
    token: { type: 'string' },
    'public-url': { type: 'string' },
    version: { type: 'string' },
    json: { type: 'boolean' },
    'deny-private-peers': { type: 'boolean' },
  });
  const url = positionals[0];
  if (!url || !values.token)
    throw new UsageError('usage: ocpi-sessions register --db <file> <their-versions-url> --token <token A>');
  if (values.version && values.version !== '2.1.1' && values.version !== '2.2.1')
    throw new UsageError('--version must be 2.1.1 or 2.2.1');
  const store = await openStore(dbOption(values.db));
  try {
    const ours = await ourVersionsUrl(store, values['public-url']);
    try {
      const denyPrivatePeers =
        values['deny-private-peers'] === true || process.env.DENY_PRIVATE_PEERS === '1';
      const version = values.version as OcpiVersion | undefined;
      const p = await registerWith(store, url, values.token, ours, version, { denyPrivatePeers });
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

export async function ingestToken(argv: string[]): Promise<number> {
  const { values } = parse(argv, { db: { type: 'string' } });
  const store = await openStore(dbOption(values.db));
  try {
    console.log(await rotateIngestToken(store));
    return 0;
  } finally {
    await store.close();
  }
}
