// `ocpi-sessions demo --db <file> [--sessions 1000] [--seed 1] [--emsp NL-EMS,DE-EMP,FR-MSP]`
import { seedDemo } from '../../modules/sessions/service/demo.js';
import { getIdentity, setIdentity, type Identity } from '../../service/identity.js';
import type { SessionStore } from '../../store/contract.js';
import { openStore } from '../../store/open.js';
import { dbOption, intOption, parse, partiesOption } from '../args.js';

export const DEMO_CPO: Identity = {
  countryCode: 'NL',
  partyId: 'OCS',
  roles: ['CPO'],
  name: 'ocpi-sessions demo CPO',
  website: 'https://example.com/ocpi-sessions',
};
export const DEFAULT_EMSPS = 'NL-EMS,DE-EMP,FR-MSP';

export async function ensureIdentity(store: SessionStore): Promise<Identity> {
  const existing = await getIdentity(store);
  if (existing) return existing;
  await setIdentity(store, DEMO_CPO);
  return DEMO_CPO;
}

export async function demo(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    db: { type: 'string' },
    sessions: { type: 'string' },
    seed: { type: 'string' },
    emsp: { type: 'string' },
    now: { type: 'string' },
  });
  const store = await openStore(dbOption(values.db));
  try {
    const cpo = await ensureIdentity(store);
    const started = Date.now();
    const n = await seedDemo(store, {
      sessions: intOption('sessions', values.sessions, 1000),
      seed: intOption('seed', values.seed, 1),
      emsps: partiesOption('emsp', values.emsp ?? DEFAULT_EMSPS),
      cpo,
      now: values.now ? Date.parse(values.now) : undefined,
      onProgress: (w) => process.stderr.isTTY && process.stderr.write(`\r${w} sessions written`),
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    console.log(`wrote ${n} demo sessions in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await store.close();
  }
}
