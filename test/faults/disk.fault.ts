// The SQLite file's disk fills up, then its file system turns read-only, under a running server: writes get a
// clear 503 + OCPI envelope (3000) saying so, reads keep working, nothing acknowledged is lost, nothing refused
// is half-written, writes work again once space is freed / the file system is writable again (no restart), and
// PRAGMA integrity_check says ok. Starting on a read-only file fails with a clear message. Needs permission to
// mount a tmpfs (root with CAP_SYS_ADMIN); without it the tests are skipped and say why.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, statfsSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { generateDemoSessions } from '../../src/demo/demo-data.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { addPartnerWithToken, runCli, setParty, cli, serve, type Served } from '../support/cli.js';
import { request } from '../support/http.js';
import { freePort } from '../support/ports.js';
import { tokenHeader } from '../support/server.js';
import { body221, integrityCheck, loopExt4, sleep, smallFs, type LoopFs, type SmallFs } from './helpers.js';

describe('SQLite disk full and read-only', () => {
  let fs: SmallFs | undefined;
  let why: string | undefined;
  let db: string;
  let server: Served;
  let ingest: Record<string, string>;
  const emsp = tokenHeader('disk-token');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  const acked = new Set<string>();
  const refused = new Set<string>();
  const sessions = [
    ...generateDemoSessions({
      count: 200,
      seed: 8,
      emsps: [{ countryCode: 'DE', partyId: 'EMP' }],
      cpo: { countryCode: 'NL', partyId: 'OCS' },
      now: Date.UTC(2031, 0, 1),
    }),
  ];
  let n = 0;

  before(async () => {
    try {
      fs = smallFs('6m');
    } catch (e) {
      why = `cannot mount a tmpfs here (${(e as Error).message}); a loop device needs the same privilege`;
      return;
    }
    db = path.join(fs.dir, 'ocpi.db');
    setParty(db, 'NL-OCS', 'CPO', 'Us');
    addPartnerWithToken(db, 'DE-EMP', 'disk-token');
    ingest = tokenHeader(cli(['ingest-token', '--db', db]).trim());
    server = await serve(db, await freePort());
  });
  after(async () => {
    if (server && server.child.exitCode === null) await server.stop();
    fs?.destroy();
  });

  const put = async () => {
    const s = sessions[n % sessions.length]!;
    const id = `DISK-${n++}`;
    const a = await request(agent, server.url, 'PUT', `/ingest/2.2.1/sessions/NL/OCS/${id}`, ingest, {
      ...body221(s),
      id,
    });
    if (a.status === 201) acked.add(id);
    else refused.add(id);
    return a;
  };
  const list = () => request(agent, server.url, 'GET', '/ocpi/cpo/2.2.1/sessions?limit=10', emsp);

  it('disk full: a clear 503, reads still served, writes again once space is freed', async (t) => {
    if (!fs) return t.skip(why);
    // Leave ~300 KB free.
    const st = statfsSync(fs.dir);
    const filler = path.join(fs.dir, 'filler');
    writeFileSync(filler, Buffer.alloc(Math.max(0, st.bavail * st.bsize - 300 * 1024)));
    let full: Awaited<ReturnType<typeof put>> | undefined;
    for (let i = 0; i < 2000 && !full; i++) {
      const a = await put();
      if (a.status !== 201) full = a;
    }
    assert.ok(full, 'the disk never filled up');
    assert.equal(full.status, 503, full.text);
    assert.equal(full.json.status_code, 3000);
    assert.match(full.json.status_message, /full/);
    // More writes keep failing cleanly; reads keep working.
    for (let i = 0; i < 20; i++) assert.equal((await put()).status, 503);
    const r = await list();
    assert.equal(r.status, 200, r.text);
    assert.equal(server.child.exitCode, null);
    rmSync(filler);
    const again = await put();
    assert.equal(again.status, 201, again.text);
    console.log(
      `disk full: ${acked.size} sessions stored before and after, ${refused.size} refused with 503 while full`,
    );
  });

  it('starting on a read-only file system fails with a clear message, and works once writable', async (t) => {
    if (!fs) return t.skip(why);
    // A live ro remount is refused by the kernel while the server has the file open for writing ("mount point
    // is busy"): the server is stopped first. The live failure is the ext4 test below.
    assert.equal(await server.stop(), 0);
    fs.remount('ro');
    try {
      const r = runCli(['serve', '--db', db, '--port', '0']);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /read-only file system/i);
      assert.match(r.stderr, /ocpi\.db/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'a stack trace instead of a message');
    } finally {
      fs.remount('rw');
    }
    server = await serve(db, await freePort());
    const again = await put();
    assert.equal(again.status, 201, again.text);
    assert.equal(await server.stop(), 0);
  });

  it('nothing acknowledged lost, nothing refused written, integrity ok', async (t) => {
    if (!fs) return t.skip(why);
    assert.equal(integrityCheck(db), 'ok');
    const store = new SqliteStore(db);
    try {
      for (const id of acked) assert.ok(await store.getSession('NL', 'OCS', id), `acknowledged ${id} lost`);
      for (const id of refused)
        assert.equal(await store.getSession('NL', 'OCS', id), undefined, `refused ${id} stored`);
      const all = await store.scanSessions(0, 100_000);
      assert.equal(all.length, acked.size);
    } finally {
      await store.close();
    }
    assert.equal(integrityCheck(db), 'ok');
    console.log(
      `disk faults: ${acked.size} acknowledged sessions all present, ${refused.size} refused all absent, integrity_check ok`,
    );
  });
});

describe('SQLite storage failing under a running server (ext4 on a loop device, EXT4_IOC_SHUTDOWN)', () => {
  let fs: LoopFs | undefined;
  let why: string | undefined;
  let db: string;
  let server: Served | undefined;
  let ingest: Record<string, string>;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  const acked = new Set<string>();
  const refused = new Set<string>();
  const sessions = [
    ...generateDemoSessions({
      count: 50,
      seed: 4,
      emsps: [{ countryCode: 'DE', partyId: 'EMP' }],
      cpo: { countryCode: 'NL', partyId: 'OCS' },
      now: Date.UTC(2031, 0, 1),
    }),
  ];

  before(async () => {
    try {
      fs = loopExt4(32);
    } catch (e) {
      why = `cannot set up ext4 on a loop device here: ${(e as Error).message}`;
      return;
    }
    db = path.join(fs.dir, 'ocpi.db');
    setParty(db, 'NL-OCS', 'CPO', 'Us');
    ingest = tokenHeader(cli(['ingest-token', '--db', db]).trim());
    server = await serve(db, await freePort());
  });
  after(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) await server.kill();
    fs?.destroy();
  });

  it('every write fails with a clear 503, the process stays up, and after a remount nothing is lost or corrupt', async (t) => {
    if (!fs || !server) return t.skip(why);
    const put = async (i: number) => {
      const id = `EIO-${i}`;
      const a = await request(agent, server!.url, 'PUT', `/ingest/2.2.1/sessions/NL/OCS/${id}`, ingest, {
        ...body221(sessions[i % sessions.length]!),
        id,
      });
      if (a.status === 201) acked.add(id);
      else refused.add(id);
      return a;
    };
    for (let i = 0; i < 30; i++) assert.equal((await put(i)).status, 201);
    fs.shutdown(); // the disk "dies": EIO for every read and write from now on
    for (let i = 30; i < 60; i++) {
      const a = await put(i);
      assert.equal(a.status, 503, a.text);
      assert.equal(a.json.status_code, 3000);
      assert.match(a.json.status_message, /cannot be used/);
    }
    const health = await request(agent, server.url, 'GET', '/health', {});
    assert.ok(health.status === 200 || health.status === 503, health.text);
    assert.equal(server.child.exitCode, null, 'the process is still up');
    // Stop it (the file system is gone: it may not close cleanly), remount as after a reboot, check.
    const code = await Promise.race([server.stop(), sleep(10_000).then(() => 'hung')]);
    if (code === 'hung') await server.kill();
    fs.remount();
    assert.equal(integrityCheck(db), 'ok');
    const store = new SqliteStore(db);
    try {
      for (const id of acked) assert.ok(await store.getSession('NL', 'OCS', id), `acknowledged ${id} lost`);
      for (const id of refused)
        assert.equal(await store.getSession('NL', 'OCS', id), undefined, `refused ${id} stored`);
    } finally {
      await store.close();
    }
    assert.equal(integrityCheck(db), 'ok');
    console.log(
      `storage failure (EIO): ${acked.size} acknowledged all present after remount, ${refused.size} refused with 503 all absent, exit on SIGTERM: ${code}, integrity_check ok`,
    );
  });
});
