// `ocpi-sessions start` (= `npm start`): serve ./data/ocpi-sessions.db, seeding demo data and demo partners on
// first run, then print tokens and ready-to-paste curl commands.
import type { Command } from 'commander';
import { seedDemo } from '../../modules/sessions/service/demo.js';
import { addPartner } from '../../service/partners.js';
import { encodeToken } from '../../domain/token-encoding.js';
import { jsonSetting } from '../../store/settings.js';
import { action, dbFlag, examples, partiesOption, subcommand } from '../args.js';
import { openDb } from '../open-db.js';
import { DEFAULT_EMSPS, ensureIdentity } from './demo.js';
import { addServerOptions, startServer, stopOnSignals, type ServeOptions } from './serve.js';

interface DemoPartner {
  key: string;
  format: string;
  token: string;
}

const DEMO_PARTNERS = jsonSetting<DemoPartner[]>('demo.partners');
export const START_DB = './data/ocpi-sessions.db';

async function start(options: ServeOptions): Promise<undefined> {
  const given = options.db ?? process.env.DATABASE_URL ?? process.env.DATABASE;
  const db = given ?? START_DB;
  // The default's directory ./data is created on first run; a --db of the user's is not given a directory.
  const store = await openDb(db, { command: 'start', create: true, createDirectory: given === undefined });
  let partners: DemoPartner[];
  try {
    const saved = await store.readSetting(DEMO_PARTNERS);
    if (saved) {
      partners = saved;
    } else {
      const cpo = await ensureIdentity(store);
      const emsps = partiesOption('emsp', DEFAULT_EMSPS);
      console.log('first run: writing 1000 demo sessions and two demo partners …');
      await seedDemo(store, { sessions: 1000, seed: 1, emsps, cpo });
      partners = [];
      // Demo only: the tokens are kept in clear in the demo database so every start can print them.
      for (const [party, format] of [
        [emsps[0]!, 'ocpi'],
        [emsps[1]!, 'camel'],
      ] as const) {
        const { partner, token } = await addPartner(store, { ...party, format, roles: ['EMSP'] });
        partners.push({ key: partner.key, format, token });
      }
      await store.writeSetting(DEMO_PARTNERS, partners);
    }
  } finally {
    await store.close();
  }
  const running = await startServer({ ...options, db }, 'start', stopOnSignals);
  const base = (options.publicUrl ?? running.url).replace(/\/+$/, '');
  console.log(`\nocpi-sessions is running on ${running.url} (database ${db})\n`);
  for (const p of partners) {
    console.log(`demo partner ${p.key} (format ${p.format}) token: ${p.token}`);
    console.log(
      `  curl -s -H 'Authorization: Token ${encodeToken(p.token, 'base64')}' '${base}/ocpi/cpo/2.2.1/sessions?limit=2'\n`,
    );
  }
  console.log(`health: curl -s ${base}/health`);
  return undefined; // keeps running
}

export function addStartCommand(program: Command): void {
  const cmd = subcommand(
    program,
    'start',
    'like serve, on ./data/ocpi-sessions.db, with demo data and demo partners on first run (npm start)',
  );
  cmd.addOption(
    dbFlag(`SQLite file or postgres:// URL (default: ${START_DB}, its directory created if missing)`),
  );
  addServerOptions(cmd).action(action(start));
  examples(cmd, [
    'ocpi-sessions start --port 9000',
    'ocpi-sessions start --db /tmp/try.db --port 0',
    'npm start   (the same, building dist/ first when it is missing or older than src/)',
  ]);
}
