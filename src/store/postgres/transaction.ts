// One transaction on a client checked out of a pool: the only way this store holds a connection beyond a single
// pool.query (session writes, migrations under their advisory lock).
//
// A pg client emits 'error' when its connection dies (pg_terminate_backend, a failover, a reset socket): once when
// the server's FATAL arrives between two statements, and again when the socket closes. pg-pool listens for it
// only while a client sits idle in the pool (and during a pool.query); a checked-out client without a listener of
// its own would turn that event into an uncaught exception that ends the process. So the client is listened to
// for as long as it is held, and a client that errored goes back with the error: the pool discards it and opens a
// fresh connection on demand. The statement in flight fails, and the caller's request is answered 503.
import type pg from 'pg';

/**
 * Runs `fn` in a transaction on a client of `pool`. `opening`: a statement without parameters sent with the BEGIN
 * in one round trip (one simple-protocol query of two statements); `fn` gets its result.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (c: pg.PoolClient, opened: pg.QueryResult | undefined) => Promise<T>,
  opening?: string,
): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => (broken ??= err);
  c.on('error', onError);
  try {
    let opened: pg.QueryResult | undefined;
    if (opening === undefined) await c.query('BEGIN');
    // A query of several statements answers one result per statement (node-postgres types it as one).
    else opened = ((await c.query(`BEGIN; ${opening}`)) as unknown as pg.QueryResult[])[1];
    const out = await fn(c, opened);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    if (!broken) await c.query('ROLLBACK').catch((e: Error) => (broken = e)); // cannot roll back: discard it
    throw err;
  } finally {
    c.removeListener('error', onError); // pg-pool's own listener takes over once the client is idle again
    c.release(broken);
  }
}
