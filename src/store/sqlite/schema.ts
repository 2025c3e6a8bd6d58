// SQLite schema. See src/store/paging.ts for what `ord` and `session_counts` are for.
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS partners (
  id INTEGER PRIMARY KEY,
  country_code TEXT NOT NULL,
  party_id TEXT NOT NULL,
  party_key TEXT NOT NULL UNIQUE,
  roles TEXT NOT NULL,
  format TEXT NOT NULL,
  state TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS sessions (
  seq INTEGER PRIMARY KEY,
  cpo TEXT NOT NULL,
  id_ci TEXT NOT NULL,
  owner TEXT NOT NULL,
  ord INTEGER NOT NULL,
  last_updated INTEGER NOT NULL,
  doc TEXT NOT NULL,
  UNIQUE (cpo, id_ci)
);
CREATE UNIQUE INDEX IF NOT EXISTS sessions_owner_ord ON sessions (owner, ord, last_updated, seq);
CREATE INDEX IF NOT EXISTS sessions_owner_updated ON sessions (owner, last_updated, ord);

-- One rendered body per session and wire format: id = seq * 8 + format index.
CREATE TABLE IF NOT EXISTS session_bodies (id INTEGER PRIMARY KEY, body TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS session_counts (
  owner TEXT NOT NULL, block INTEGER NOT NULL, day INTEGER NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (owner, day, block)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS owners (
  owner TEXT PRIMARY KEY, next_ord INTEGER NOT NULL, version INTEGER NOT NULL
) WITHOUT ROWID;
`;
