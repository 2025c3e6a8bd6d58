// Node.js flags for the long-running server (`serve`, `start`) and for the bulk commands (`demo`, `pull`, `import`
// of large sets), set on the node command line or in NODE_OPTIONS: they size the V8 heap at start-up and cannot be
// changed from inside the process.
//
// --max-semi-space-size=64: a 64 MB young generation (default 16 MB). Each page read from PostgreSQL leaves
// ~140 KB of short-lived strings and buffers per limit=100 page (node-postgres builds one string per body); with the
// default, scavenges took 14 % of the server's CPU. Measured (100 000 sessions, limit=100, 2.2.1): PostgreSQL
// server CPU per page 1.36-1.72 ms -> 0.96-1.16 ms; SQLite unchanged; RSS up to ~110 MiB higher under limit=1000 load. See README "Deploy".
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

// --max-semi-space-size=128 for the bulk commands: a batch being written (2 000 demo sessions, up to 10 000 pulled
// ones) is live until its commit; with a 16 MB young generation each scavenge copies it and promotes it to the old
// generation, and the collector took about a quarter of the CPU. Measured with SqliteOptions.bulk (docs/performance.md,
// eighth round): `demo --sessions 400000` 59 s -> 40-43 s (64 MB: 48-51 s; 256 MB: 48 s), `pull` of 1 000 000
// sessions 150 s -> 120 s; max RSS +200-350 MB. See README "Performance".
export const BULK_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=128'];
