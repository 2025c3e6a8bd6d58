// The console's sessions list at depth, against the partners' sender page in the same run (the baseline): N
// sessions of 3 eMSPs in one SQLite file, then interleaved rounds of 20 calls each of: the sender page (limit 50,
// listSessions), the console list without filters (first page, and a next page by cursor), with a
// status filter, and with an id prefix that matches nothing (the worst case: the whole scan budget, 5 000 rows).
// Prints min/median/max of the per-call mean over the rounds (ms). Wall-clock on a shared machine: compare the rows
// with each other, not across runs.
// Run: npm run build && BENCH_SESSIONS=200000 node dist/bench/console-list.js
import { WIRE_FORMATS } from '../src/domain/wire-format.js';
import { performance } from 'node:perf_hooks';
import { listConsoleSessions } from '../src/service/console/sessions.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { makeRecord, makeSession } from '../test/support/sessions.js';
import { tempDb } from '../test/support/server.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const CALLS = 20;
const T0 = Date.UTC(2025, 0, 1);
const STATUSES = ['ACTIVE', 'COMPLETED', 'INVALID', 'PENDING'] as const;

const store = new SqliteStore(tempDb('console-bench.db'));
await store.addStoredFormats(WIRE_FORMATS); // the formats the bench reads (issue 16)
const fillStart = performance.now();
for (let i = 0; i < SESSIONS; i += 1000) {
  const recs = Array.from({ length: Math.min(1000, SESSIONS - i) }, (_, k) => {
    const s = makeSession(`b${i + k}`, ['DE-EMS', 'FR-MSP', 'BE-EMP'][(i + k) % 3]!, T0 + (i + k) * 1000);
    s.status = STATUSES[(i + k) % 4]!;
    return makeRecord(s);
  });
  await store.putSessions(recs, { mode: 'replace' });
}
console.log(`${SESSIONS} sessions written in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);

const next = (await listConsoleSessions(store, { limit: 50, order: 'asc' })).next_cursor!;
const scenarios: [string, () => Promise<unknown>][] = [
  [
    'baseline: sender page (listSessions, limit 50)',
    () => store.listSessions({ owner: 'DE-EMS' }, { offset: 0, limit: 50 }, 'ocpi-2.2.1'),
  ],
  ['console list, first page (limit 50)', () => listConsoleSessions(store, { limit: 50 })],
  [
    'console list, next page by cursor (asc)',
    () => listConsoleSessions(store, { limit: 50, order: 'asc', cursor: next }),
  ],
  ['console list, status=COMPLETED', () => listConsoleSessions(store, { limit: 50, status: 'COMPLETED' })],
  ['console list, q=b1 (id prefix, common)', () => listConsoleSessions(store, { limit: 50, q: 'b1' })],
  [
    'console list, q matching nothing (whole 5 000-row budget)',
    () => listConsoleSessions(store, { limit: 50, q: 'zzz' }),
  ],
];
const results = scenarios.map(() => [] as number[]);
for (let r = 0; r < ROUNDS; r++) {
  for (const [i, [, run]] of scenarios.entries()) {
    const t = performance.now();
    for (let c = 0; c < CALLS; c++) await run();
    results[i]!.push((performance.now() - t) / CALLS);
  }
}
for (const [i, [name]] of scenarios.entries()) {
  const v = results[i]!.sort((a, b) => a - b);
  const f = (x: number) => x.toFixed(2);
  console.log(
    `${name.padEnd(60)} min ${f(v[0]!)}  median ${f(v[Math.floor(v.length / 2)]!)}  max ${f(v[v.length - 1]!)} ms`,
  );
}
await store.close();
