// Tokens: only hashes are stored (checked in the bytes of the SQLite files), the comparison path does not depend
// on where a presented token differs, token A dies with registration, and a removed or rotated partner token
// stops working at once on every process of a deployment sharing one PostgreSQL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import Database from 'better-sqlite3';
import { authenticate } from '../../src/service/partners.js';
import { hashesEqual, hashToken } from '../../src/service/tokens.js';
import type { SessionStore } from '../../src/store/contract.js';
import { addPartnerWithToken, runCli, setParty, startCli } from '../support/cli.js';
import { dropDatabase, postgresUrl } from '../support/postgres.js';
import { raw } from '../support/http.js';
import { b64, partyServer, type PartyServer } from './helpers.js';

/** A loopback OCPI peer answering versions and version details (enough for a registration to succeed). */
async function fakePeer(): Promise<{ url: string; server: Server }> {
  let url = '';
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    const data =
      req.url === '/versions'
        ? [{ version: '2.2.1', url: `${url}/details` }]
        : {
            version: '2.2.1',
            endpoints: [{ identifier: 'credentials', role: 'RECEIVER', url: `${url}/credentials` }],
          };
    res.end(JSON.stringify({ data, status_code: 1000, timestamp: new Date().toISOString() }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, server };
}

const credentials = (peer: string, token: string, cc = 'LU', pid = 'REG') => ({
  token,
  url: `${peer}/versions`,
  roles: [{ role: 'EMSP', business_details: { name: 'Peer' }, country_code: cc, party_id: pid }],
});

describe('tokens at rest and in comparison', () => {
  let p: PartyServer;
  let peer: { url: string; server: Server };
  let tokenC: string;
  const theirToken = 'their-token-B-that-we-send';

  before(async () => {
    p = await partyServer({}, 5);
    peer = await fakePeer();
  });
  after(async () => {
    await p.server.close();
    await new Promise<void>((r) => peer.server.close(() => r()));
  });

  it('token A stops working the moment registration hands out token C', async () => {
    const tokenA = p.tokenA;
    const reg = await raw(p.server.url, {
      method: 'POST',
      path: '/ocpi/2.2.1/credentials',
      headers: { authorization: `Token ${b64(tokenA)}`, 'content-type': 'application/json' },
      body: JSON.stringify(credentials(peer.url, theirToken)),
    });
    assert.equal(reg.status, 200, reg.text);
    assert.equal(reg.json.status_code, 1000);
    tokenC = reg.json.data.token;
    assert.notEqual(tokenC, tokenA);
    for (const h of [`Token ${b64(tokenA)}`, `Token ${tokenA}`]) {
      const dead = await raw(p.server.url, {
        method: 'GET',
        path: '/ocpi/versions',
        headers: { authorization: h },
      });
      assert.equal(dead.status, 401);
    }
    const live = await raw(p.server.url, {
      method: 'GET',
      path: '/ocpi/cpo/2.2.1/sessions',
      headers: { authorization: `Token ${b64(tokenC)}` },
    });
    assert.equal(live.status, 200);
  });

  it('keeps only hashes of our tokens: no token in clear or Base64 anywhere in the database files', async () => {
    const ours = [...Object.values(p.tokens), p.tokenA, p.ingest, tokenC];
    // The files as they are on disk, the WAL included (not only what SQL returns).
    const bytes = [p.file, `${p.file}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1'));
    for (const t of ours) {
      for (const form of [t, b64(t), Buffer.from(t).toString('hex')]) {
        assert.ok(!bytes.some((b) => b.includes(form)), `token found in the database files as ${form}`);
      }
    }
    // Through SQL: every TEXT value of every table, with the one column that must hold a clear token.
    const db = new Database(p.file, { readonly: true });
    try {
      const hashes = new Set(ours.map(hashToken));
      const tables = db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all();
      let theirs = 0;
      for (const { name } of tables) {
        for (const row of db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]) {
          for (const [col, v] of Object.entries(row)) {
            if (typeof v !== 'string') continue;
            for (const t of ours) assert.ok(!v.includes(t), `${name}.${col} holds a token in clear`);
            if (col === 'their_token' && v) {
              // The token we SEND to the partner: usable only in clear, never one of ours.
              assert.equal(v, theirToken);
              theirs++;
            }
            if (col === 'token_hash') assert.match(v, /^[0-9a-f]{64}$/);
          }
        }
      }
      assert.equal(theirs, 1);
      const stored = db
        .prepare<[], { token_hash: string }>('SELECT token_hash FROM partners')
        .all()
        .map((r) => r.token_hash);
      for (const t of [...Object.values(p.tokens), tokenC]) assert.ok(stored.includes(hashToken(t)));
      assert.ok(
        stored.every((h) => hashes.has(h)),
        'every stored hash is the hash of a live token',
      );
    } finally {
      db.close();
    }
  });

  it('compares hashes in constant time: equal-length buffers, any differing position, never throws', () => {
    const h = hashToken('some-token');
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === '0' ? '1' : '0') + s.slice(i + 1);
    assert.equal(hashesEqual(h, h), true);
    assert.equal(hashesEqual(h, flip(h, 0)), false); // differs in the first byte
    assert.equal(hashesEqual(h, flip(h, 63)), false); // differs in the last byte
    // timingSafeEqual throws on buffers of different lengths: hashesEqual answers false instead.
    assert.equal(hashesEqual(h, h.slice(0, 62)), false);
    assert.equal(hashesEqual(h, ''), false);
    assert.equal(hashesEqual(h, 'zz'), false);
  });

  it('authenticates every presented token through the same path: hash, one indexed lookup by hash, compare', async () => {
    // The presented token is never compared with a stored secret: it is hashed, and the store is asked for the
    // partner with that hash. Tokens differing from a real one in the first or in the last character take the
    // same steps as each other and as the real one (the number and kind of store calls), so where they differ
    // cannot show in the time taken beyond what SHA-256 of the input reveals, which is nothing useful.
    const real = p.tokens['DE-EMP']!;
    const calls: string[][] = [];
    const recording = new Proxy(p.server.store, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          calls
            .at(-1)!
            .push(
              `${String(prop)}(${args.map((a) => (typeof a === 'string' && /^[0-9a-f]{64}$/.test(a) ? '<sha256>' : typeof a)).join(',')})`,
            );
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as SessionStore;
    assert.equal(real.length % 4 === 0, false, 'a generated token is not Base64-shaped: one candidate');
    const variants = {
      firstChar: (real[0] === 'A' ? 'B' : 'A') + real.slice(1),
      lastChar: real.slice(0, -1) + (real.at(-1) === 'A' ? 'B' : 'A'),
      real,
    };
    const results: Record<string, boolean> = {};
    for (const [name, token] of Object.entries(variants)) {
      calls.push([]);
      results[name] = (await authenticate(recording, `Token ${token}`)) !== undefined;
    }
    assert.deepEqual(results, { firstChar: false, lastChar: false, real: true });
    const shapes = calls.map((c) => c.join(' '));
    assert.equal(new Set(shapes).size, 1, `different paths: ${JSON.stringify(calls)}`);
    assert.equal(shapes[0], 'findPartnerByTokenHash(<sha256>)');
  });
});

describe('a removed or rotated token stops working at once on every process (two processes, one PostgreSQL)', () => {
  let db: string;
  let peer: { url: string; server: Server };
  const servers: ReturnType<typeof startCli>[] = [];
  const urls: string[] = [];

  before(async () => {
    db = await postgresUrl();
    peer = await fakePeer();
    assert.equal(runCli(['migrate', '--db', db]).status, 0);
    setParty(db, 'NL-OCS', 'CPO', 'Us');
    for (const [cc, pid, token] of [
      ['DE', 'EMP', 'tok-remove-me'],
      ['FR', 'MSP', 'tok-delete-me'],
      ['BE', 'ROT', 'tok-rotate-me'],
    ]) {
      addPartnerWithToken(db, `${cc}-${pid}`, token!);
    }
    // Sessions for every partner: the sender authenticates from a per-process token cache confirmed by the page
    // read (src/service/token-cache.ts); only a page with sessions exercises that confirmation.
    const demo = runCli([
      'demo',
      '--db',
      db,
      '--sessions',
      '90',
      '--emsp',
      'DE-EMP,FR-MSP,BE-ROT',
      '--seed',
      '4',
    ]);
    assert.equal(demo.status, 0, demo.stderr);
    for (let i = 0; i < 2; i++) {
      const s = startCli(['serve', '--db', db, '--port', '0'], /listening on (\S+)/);
      servers.push(s);
      urls.push(/listening on (\S+)/.exec(await s.started)![1]!);
    }
  });
  after(async () => {
    for (const s of servers) await s.stop();
    await new Promise<void>((r) => peer.server.close(() => r()));
    await dropDatabase(db);
  });

  const status = async (url: string, token: string) => {
    const r = await raw(url, {
      method: 'GET',
      path: '/ocpi/cpo/2.2.1/sessions',
      headers: { authorization: `Token ${b64(token)}` },
    });
    if (r.status === 200) assert.ok(r.json.data.length > 0, 'the partner has sessions');
    return r.status;
  };

  it('`partners remove` (operator): 401 on both processes on the very next request', async () => {
    for (const u of urls) assert.equal(await status(u, 'tok-remove-me'), 200);
    const r = runCli(['partners', 'remove', '--db', db, 'DE-EMP']);
    assert.equal(r.status, 0, r.stderr);
    for (const u of urls) assert.equal(await status(u, 'tok-remove-me'), 401);
  });

  it('DELETE credentials through one process: 401 through the other at once', async () => {
    for (const u of urls) assert.equal(await status(u, 'tok-delete-me'), 200);
    const del = await raw(urls[0]!, {
      method: 'DELETE',
      path: '/ocpi/2.2.1/credentials',
      headers: { authorization: `Token ${b64('tok-delete-me')}` },
    });
    assert.equal(del.status, 200, del.text);
    assert.equal(await status(urls[1]!, 'tok-delete-me'), 401);
    assert.equal(await status(urls[0]!, 'tok-delete-me'), 401);
  });

  it('PUT credentials (token rotation) through one process: the old token is dead on both, the new one live on both', async () => {
    const put = await raw(urls[1]!, {
      method: 'PUT',
      path: '/ocpi/2.2.1/credentials',
      headers: { authorization: `Token ${b64('tok-rotate-me')}`, 'content-type': 'application/json' },
      body: JSON.stringify(credentials(peer.url, 'their-new-token', 'BE', 'ROT')),
    });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json.status_code, 1000, put.text);
    const fresh = put.json.data.token as string;
    for (const u of urls) {
      assert.equal(await status(u, 'tok-rotate-me'), 401);
      assert.equal(await status(u, fresh), 200);
    }
  });
});
