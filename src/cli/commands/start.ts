// `ocpi-sessions start` (= `npm start`): serve ./data/ocpi-sessions.db, seeding demo data and demo partners on
// first run, then print tokens and ready-to-paste curl commands.
import { seedDemo } from '../../modules/sessions/service/demo.js';
import { addPartner } from '../../service/partners.js';
import { encodeToken } from '../../domain/token-encoding.js';
import { openStore } from '../../store/open.js';
import { jsonSetting } from '../../store/settings.js';
import { parse } from '../args.js';
import { DEFAULT_EMSPS, ensureIdentity } from './demo.js';
import { serveOptions, startServer, stopOnSignals } from './serve.js';
import { partiesOption } from '../args.js';

interface DemoPartner {
  key: string;
  format: string;
  token: string;
}

const DEMO_PARTNERS = jsonSetting<DemoPartner[]>('demo.partners');

export async function start(argv: string[]): Promise<void> {
  const { values } = parse(argv, serveOptions);
  const db = values.db ?? process.env.DATABASE_URL ?? process.env.DATABASE ?? './data/ocpi-sessions.db';
  const store = await openStore(db);
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
  const running = await startServer({ ...values, db });
  stopOnSignals(running);
  const base = (values['public-url'] ?? process.env.PUBLIC_URL ?? running.url).replace(/\/+$/, '');
  console.log(`\nocpi-sessions is running on ${running.url} (database ${db})\n`);
  for (const p of partners) {
    console.log(`demo partner ${p.key} (format ${p.format}) token: ${p.token}`);
    console.log(
      `  curl -s -H 'Authorization: Token ${encodeToken(p.token, 'base64')}' '${base}/ocpi/cpo/2.2.1/sessions?limit=2'\n`,
    );
  }
  console.log(`health: curl -s ${base}/health`);
}
