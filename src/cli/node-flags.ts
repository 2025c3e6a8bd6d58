// Node.js flags for the long-running server (`serve`, `start`), set on the node command line or in NODE_OPTIONS:
// they size the V8 heap at start-up and cannot be changed from inside the process.
//
// --max-semi-space-size=64: a 64 MB young generation (default 16 MB). Each page read from PostgreSQL leaves
// ~140 KB of short-lived strings and buffers per limit=100 page (node-postgres builds one string per body); with the
// default, scavenges took 14 % of the server's CPU. Measured (100 000 sessions, limit=100, 2.2.1): PostgreSQL
// server CPU per page 1.36-1.72 ms -> 0.96-1.16 ms; SQLite unchanged; RSS up to ~110 MiB higher under limit=1000 load. See README "Deploy".
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
