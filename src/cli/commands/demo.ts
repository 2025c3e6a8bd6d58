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
import { createProgressReporter, pace, progressIntervalMs, progressIntervalOption } from '../progress.js';

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
  progressInterval: string | number;
}

async function demo(options: DemoOptions): Promise<number> {
  const sessions = intOption('sessions', options.sessions, 1000);
  const seed = intOption('seed', options.seed, 1);
  const emsps = partiesOption('emsp', options.emsp);
  const now = options.now === undefined ? undefined : Date.parse(options.now);
  if (now !== undefined && Number.isNaN(now))
    throw new UsageError(`--now must be a date and time (e.g. 2025-06-01T00:00:00Z), got '${options.now}'`);
  const intervalMs = progressIntervalMs(options.progressInterval);
  const store = await openDb(dbOption(options.db), { command: 'demo', create: true, bulk: true });
  try {
    const cpo = await ensureIdentity(store);
    const started = Date.now();
    let shown = 0;
    // `demo: 4000 of 10000 sessions (40%), 1300/s, ETA 0:05`
    const progress = createProgressReporter(process.stderr, {
      intervalMs,
      view: (written: number) => {
        const fraction = sessions > 0 ? written / sessions : 1;
        const elapsedMs = Date.now() - started;
        return {
          label: 'demo',
          count: written,
          total: sessions,
          fraction,
          ...pace(written, elapsedMs, fraction),
          details: [],
          notes: [],
        };
      },
    });
    const n = await seedDemo(store, {
      sessions,
      seed,
      emsps,
      cpo,
      now,
      onProgress: (written) => progress.update((shown = written)),
    });
    if (shown !== n) progress.update(n);
    progress.done();
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
    .addOption(progressIntervalOption('2000 sessions'))
    .action(action(demo));
  examples(cmd, [
    'ocpi-sessions demo --db ./ocpi.db',
    'ocpi-sessions demo --db ./ocpi.db --sessions 100000 --emsp NL-EMS,DE-EMP --seed 7 --now 2025-06-01T00:00:00Z',
  ]);
}
