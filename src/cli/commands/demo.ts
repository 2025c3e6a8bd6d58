// `ocpi-sessions demo --db <file> [--sessions 1000] [--seed 1] [--emsp NL-EMS,DE-EMP,FR-MSP] [--now <DateTime>]`
import { Option, type Command } from 'commander';
import { seedDemo } from '../../modules/sessions/service/demo.js';
import { getIdentity, setIdentity, type Identity } from '../../service/identity.js';
import type { SessionStore } from '../../store/contract.js';
import {
  action,
  dbFlag,
  dbOption,
  examples,
  intOption,
  partiesOption,
  subcommand,
  UsageError,
} from '../args.js';
import { openDb } from '../open-db.js';

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

interface DemoOptions {
  db?: string;
  sessions: string | number;
  seed: string | number;
  emsp: string;
  now?: string;
}

async function demo(options: DemoOptions): Promise<number> {
  const sessions = intOption('sessions', options.sessions, 1000);
  const seed = intOption('seed', options.seed, 1);
  const emsps = partiesOption('emsp', options.emsp);
  const now = options.now === undefined ? undefined : Date.parse(options.now);
  if (now !== undefined && Number.isNaN(now))
    throw new UsageError(`--now must be a date and time (e.g. 2025-06-01T00:00:00Z), got '${options.now}'`);
  const store = await openDb(dbOption(options.db), { command: 'demo', create: true });
  try {
    const cpo = await ensureIdentity(store);
    const started = Date.now();
    const n = await seedDemo(store, {
      sessions,
      seed,
      emsps,
      cpo,
      now,
      onProgress: (w) => process.stderr.isTTY && process.stderr.write(`\r${w} sessions written`),
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    console.log(`wrote ${n} demo sessions in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } finally {
    await store.close();
  }
}

export function addDemoCommand(program: Command): void {
  const cmd = subcommand(program, 'demo', 'write deterministic demo sessions (this instance is the CPO)')
    .addOption(dbFlag('SQLite file (created if missing) or postgres:// URL'))
    .addOption(new Option('--sessions <n>', 'how many sessions').default(1000))
    .addOption(new Option('--seed <n>', 'random seed: the same seed writes the same sessions').default(1))
    .addOption(
      new Option('--emsp <CC-PID,...>', 'the eMSPs the sessions are spread over').default(DEFAULT_EMSPS),
    )
    .addOption(new Option('--now <DateTime>', 'the time the sessions are generated around (default: now)'))
    .action(action(demo));
  examples(cmd, [
    'ocpi-sessions demo --db ./ocpi.db',
    'ocpi-sessions demo --db ./ocpi.db --sessions 100000 --emsp NL-EMS,DE-EMP --seed 7 --now 2025-06-01T00:00:00Z',
  ]);
}
