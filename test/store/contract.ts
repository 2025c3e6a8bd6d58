// The ONE store contract suite: every SessionStore implementation runs exactly these tests.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pageObjects, type RenderedPage } from '../../src/domain/page.js';
import { loadEncoding, loadPullConfig, loadSyncState, type SyncState } from '../../src/service/pull-state.js';
import { RevisionConflict, type ClaimedDelivery, type SessionStore } from '../../src/store/contract.js';
import { HISTORY_LIMIT } from '../../src/domain/session-change.js';
import { jsonSetting, textSetting } from '../../src/store/settings.js';
import { WIRE_FORMATS } from '../../src/domain/wire-format.js';
import { makeRecord, makeSession } from '../support/sessions.js';

const ids = (page: RenderedPage) => (pageObjects(page) as Array<{ id: string }>).map((s) => s.id);

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);

export function storeContract(name: string, open: () => Promise<SessionStore>): void {
  describe(`store contract: ${name}`, () => {
    let store: SessionStore;
    before(async () => {
      store = await open();
      // The formats the suite reads (a new store keeps none until its partners are known: issue 16).
      assert.deepEqual(await store.addStoredFormats(WIRE_FORMATS), [...WIRE_FORMATS]);
    });
    after(async () => {
      await store.close();
    });

    it('puts and gets sessions, keyed case-insensitively by CPO party and id', async () => {
      const s = makeSession('Ab-1', 'NL-EMS', T0);
      assert.deepEqual(await store.putSessions([makeRecord(s)], { mode: 'replace' }), ['created']);
      const got = await store.getSession('nl', 'cpo', 'AB-1');
      assert.equal(got?.owner, 'NL-EMS');
      assert.deepEqual(got?.session, s);
      assert.equal(await store.getSession('NL', 'CPO', 'missing'), undefined);
      assert.equal(await store.getSession('DE', 'CPO', 'Ab-1'), undefined);
    });

    it('gets many sessions by key in one read: in the asked order, case-insensitively, undefined when absent', async () => {
      const a = makeSession('many-a', 'NL-EMS', T0);
      const b = makeSession('Many-B', 'BE-EMS', T0 + 1000);
      await store.putSessions([makeRecord(a), makeRecord(b)], { mode: 'replace' });
      const got = await store.getSessions([
        { countryCode: 'nl', partyId: 'cpo', id: 'MANY-B' },
        { countryCode: 'NL', partyId: 'CPO', id: 'many-missing' },
        a,
        { countryCode: 'DE', partyId: 'CPO', id: 'many-a' },
        { countryCode: 'NL', partyId: 'CPO', id: 'many-b' },
      ]);
      assert.equal(got.length, 5);
      assert.deepEqual(got[0]?.session, b);
      assert.equal(got[0]?.owner, 'BE-EMS');
      assert.equal(got[1], undefined);
      assert.deepEqual(got[2]?.session, a);
      assert.deepEqual(got[2], await store.getSession('NL', 'CPO', 'many-a'));
      assert.equal(got[3], undefined);
      assert.equal(got[4]?.seq, got[0]?.seq);
      assert.deepEqual(await store.getSessions([]), []);
    });

    it("refuses to roll a session back in 'if-newer' mode and replaces in 'replace' mode", async () => {
      const s = makeSession('roll-1', 'NL-EMS', T0 + 1000);
      await store.putSessions([makeRecord(s)], { mode: 'replace' });
      const older = { ...s, kwh: 99, lastUpdated: T0 };
      assert.deepEqual(await store.putSessions([makeRecord(older)], { mode: 'if-newer' }), ['stale']);
      assert.equal((await store.getSession('NL', 'CPO', 'roll-1'))?.session.kwh, 1.5);
      const same = { ...s, kwh: 2 };
      assert.deepEqual(await store.putSessions([makeRecord(same)], { mode: 'if-newer' }), ['updated']);
      assert.deepEqual(await store.putSessions([makeRecord(older)], { mode: 'replace' }), ['updated']);
      assert.equal((await store.getSession('NL', 'CPO', 'roll-1'))?.session.kwh, 99);
    });

    it('lists only the scope owner’s sessions, in creation order, with exact totals and the asked format', async () => {
      const owner = 'BE-LST';
      const recs = [0, 1, 2, 3, 4].map((i) =>
        makeRecord(makeSession(`list-${i}`, owner, T0 + (5 - i) * DAY)),
      );
      await store.putSessions(recs, { mode: 'replace' });
      await store.putSessions([makeRecord(makeSession('other-1', 'BE-OTH', T0))], { mode: 'replace' });
      const page = await store.listSessions({ owner }, { offset: 1, limit: 2 }, 'camel-2.1.1');
      assert.equal(page.total, 5);
      assert.ok(
        page.bodies.every((b) => typeof b === 'string' || Buffer.isBuffer(b)),
        'bodies come as stored text or bytes, served as they are',
      );
      assert.equal(page.bodies.length, 2);
      assert.deepEqual(pageObjects(page), [
        { id: 'list-1', f: 'camel-2.1.1', lu: T0 + 4 * DAY },
        { id: 'list-2', f: 'camel-2.1.1', lu: T0 + 3 * DAY },
      ]);
      // Updating a session (newer last_updated) keeps its place: order is by creation.
      await store.putSessions([makeRecord(makeSession('list-0', owner, T0 + 9 * DAY))], { mode: 'replace' });
      const all = await store.listSessions({ owner }, { offset: 0, limit: 10 }, 'ocpi-2.2.1');
      assert.deepEqual(ids(all), ['list-0', 'list-1', 'list-2', 'list-3', 'list-4']);
      // date_from inclusive, date_to exclusive.
      const win = await store.listSessions(
        { owner },
        { dateFrom: T0 + 2 * DAY, dateTo: T0 + 4 * DAY, offset: 0, limit: 10 },
        'ocpi-2.2.1',
      );
      assert.deepEqual(ids(win), ['list-2', 'list-3']);
      assert.equal(win.total, 2);
      const none = await store.listSessions({ owner: 'XX-NON' }, { offset: 0, limit: 10 }, 'ocpi-2.2.1');
      assert.deepEqual(none, { bodies: [], total: 0 });
    });

    it('moves a session to its new owner when its token changes hands', async () => {
      await store.putSessions([makeRecord(makeSession('move-1', 'FR-AAA', T0))], { mode: 'replace' });
      await store.putSessions([makeRecord(makeSession('move-1', 'FR-BBB', T0 + 1))], { mode: 'replace' });
      assert.equal(
        (await store.listSessions({ owner: 'FR-AAA' }, { offset: 0, limit: 10 }, 'ocpi-2.2.1')).total,
        0,
      );
      const b = await store.listSessions({ owner: 'FR-BBB' }, { offset: 0, limit: 10 }, 'ocpi-2.2.1');
      assert.deepEqual(ids(b), ['move-1']);
    });

    it('writes with ifRev only while the stored revision is that one, else RevisionConflict and nothing written', async () => {
      const s = makeSession('rev-1', 'FR-REV', T0);
      await assert.rejects(
        store.putSessions([{ ...makeRecord(s), ifRev: 1 }], { mode: 'replace' }),
        RevisionConflict,
      );
      assert.equal(await store.getSession('NL', 'CPO', 'rev-1'), undefined, 'no stored session: a conflict');
      await store.putSessions([makeRecord(s)], { mode: 'replace' });
      const changed = { ...s, kwh: 7, lastUpdated: T0 + 1 };
      assert.deepEqual(await store.putSessions([{ ...makeRecord(changed), ifRev: 1 }], { mode: 'replace' }), [
        'updated',
      ]);
      assert.equal((await store.getSession('NL', 'CPO', 'rev-1'))?.rev, 2);
      await assert.rejects(
        store.putSessions([{ ...makeRecord({ ...s, kwh: 9, lastUpdated: T0 + 2 }), ifRev: 1 }], {
          mode: 'replace',
        }),
        RevisionConflict,
      );
      const got = await store.getSession('NL', 'CPO', 'rev-1');
      assert.equal(got?.rev, 2);
      assert.equal(got?.session.kwh, 7);
    });

    it('pages deep offsets across blocks exactly (2 500 sessions), before and after one moves away', async () => {
      const owner = 'DE-DEP';
      const recs = Array.from({ length: 2500 }, (_, i) =>
        makeRecord(makeSession(`deep-${i}`, owner, T0 + (i % 97) * 3_600_000)),
      );
      await store.putSessions(recs, { mode: 'replace' });
      let listed = recs.map((r) => r.session);
      // Complete blocks are entered at the position itself, the others stepped through (src/store/paging.ts):
      // offsets at, around and across the block edges (ords 1..1023 | 1024..2047 | 2048..), each format's path.
      const check = async (dateFrom?: number) => {
        const expected = listed
          .filter((s) => dateFrom === undefined || s.lastUpdated >= dateFrom)
          .map((s) => s.id);
        for (const offset of [0, 1, 5, 1021, 1022, 1023, 1500, 2045, 2046, 2047, 2400, expected.length - 2]) {
          const page = await store.listSessions({ owner }, { dateFrom, offset, limit: 3 }, 'ocpi-2.1.1');
          assert.equal(page.total, expected.length);
          assert.deepEqual(
            ids(page),
            expected.slice(offset, offset + 3),
            `offset ${offset}, from ${dateFrom}`,
          );
        }
      };
      await check();
      await check(T0); // a window holding everything: complete blocks again, through the windowed path
      await check(T0 + 50 * 3_600_000); // a narrow one: no block complete
      // A session leaves for another owner: its block gets a gap and is stepped through from then on.
      await store.putSessions([makeRecord(makeSession('deep-1400', 'DE-OTH', T0 + 10))], { mode: 'replace' });
      listed = listed.filter((s) => s.id !== 'deep-1400');
      await check();
      await check(T0);
      const other = await store.listSessions({ owner: 'DE-OTH' }, { offset: 0, limit: 5 }, 'ocpi-2.2.1');
      assert.deepEqual(ids(other), ['deep-1400']);
    });

    it('agrees with a model for random writes, windows and pages (property)', async () => {
      let round = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              id: fc.integer({ min: 0, max: 40 }),
              owner: fc.constantFrom('A', 'B'),
              lu: fc.integer({ min: 0, max: 6 * DAY }),
            }),
            { minLength: 1, maxLength: 60 },
          ),
          fc.option(fc.integer({ min: 0, max: 6 * DAY }), { nil: undefined }),
          fc.option(fc.integer({ min: 0, max: 6 * DAY }), { nil: undefined }),
          fc.integer({ min: 0, max: 50 }),
          fc.integer({ min: 1, max: 20 }),
          async (writes, dateFrom, dateTo, offset, limit) => {
            round += 1;
            const prefix = `p${round}-`;
            const model = new Map<string, { owner: string; lu: number; order: number }>();
            let order = 0;
            const from = dateFrom === undefined ? undefined : T0 + dateFrom;
            const to = dateTo === undefined ? undefined : T0 + dateTo;
            const check = async () => {
              for (const owner of new Set([...model.values()].map((m) => m.owner))) {
                const expected = [...model.entries()]
                  .filter(
                    ([, m]) =>
                      m.owner === owner &&
                      (from === undefined || m.lu >= from) &&
                      (to === undefined || m.lu < to),
                  )
                  .sort((a, b) => a[1].order - b[1].order)
                  .map(([id]) => id);
                const page = await store.listSessions(
                  { owner },
                  { dateFrom: from, dateTo: to, offset, limit },
                  'ocpi-2.2.1',
                );
                assert.equal(page.total, expected.length);
                assert.equal(page.bodies.length, Math.min(limit, Math.max(0, expected.length - offset)));
                assert.deepEqual(ids(page), expected.slice(offset, offset + limit));
              }
            };
            // Listed once halfway: the second check pages from tables counted before the later writes, which
            // the stores must notice (src/store/paging.ts).
            const half = Math.floor(writes.length / 2);
            for (const [i, w] of writes.entries()) {
              if (i === half) await check();
              const owner = `NO-${prefix.length > 0 ? w.owner : ''}${String(round).padStart(2, '0').slice(-2)}`;
              const id = `${prefix}${w.id}`;
              await store.putSessions([makeRecord(makeSession(id, owner, T0 + w.lu))], { mode: 'replace' });
              const prev = model.get(id);
              const keep = prev && prev.owner === owner.toUpperCase();
              model.set(id, {
                owner: owner.toUpperCase(),
                lu: T0 + w.lu,
                order: keep ? prev.order : order++,
              });
            }
            await check();
          },
        ),
        { numRuns: 60 },
      );
    });

    it('scans every stored session in storage order, in batches', async () => {
      const seen: string[] = [];
      let after = 0;
      for (;;) {
        const batch = await store.scanSessions(after, 7);
        if (batch.length === 0) break;
        for (const row of batch) {
          assert.ok(row.seq > after);
          assert.equal(typeof row.owner, 'string');
          seen.push(`${row.session.countryCode}-${row.session.partyId}-${row.session.id}`);
        }
        after = batch.at(-1)!.seq;
      }
      assert.equal(new Set(seen).size, seen.length);
      assert.ok(seen.includes('NL-CPO-Ab-1') && seen.includes('NL-CPO-deep-2499'));
    });

    it('adds, finds by token hash, lists and removes partners', async () => {
      const p = await store.addPartner({
        countryCode: 'nl',
        partyId: 'ptn',
        roles: ['EMSP'],
        format: 'camel',
        tokenHash: 'ab'.repeat(32),
      });
      assert.equal(p.key, 'NL-PTN');
      assert.equal(p.format, 'camel');
      assert.deepEqual(p.roles, ['EMSP']);
      const found = await store.findPartnerByTokenHash('ab'.repeat(32));
      assert.equal(found?.key, 'NL-PTN');
      assert.equal(found?.tokenHash, 'ab'.repeat(32));
      assert.equal(await store.findPartnerByTokenHash('cd'.repeat(32)), undefined);
      await assert.rejects(
        store.addPartner({
          countryCode: 'NL',
          partyId: 'PTN',
          roles: ['EMSP'],
          format: 'ocpi',
          tokenHash: 'ef'.repeat(32),
        }),
      );
      assert.ok((await store.listPartners()).some((x) => x.key === 'NL-PTN'));
      assert.equal(await store.removePartner('NL-PTN'), true);
      assert.equal(await store.removePartner('NL-PTN'), false);
      assert.equal(await store.findPartnerByTokenHash('ab'.repeat(32)), undefined);
    });

    it('bumps the partners version with every partner change and reports it with lookups and pages', async () => {
      const hash = '5a'.repeat(32);
      const p = await store.addPartner({
        countryCode: 'SE',
        partyId: 'PVV',
        roles: ['EMSP'],
        format: 'ocpi',
        tokenHash: hash,
      });
      const v1 = (await store.findPartnerByTokenHash(hash))!.partnersVersion;
      await store.putSessions([makeRecord(makeSession('pv-1', 'SE-PVV', T0))], { mode: 'replace' });
      const page = await store.listSessions({ owner: 'SE-PVV' }, { offset: 0, limit: 5 }, 'ocpi-2.2.1');
      assert.equal(page.partnersVersion, v1, 'a page reports the version of its snapshot');
      await store.updatePartner(p.id, { format: 'camel' });
      const v2 = (await store.findPartnerByTokenHash(hash))!.partnersVersion;
      assert.ok(v2 > v1, 'an update bumps it');
      const camel = await store.listSessions({ owner: 'SE-PVV' }, { offset: 0, limit: 5 }, 'ocpi-2.2.1');
      assert.equal(camel.partnersVersion, v2);
      await store.addInvite('5b'.repeat(32));
      const v3 = (await store.findPartnerByTokenHash(hash))!.partnersVersion;
      assert.ok(v3 > v2, 'another partner added bumps it');
      assert.equal(await store.removePartner('SE-PVV'), true);
      const after = await store.listSessions({ owner: 'SE-PVV' }, { offset: 0, limit: 5 }, 'ocpi-2.2.1');
      assert.ok(after.partnersVersion! > v3, 'a removal bumps it');
    });

    it('invites, registers and updates partners; refuses colliding party keys', async () => {
      const invite = await store.addInvite('11'.repeat(32));
      assert.equal(invite.state, 'invited');
      assert.equal(invite.key, '');
      assert.deepEqual(invite.endpoints, []);
      const second = await store.addInvite('22'.repeat(32));
      const reg = await store.updatePartner(invite.id, {
        countryCode: 'be',
        partyId: 'reg',
        roles: ['CPO'],
        state: 'registered',
        version: '2.2.1',
        versionsUrl: 'http://127.0.0.1:1/versions',
        endpoints: [{ identifier: 'sessions', role: 'RECEIVER', url: 'http://127.0.0.1:1/s' }],
        tokenEncoding: 'base64',
        tokenHash: '33'.repeat(32),
        theirToken: 'their-c',
        businessName: 'Reg BV',
      });
      assert.equal(reg.key, 'BE-REG');
      assert.equal(reg.version, '2.2.1');
      assert.deepEqual(reg.endpoints, [
        { identifier: 'sessions', role: 'RECEIVER', url: 'http://127.0.0.1:1/s' },
      ]);
      assert.equal(reg.businessName, 'Reg BV');
      assert.equal(await store.getTheirToken(invite.id), 'their-c');
      assert.equal(
        await store.findPartnerByTokenHash('11'.repeat(32)),
        undefined,
        'token A is gone once replaced',
      );
      assert.equal((await store.findPartnerByTokenHash('33'.repeat(32)))?.key, 'BE-REG');
      assert.equal((await store.getPartner('BE-REG'))?.state, 'registered');
      await assert.rejects(store.updatePartner(second.id, { countryCode: 'BE', partyId: 'REG' }));
      assert.equal(await store.removePartnerById(second.id), true);
      assert.equal(await store.removePartnerById(invite.id), true);
      assert.equal(await store.getPartner('BE-REG'), undefined);
    });

    it("keeps a registration's Hub party and listed parties, and clears the Hub party on null", async () => {
      const invite = await store.addInvite('44'.repeat(32));
      assert.equal(invite.hubPartyId, undefined);
      assert.deepEqual(invite.parties, []);
      const parties = [
        { role: 'EMSP' as const, key: 'DE-EMS' },
        { role: 'EMSP' as const, key: 'FR-EMX' },
      ];
      const hub = await store.updatePartner(invite.id, {
        countryCode: 'NL',
        partyId: 'HUB',
        roles: ['EMSP'],
        state: 'registered',
        hubPartyId: 'NL-HUB',
        parties,
      });
      assert.equal(hub.hubPartyId, 'NL-HUB');
      assert.deepEqual(hub.parties, parties);
      const read = (await store.listPartners()).find((p) => p.id === invite.id)!;
      assert.equal(read.hubPartyId, 'NL-HUB');
      assert.deepEqual(read.parties, parties);
      assert.deepEqual((await store.findPartnerByTokenHash('44'.repeat(32)))?.parties, parties);
      const cleared = await store.updatePartner(invite.id, { hubPartyId: null, parties: [] });
      assert.equal(cleared.hubPartyId, undefined);
      assert.deepEqual(cleared.parties, []);
      assert.equal(await store.removePartnerById(invite.id), true);
    });

    it('enqueues pushes with writes, leases them, and completes only the delivered revision', async () => {
      const owner = 'SE-PSH';
      const s = makeSession('push-1', owner, T0);
      await store.putSessions([makeRecord(s)], { mode: 'replace', pushTo: [owner] });
      await store.putSessions([makeRecord(makeSession('push-2', 'SE-NOP', T0))], {
        mode: 'replace',
        pushTo: [owner],
      });
      assert.equal(await store.outboxDepth(), 1);
      const now = Date.now();
      const [d] = await store.claimDeliveries(now, 10, 60_000);
      assert.ok(d);
      assert.equal(d.partnerKey, owner);
      assert.equal(d.module, 'sessions', 'session writes enqueue under the sessions module');
      assert.equal(
        d.objectSeq,
        (await store.getSession('NL', 'CPO', 'push-1'))?.seq,
        'keyed by the session seq',
      );
      assert.equal(d.rev, 1);
      assert.deepEqual(
        await store.claimDeliveries(now, 10, 60_000),
        [],
        'leased deliveries are not handed out twice',
      );
      // A change arrives while the first revision is in flight: completing rev 1 keeps the entry for rev 2.
      await store.putSessions([makeRecord({ ...s, kwh: 3, lastUpdated: T0 + 1 })], {
        mode: 'if-newer',
        pushTo: [owner],
      });
      await store.completeDelivery(d, 'doc-rev-1');
      assert.equal(await store.getDelivered(d), 'doc-rev-1');
      assert.equal(await store.outboxDepth(), 1);
      const [d2] = await store.claimDeliveries(Date.now(), 10, 60_000); // due at once, not after the old lease
      assert.equal(d2?.rev, 2);
      await store.failDelivery(d2!, now + 500_000, 'partner down');
      assert.deepEqual(await store.claimDeliveries(now + 200_000, 10, 60_000), []);
      const [d3] = await store.claimDeliveries(now + 600_000, 10, 60_000);
      assert.equal(d3?.attempts, 1);
      await store.completeDelivery(d3!, 'doc-rev-2');
      assert.equal(await store.outboxDepth(), 0);
      const got = await store.getSession('NL', 'CPO', 'push-1');
      assert.equal(got?.rev, 2);
      assert.deepEqual(await store.getSessionBySeq(got!.seq), got);
      // A stale write enqueues nothing.
      await store.putSessions([makeRecord({ ...s, lastUpdated: T0 - 1 })], {
        mode: 'if-newer',
        pushTo: [owner],
      });
      assert.equal(await store.outboxDepth(), 0);
    });

    it('keeps each session’s history in the write’s transaction: newest first, source, summary, bounded', async () => {
      const s = makeSession('hist-1', 'NL-HIS', T0);
      const before = Date.now();
      await store.putSessions([{ ...makeRecord(s), source: 'ingest-put' }], { mode: 'replace' });
      const ended = {
        ...s,
        status: 'COMPLETED' as const,
        kwh: 4,
        endDateTime: T0 + 1,
        lastUpdated: T0 + 1,
        chargingPeriods: [
          { startDateTime: T0, dimensions: [{ type: 'ENERGY' as const, volume: 4 }] },
          { startDateTime: T0 + 1, dimensions: [{ type: 'ENERGY' as const, volume: 0 }] },
        ],
        totalCost: { exclVat: 2.5, inclVat: 3 },
      };
      // Two writes of the session in one call (PostgreSQL replays them in memory): two entries, each against the
      // revision before it; a stale write adds none.
      assert.deepEqual(
        await store.putSessions(
          [
            { ...makeRecord({ ...s, kwh: 2, lastUpdated: T0 + 1 }), source: 'ingest-patch' },
            { ...makeRecord(ended), source: 'pull' },
            makeRecord({ ...s, lastUpdated: T0 }),
          ],
          { mode: 'if-newer' },
        ),
        ['updated', 'updated', 'stale'],
      );
      const seq = (await store.getSession('NL', 'CPO', 'hist-1'))!.seq;
      const history = await store.sessionHistory(seq, 10);
      assert.deepEqual(
        history.map(({ writtenAt: _w, ...h }) => h),
        [
          {
            rev: 3,
            lastUpdated: T0 + 1,
            source: 'pull',
            summary:
              'status ACTIVE→COMPLETED; kwh 2→4; +2 charging periods; total_cost 2.5; end_date_time set',
          },
          { rev: 2, lastUpdated: T0 + 1, source: 'ingest-patch', summary: 'kwh 1.5→2' },
          { rev: 1, lastUpdated: T0, source: 'ingest-put', summary: 'created' },
        ],
      );
      assert.ok(
        history.every((h) => h.writtenAt >= before && h.writtenAt <= Date.now()),
        'the write time',
      );
      assert.deepEqual(
        (await store.sessionHistory(seq, 2)).map((h) => h.rev),
        [3, 2],
        'at most the limit asked, newest first',
      );
      // A write without a source, one that changes no compared field, an owner change.
      await store.putSessions([makeRecord({ ...ended, lastUpdated: T0 + 2 })], { mode: 'replace' });
      await store.putSessions([makeRecord({ ...ended, lastUpdated: T0 + 3 }, 'NL-OTH')], { mode: 'replace' });
      assert.deepEqual(
        (await store.sessionHistory(seq, 2)).map((h) => [h.rev, h.source, h.summary]),
        [
          [5, null, 'owner NL-HIS→NL-OTH'],
          [4, null, 'last_updated or other fields'],
        ],
      );
      // Bounded: the last HISTORY_LIMIT revisions stay, older ones are deleted by the writes passing it.
      for (let i = 6; i <= HISTORY_LIMIT + 7; i++)
        await store.putSessions([makeRecord({ ...ended, kwh: i, lastUpdated: T0 + i }, 'NL-OTH')], {
          mode: 'replace',
        });
      const kept = await store.sessionHistory(seq, 1000);
      assert.equal(kept.length, HISTORY_LIMIT);
      assert.equal(kept[0]!.rev, HISTORY_LIMIT + 7);
      assert.equal(kept.at(-1)!.rev, 8);
      assert.equal(kept[0]!.summary, `kwh ${HISTORY_LIMIT + 6}→${HISTORY_LIMIT + 7}`);
      // More than HISTORY_LIMIT writes of one session in one call: still the last HISTORY_LIMIT.
      const many = makeSession('hist-3', 'NL-HIS', T0);
      await store.putSessions(
        Array.from({ length: HISTORY_LIMIT + 10 }, (_, i) =>
          makeRecord({ ...many, kwh: i, lastUpdated: T0 + i }),
        ),
        { mode: 'replace' },
      );
      const third = (await store.getSession('NL', 'CPO', 'hist-3'))!.seq;
      const revs = (await store.sessionHistory(third, 1000)).map((h) => h.rev);
      assert.deepEqual(
        revs,
        Array.from({ length: HISTORY_LIMIT }, (_, i) => HISTORY_LIMIT + 10 - i),
      );
      // Another session's history is its own.
      await store.putSessions([makeRecord(makeSession('hist-2', 'NL-HIS', T0))], { mode: 'replace' });
      const other = (await store.getSession('NL', 'CPO', 'hist-2'))!.seq;
      assert.deepEqual(
        (await store.sessionHistory(other, 10)).map((h) => [h.rev, h.summary]),
        [[1, 'created']],
      );
      assert.deepEqual(await store.sessionHistory(-1, 10), []);
    });

    it('keeps the revision a partner acknowledged with what was delivered', async () => {
      const owner = 'SE-ACK';
      const s = makeSession('ack-1', owner, T0);
      await store.putSessions([makeRecord(s)], { mode: 'replace', pushTo: [owner] });
      await store.putSessions([makeRecord({ ...s, kwh: 2, lastUpdated: T0 + 1 })], {
        mode: 'replace',
        pushTo: [owner],
      });
      const [d] = await store.claimLanes([{ partnerKey: owner, limit: 10 }], Date.now(), 60_000);
      assert.equal(d?.rev, 2);
      assert.equal(await store.deliveredState(d), undefined, 'nothing delivered yet');
      assert.ok(await store.completeDeliveries([{ delivery: d, doc: 'doc-2' }]));
      assert.deepEqual(await store.deliveredState(d), { doc: 'doc-2', rev: 2 });
      await store.putSessions([makeRecord({ ...s, kwh: 3, lastUpdated: T0 + 2 })], {
        mode: 'replace',
        pushTo: [owner],
      });
      assert.deepEqual(await store.deliveredState(d), { doc: 'doc-2', rev: 2 }, 'the partner is behind');
    });

    it('summarises the outbox per partner from a bounded scan (pending, oldest enqueued, failing)', async () => {
      const mine = (s: Awaited<ReturnType<SessionStore['outboxSummary']>>) =>
        s.partners.filter((p) => p.partnerKey.startsWith('SU-'));
      const t0 = Date.now();
      await store.putSessions([makeRecord(makeSession('sum-1', 'SU-ONE', T0))], {
        mode: 'replace',
        pushTo: ['SU-ONE'],
      });
      await store.putSessions(
        [makeRecord(makeSession('sum-2', 'SU-ONE', T0)), makeRecord(makeSession('sum-3', 'SU-TWO', T0))],
        { mode: 'replace', pushTo: ['SU-ONE', 'SU-TWO'] },
      );
      const all = await store.outboxSummary(100_000);
      assert.equal(all.truncated, false);
      const [one, two] = mine(all);
      assert.deepEqual(
        [one?.partnerKey, one?.pending, one?.failing, one?.failedAttempts],
        ['SU-ONE', 2, 0, 0],
      );
      assert.deepEqual([two?.partnerKey, two?.pending], ['SU-TWO', 1]);
      assert.ok(one!.oldestEnqueuedAt >= t0 - 1000 && one!.oldestEnqueuedAt <= Date.now(), 'epoch ms');
      // A scan cut at its limit says so; its figures are then lower bounds.
      const cut = await store.outboxSummary(1);
      assert.equal(cut.truncated, true);
      assert.ok(cut.partners.reduce((n, p) => n + p.pending, 0) <= 2);
      // Delivered entries leave the summary.
      for (const d of await store.claimDeliveries(Date.now(), 100, 60_000)) {
        if (d.partnerKey.startsWith('SU-')) await store.completeDelivery(d, 'doc');
        else await store.failDelivery(d, Date.now(), 'released by the summary test');
      }
      assert.deepEqual(mine(await store.outboxSummary(100_000)), []);
    });

    it('fences outbox claims: a leased row is not claimed twice; after the lease the first holder changes nothing', async () => {
      const owner = 'SE-FEN';
      const s = makeSession('fence-1', owner, T0);
      await store.putSessions([makeRecord(s)], { mode: 'replace', pushTo: [owner] });
      const mine = (ds: Awaited<ReturnType<SessionStore['claimDeliveries']>>) =>
        ds.filter((d) => d.partnerKey === owner);
      const now = Date.now();
      const [a] = mine(await store.claimDeliveries(now, 10, 1000));
      assert.ok(a?.claim, 'a claim carries a fencing token');
      assert.deepEqual(mine(await store.claimDeliveries(now + 999, 10, 1000)), [], 'a second claimer waits');
      assert.equal(await store.renewDelivery(a, now + 500, 1000), true, 'the holder renews');
      assert.deepEqual(
        mine(await store.claimDeliveries(now + 1400, 10, 1000)),
        [],
        'renewed until now + 1500',
      );

      // The lease runs out: the second claimer gets the row with a new token.
      const [b] = mine(await store.claimDeliveries(now + 1500, 10, 60_000));
      assert.ok(b);
      assert.notEqual(b.claim, a.claim);
      assert.equal(b.rev, a.rev);
      // The first holder is refused everywhere, and nothing changed.
      assert.equal(await store.renewDelivery(a, now + 1600, 1000), false);
      assert.equal(await store.completeDelivery(a, 'doc-by-a'), false);
      assert.equal(await store.failDelivery(a, now, 'late failure'), false);
      assert.equal(await store.getDelivered(a), undefined, 'no delivered state written');
      assert.deepEqual(
        mine(await store.claimDeliveries(now + 1700, 10, 1000)),
        [],
        'the refused fail neither released the lease nor made the row due',
      );
      // The holder's own calls work: a failure releases the claim, the next claim gets yet another token.
      assert.equal(await store.renewDelivery(b, now + 1700, 60_000), true);
      assert.equal(await store.failDelivery(b, now + 2000, 'partner down'), true);
      assert.equal(await store.renewDelivery(b, now + 2100, 60_000), false, 'a failed claim is released');
      const [c] = mine(await store.claimDeliveries(now + 2000, 10, 60_000));
      assert.equal(c?.attempts, 1);
      assert.ok(c.claim !== a.claim && c.claim !== b.claim);
      assert.equal(await store.completeDelivery(b, 'doc-by-b'), false);
      assert.equal(await store.completeDelivery(c, 'doc-by-c'), true);
      assert.equal(await store.getDelivered(c), 'doc-by-c');
      assert.deepEqual(mine(await store.claimDeliveries(now + 100_000, 10, 1000)), []);
      assert.equal(await store.failDelivery(c, now, 'after completion'), false, 'a completed row is gone');
    });

    it('claims per partner lane: each lane up to its limit, in due order, fenced; lists the partners with entries', async () => {
      const [a, b] = ['LA-AAA', 'LA-BBB'] as const;
      const put = (id: string, owner: string) =>
        store.putSessions([makeRecord(makeSession(id, owner, T0))], { mode: 'replace', pushTo: [owner] });
      for (let i = 0; i < 5; i++) await put(`lane-a-${i}`, a);
      for (let i = 0; i < 2; i++) await put(`lane-b-${i}`, b);
      const partners = await store.outboxPartners();
      assert.ok(partners.includes(a) && partners.includes(b), `lanes listed: ${partners.join(' ')}`);
      assert.deepEqual(
        partners,
        [...new Set(partners)].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)),
        'once each, in key order',
      );
      const now = Date.now() + 1000;
      const seqA = async (i: number) => (await store.getSession('NL', 'CPO', `lane-a-${i}`))!.seq;
      // A failed entry of lane A is due later than the others: the lane hands out the others first.
      const [first] = await store.claimLanes([{ partnerKey: a, limit: 1 }], now, 60_000);
      assert.equal(first?.objectSeq, await seqA(0));
      assert.equal(await store.failDelivery(first, now + 500, 'later'), true);
      const got = await store.claimLanes(
        [
          { partnerKey: a, limit: 3 },
          { partnerKey: b, limit: 10 },
          { partnerKey: 'LA-NON', limit: 5 },
        ],
        now,
        60_000,
      );
      const laneA = got.filter((d) => d.partnerKey === a);
      assert.deepEqual(
        laneA.map((d) => d.objectSeq),
        [await seqA(1), await seqA(2), await seqA(3)],
        'lane A: its limit, oldest due first',
      );
      assert.equal(got.filter((d) => d.partnerKey === b).length, 2, 'lane B: all it has');
      assert.equal(got.length, 5, 'nothing of other partners');
      assert.ok(
        got.every((d) => d.claim && d.claim === got[0]!.claim),
        'one fencing token per claim',
      );
      assert.deepEqual(
        (await store.claimLanes([{ partnerKey: a, limit: 10 }], now, 60_000)).map((d) => d.objectSeq),
        [await seqA(4)],
        'leased entries are not handed out twice; the failed one is not due yet',
      );
      const [retry] = await store.claimLanes([{ partnerKey: a, limit: 10 }], now + 500, 60_000);
      assert.deepEqual([retry?.objectSeq, retry?.attempts], [await seqA(0), 1]);
      const summary = (await store.outboxSummary(100_000, now)).partners.find((p) => p.partnerKey === a);
      assert.deepEqual([summary?.pending, summary?.inFlight], [5, 5], 'in flight: leased at the time given');
      const expired = (await store.outboxSummary(100_000, now + 60_501)).partners.find(
        (p) => p.partnerKey === a,
      );
      assert.equal(expired?.inFlight, 0, 'a lease that ran out is not in flight');
      for (const d of [...got, retry!]) assert.equal(await store.completeDelivery(d, 'doc'), true);
      const later = (await store.outboxSummary(100_000, now)).partners.find((p) => p.partnerKey === a);
      assert.deepEqual([later?.pending, later?.inFlight], [1, 1], 'lane A: the entry claimed on its own');
      assert.ok(!(await store.outboxPartners()).includes(b), 'a drained lane is no longer listed');
    });

    it('reads sessions for the push by seq: the stored document and the stored body of the format, in order', async () => {
      const recs = [0, 1].map((i) => makeRecord(makeSession(`for-push-${i}`, 'FP-EMS', T0 + i)));
      await store.putSessions(recs, { mode: 'replace' });
      const [s0, s1] = await Promise.all(
        [0, 1].map(async (i) => (await store.getSession('NL', 'CPO', `for-push-${i}`))!),
      );
      const gone = s0!.seq + s1!.seq + 1_000_000;
      for (const format of WIRE_FORMATS) {
        const got = await store.sessionsForPush([s1!.seq, gone, s0!.seq], format);
        assert.equal(got.length, 3, format);
        assert.equal(got[1], undefined, `${format}: a seq that is gone`);
        for (const [i, s] of [
          [0, s1!],
          [2, s0!],
        ] as const) {
          assert.deepEqual(
            got[i],
            {
              seq: s.seq,
              rev: s.rev,
              doc: JSON.stringify(s.session),
              body: (await store.sessionBodies(s.seq))[format],
            },
            `${format}: as stored, in the order asked`,
          );
          assert.equal(got[i]!.body, recs[i === 0 ? 1 : 0]!.renders[format], `${format}: the rendered body`);
        }
      }
      assert.deepEqual(await store.sessionsForPush([], 'ocpi-2.2.1'), []);
    });

    it('completes several deliveries in one call: each only while its claim holds', async () => {
      const owner = 'GC-GRP';
      const recs = [0, 1, 2].map((i) => makeRecord(makeSession(`group-${i}`, owner, T0)));
      await store.putSessions(recs, { mode: 'replace', pushTo: [owner] });
      const now = Date.now();
      const [a, b] = await store.claimLanes([{ partnerKey: owner, limit: 2 }], now, 60_000);
      const [c] = await store.claimLanes([{ partnerKey: owner, limit: 2 }], now, 1000);
      assert.ok(a && b && c);
      // c's lease runs out and another worker claims it: c's holder no longer completes it.
      const [c2] = await store.claimLanes([{ partnerKey: owner, limit: 3 }], now + 1000, 60_000);
      assert.equal(c2?.objectSeq, c.objectSeq);
      // b changed again while it was sent: completing it keeps the entry for the new revision.
      const bSession = (await store.getSessionBySeq(b.objectSeq))!.session;
      await store.putSessions([makeRecord({ ...bSession, kwh: 9 })], {
        mode: 'replace',
        pushTo: [owner],
      });
      assert.deepEqual(
        await store.completeDeliveries([
          { delivery: a, doc: 'doc-a' },
          { delivery: b, doc: 'doc-b' },
          { delivery: c, doc: 'doc-c' },
        ]),
        [true, true, false],
      );
      assert.deepEqual(
        [await store.getDelivered(a), await store.getDelivered(b), await store.getDelivered(c)],
        ['doc-a', 'doc-b', undefined],
      );
      const left = await store.claimLanes([{ partnerKey: owner, limit: 10 }], Date.now(), 60_000);
      assert.deepEqual(
        left.map((d) => [d.objectSeq, d.rev]),
        [[b.objectSeq, 2]],
        'b due again at once for its new revision; c still leased by the other worker',
      );
      assert.deepEqual(
        [a.delivered, b.delivered, left[0]!.delivered],
        [undefined, undefined, 'doc-b'],
        'a claim comes with what the partner acknowledged of the object (nothing yet: undefined)',
      );
      assert.deepEqual(await store.completeDeliveries([]), []);
      assert.deepEqual(
        await store.completeDeliveries([
          { delivery: c2, doc: 'doc-c2' },
          { delivery: left[0]!, doc: 'b2' },
        ]),
        [true, true],
      );
    });

    it("the probe makes the lane's earliest waiting entry due, whatever its own backoff; not a leased one", async () => {
      const lane = 'LP-PRB';
      const put = (id: string) =>
        store.putSessions([makeRecord(makeSession(id, lane, T0))], { mode: 'replace', pushTo: [lane] });
      await put('probe-a');
      await put('probe-b');
      await put('probe-c');
      const now = Date.now() + 1000;
      const claimed = await store.claimLanes([{ partnerKey: lane, limit: 3 }], now, 60_000);
      assert.equal(claimed.length, 3);
      const [a, b, c] = claimed as [ClaimedDelivery, ClaimedDelivery, ClaimedDelivery];
      await store.failDelivery(a, now + 90_000, 'HTTP 503');
      await store.failDelivery(b, now + 70_000, 'HTTP 503'); // b waits least: the probe's delivery
      // c stays leased (in flight elsewhere): never handed out by the probe.
      for (let i = 0; i < 3; i++) await store.laneFailed(lane, now, 'HTTP 503');
      await store.pauseLane(lane, now + 5000);
      assert.deepEqual(await store.claimLanes([{ partnerKey: lane, limit: 1 }], now + 5000, 60_000), []);
      assert.equal(await store.takeLaneProbe(lane, now + 5000, now + 65_000), true);
      const probe = await store.claimLanes([{ partnerKey: lane, limit: 3 }], now + 5000, 60_000);
      assert.deepEqual(
        probe.map((d) => d.objectSeq),
        [b.objectSeq],
        'the earliest waiting entry, alone',
      );
      assert.equal(await store.takeLaneProbe(lane, now + 5001, now + 65_001), false, 'one probe');
      for (const d of [...probe, c]) assert.equal(await store.completeDelivery(d, 'doc'), true);
      const [left] = await store.claimLanes([{ partnerKey: lane, limit: 3 }], now + 90_000, 60_000);
      assert.equal(await store.completeDelivery(left!, 'doc'), true);
      assert.equal(left?.objectSeq, a.objectSeq);
      await store.laneSucceeded(lane, now);
    });

    it('keeps push lane state: consecutive failures, a pause, one probe after it, reset by a success', async () => {
      const lane = 'LS-DWN';
      const mine = async () => (await store.laneStates()).find((l) => l.partnerKey === lane);
      assert.equal(await mine(), undefined);
      const t = 1_000_000;
      assert.deepEqual(await store.laneFailed(lane, t, 'connect ECONNREFUSED'), {
        partnerKey: lane,
        failures: 1,
        pausedUntil: 0,
        lastError: 'connect ECONNREFUSED',
        lastErrorAt: t,
        lastSuccessAt: undefined,
        operatorPaused: false, // the console's pause: only an operator sets it (setOperatorPause)
      });
      assert.equal(await store.takeLaneProbe(lane, t, t + 100), false, 'not paused: no probe');
      assert.equal((await store.laneFailed(lane, t + 1, 'HTTP 503')).failures, 2);
      await store.pauseLane(lane, t + 5000);
      assert.deepEqual(
        [(await mine())?.failures, (await mine())?.pausedUntil, (await mine())?.lastError],
        [2, t + 5000, 'HTTP 503'],
      );
      assert.equal(await store.takeLaneProbe(lane, t + 4999, t + 9999), false, 'still paused');
      assert.equal(
        await store.takeLaneProbe(lane, t + 5000, t + 65_000),
        true,
        'the pause is over: one probe',
      );
      assert.equal(await store.takeLaneProbe(lane, t + 5001, t + 65_001), false, 'taken: nobody else probes');
      assert.equal((await mine())?.pausedUntil, t + 65_000);
      await store.laneSucceeded(lane, t + 6000);
      assert.deepEqual(await mine(), {
        partnerKey: lane,
        failures: 0,
        pausedUntil: 0,
        lastError: 'HTTP 503',
        lastErrorAt: t + 1,
        lastSuccessAt: t + 6000,
        operatorPaused: false,
      });
      await store.laneSucceeded('LS-NEW', t);
      assert.equal((await store.laneStates()).find((l) => l.partnerKey === 'LS-NEW')?.lastSuccessAt, t);
    });

    it('counts the outbox up to a limit (bounded, for /health)', async () => {
      const owner = 'CD-CNT';
      const recs = [0, 1, 2, 3].map((i) => makeRecord(makeSession(`count-${i}`, owner, T0)));
      await store.putSessions(recs, { mode: 'replace', pushTo: [owner] });
      const all = await store.outboxDepth();
      assert.ok(all >= 4);
      assert.equal(await store.outboxDepth(3), 3);
      assert.equal(await store.outboxDepth(all + 10), all);
      for (const d of await store.claimLanes([{ partnerKey: owner, limit: 10 }], Date.now(), 60_000))
        await store.completeDelivery(d, 'doc');
      assert.equal(await store.outboxDepth(), all - 4);
    });

    it('leases named locks: one holder at a time, renewal by the holder, takeover after expiry, release', async () => {
      const t = 1_000_000;
      assert.equal(await store.acquireLock('pull:X', 'a', t, t + 100), true);
      assert.equal(await store.acquireLock('pull:X', 'b', t + 50, t + 150), false, 'held by a');
      assert.equal(await store.acquireLock('pull:Y', 'b', t + 50, t + 150), true, 'another name is free');
      assert.equal(await store.acquireLock('pull:X', 'a', t + 60, t + 200), true, 'a renews');
      assert.equal(await store.acquireLock('pull:X', 'b', t + 150, t + 250), false, 'renewed: still a');
      assert.deepEqual(await store.lockHolder('pull:X'), { holder: 'a', expiresAt: t + 200 });
      assert.equal(await store.acquireLock('pull:X', 'b', t + 200, t + 300), true, 'expired: b takes it');
      await store.releaseLock('pull:X', 'a'); // not a's any more: no effect
      assert.equal((await store.lockHolder('pull:X'))?.holder, 'b');
      await store.releaseLock('pull:X', 'b');
      assert.equal(await store.lockHolder('pull:X'), undefined);
      assert.equal(await store.acquireLock('pull:X', 'c', t + 210, t + 310), true);
    });

    it('keeps typed settings (text and JSON; unreadable or wrongly shaped JSON reads as none) and answers ping', async () => {
      const text = textSetting('k');
      assert.equal(await store.readSetting(text), undefined);
      await store.writeSetting(text, 'v1');
      await store.writeSetting(text, 'v2');
      assert.equal(await store.readSetting(text), 'v2');
      const isList = (v: unknown): v is number[] => Array.isArray(v);
      const list = jsonSetting<number[]>('j', isList);
      await store.writeSetting(list, [1, 2]);
      assert.deepEqual(await store.readSetting(list), [1, 2]);
      await store.writeSetting(text, '{not json');
      assert.equal(await store.readSetting(jsonSetting<unknown>('k')), undefined);
      await store.writeSetting(text, '{"a":1}');
      assert.equal(await store.readSetting(jsonSetting<number[]>('k', isList)), undefined);
      await store.ping();
    });

    it('lists the keys of the settings under a prefix, in key order, and only those', async () => {
      for (const k of ['pull.B.config', 'pull.A.config', 'pull.A.encoding', 'pullX', 'pul', 'other'])
        await store.writeSetting(textSetting(k), 'v');
      assert.deepEqual(await store.settingKeys('pull.'), [
        'pull.A.config',
        'pull.A.encoding',
        'pull.B.config',
      ]);
      assert.deepEqual(await store.settingKeys('nothing.'), []);
    });
  });

  describe(`store contract: ${name}, stored formats (issue 16)`, () => {
    const stamp = (format: string, session: { id: string }) =>
      JSON.stringify({ id: session.id, f: format, r: 1 });
    const render = (format: string, session: { id: string }) => stamp(format, session);

    it('a new store keeps no format; it writes bodies of the stored formats only, and renders what a record lacks', async () => {
      const store = await open();
      try {
        assert.deepEqual(await store.storedFormats(), { stored: [], ready: [] });
        const s0 = makeSession('none-0', 'NL-ONE', T0);
        await store.putSessions([makeRecord(s0)], { mode: 'replace' });
        const seq0 = (await store.getSession('NL', 'CPO', 'none-0'))!;
        assert.deepEqual(await store.sessionBodies((await store.scanSessions(0, 1))[0]!.seq), {});
        assert.equal(seq0.rev, 1);
        // Sessions exist: an added format is pending until rendered.
        assert.deepEqual(await store.addStoredFormats(['ocpi-2.2.1', 'ocpi-2.2.1']), ['ocpi-2.2.1']);
        assert.deepEqual(await store.addStoredFormats(['ocpi-2.2.1']), []);
        assert.deepEqual(await store.storedFormats(), { stored: ['ocpi-2.2.1'], ready: [] });
        const s1 = makeSession('one-1', 'NL-ONE', T0 + 1);
        await store.putSessions([makeRecord(s1)], { mode: 'replace' });
        const seq1 = (await store.scanSessions(0, 10)).find((x) => x.session.id === 'one-1')!.seq;
        assert.deepEqual(Object.keys(await store.sessionBodies(seq1)), ['ocpi-2.2.1']);
        // A record without the stored format's render: refused without `render`, rendered with it.
        const bare = { ...makeRecord(makeSession('one-2', 'NL-ONE', T0 + 2)), renders: {} };
        await assert.rejects(store.putSessions([bare], { mode: 'replace' }), /ocpi-2.2.1/);
        assert.deepEqual(await store.putSessions([bare], { mode: 'replace', render }), ['created']);
        const seq2 = (await store.scanSessions(0, 10)).find((x) => x.session.id === 'one-2')!.seq;
        assert.deepEqual(await store.sessionBodies(seq2), {
          'ocpi-2.2.1': stamp('ocpi-2.2.1', bare.session),
        });
        // Not ready: a page is rendered from the documents, and the pending render fills the rest.
        const page = await store.listSessions(
          { owner: 'NL-ONE' },
          { offset: 0, limit: 10 },
          'ocpi-2.2.1',
          (s) => render('ocpi-2.2.1', s),
        );
        assert.deepEqual(
          page.bodies,
          ['none-0', 'one-1', 'one-2'].map((id) => stamp('ocpi-2.2.1', { id })),
        );
        assert.equal(page.total, 3);
        assert.equal(
          await store.renderPendingBodies(render),
          1,
          'only the session written before the format',
        );
        assert.deepEqual(await store.storedFormats(), { stored: ['ocpi-2.2.1'], ready: ['ocpi-2.2.1'] });
        // Ready: the stored bodies are served (the records' own renders for the sessions written with them).
        const stored = await store.listSessions(
          { owner: 'NL-ONE' },
          { offset: 0, limit: 10 },
          'ocpi-2.2.1',
          () => {
            throw new Error('a ready format is not rendered');
          },
        );
        assert.deepEqual(stored.bodies.map(String), [
          stamp('ocpi-2.2.1', s0),
          makeRecord(s1).renders['ocpi-2.2.1'],
          stamp('ocpi-2.2.1', bare.session),
        ]);
      } finally {
        await store.close();
      }
    });

    it('a partner that reads our sessions adds its format; an empty store has it ready at once', async () => {
      const store = await open();
      try {
        await store.addPartner({
          countryCode: 'NL',
          partyId: 'CML',
          roles: ['EMSP'],
          format: 'camel',
          tokenHash: 'h-camel',
        });
        const cpo = await store.addPartner({
          countryCode: 'NL',
          partyId: 'CPX',
          roles: ['CPO'],
          format: 'ocpi',
          tokenHash: 'h-cpo',
        });
        // A hand-added eMSP without a version reads any version of its style; a CPO only reads nothing of ours.
        assert.deepEqual(await store.storedFormats(), {
          stored: ['camel-2.1.1', 'camel-2.2.1'],
          ready: ['camel-2.1.1', 'camel-2.2.1'],
        });
        await store.putSessions([makeRecord(makeSession('p-1', 'NL-CML', T0))], { mode: 'replace' });
        await store.updatePartner(cpo.id, { roles: ['CPO', 'EMSP'], version: '2.3.0' });
        assert.deepEqual(await store.storedFormats(), {
          stored: ['camel-2.1.1', 'camel-2.2.1', 'ocpi-2.3.0'],
          ready: ['camel-2.1.1', 'camel-2.2.1'],
        });
      } finally {
        await store.close();
      }
    });
  });
}

/**
 * A store written, turned back into an earlier release's layout by `downgrade`, and opened again: every owner's
 * pages in every format (with and without a window) must be what they were, and writes must go on.
 */
export async function layoutUpgradeCase(
  open: () => Promise<SessionStore>,
  downgrade: () => Promise<void>,
  inspect: () => Promise<void>,
): Promise<void> {
  const owners = ['NL-AAA', 'DE-BBB', 'FR-CCC'];
  const recs = Array.from({ length: 60 }, (_, i) =>
    makeRecord(makeSession(`up-${i}`, owners[i % 3]!, T0 + (i % 7) * DAY)),
  );
  const listAll = async (store: SessionStore) => {
    const out: string[][] = [];
    for (const owner of [...owners, 'NO-DDD'])
      for (const f of WIRE_FORMATS)
        for (const dateFrom of [undefined, T0 + 3 * DAY]) {
          const page = await store.listSessions({ owner }, { dateFrom, offset: 0, limit: 100 }, f);
          out.push([owner, f, String(page.total), ...page.bodies.map(String)]);
        }
    return out;
  };
  let store = await open();
  await store.addStoredFormats(WIRE_FORMATS); // the formats it reads (issue 16)
  await store.putSessions(recs, { mode: 'replace' });
  // One session moved to another owner: a gap in the old owner's positions.
  await store.putSessions([makeRecord(makeSession('up-4', 'NO-DDD', T0 + DAY))], { mode: 'replace' });
  const before = await listAll(store);
  await store.close();
  await downgrade();
  store = await open();
  try {
    await inspect();
    // As a server does when it opens the store: a format an old layout's migration lists as pending (its bodies
    // are all there) is checked and marked ready.
    await store.renderPendingBodies(() => {
      throw new Error('no body is missing');
    });
    assert.deepEqual(await listAll(store), before);
    await store.putSessions(
      [
        makeRecord(makeSession('up-new', 'NO-DDD', T0)),
        makeRecord(makeSession('up-1', 'NO-DDD', T0 + 2 * DAY)),
      ],
      { mode: 'replace' },
    );
    const page = await store.listSessions({ owner: 'NO-DDD' }, { offset: 0, limit: 10 }, 'ocpi-2.2.1');
    assert.deepEqual(ids(page), ['up-4', 'up-new', 'up-1']);
    const left = await store.listSessions({ owner: 'DE-BBB' }, { offset: 0, limit: 100 }, 'camel-2.1.1');
    assert.equal(left.total, 18);
  } finally {
    await store.close();
  }
}

/**
 * A store with pending deliveries turned back into the layout from before fenced claims (no outbox.claim) by
 * `downgrade`, and opened again: the deliveries are claimed with fencing tokens, not twice, and completed.
 */
export async function outboxUpgradeCase(
  open: () => Promise<SessionStore>,
  downgrade: () => Promise<void>,
): Promise<void> {
  const owner = 'SE-UPG';
  let store = await open();
  const records = ['upg-1', 'upg-2'].map((id) => makeRecord(makeSession(id, owner, T0)));
  await store.putSessions(records, { mode: 'replace', pushTo: [owner] });
  await store.close();
  await downgrade();
  store = await open();
  try {
    const now = Date.now();
    const ds = (await store.claimDeliveries(now, 10, 60_000)).filter((d) => d.partnerKey === owner);
    assert.equal(ds.length, 2);
    for (const d of ds) assert.ok(d.claim, 'claimed with a fencing token');
    assert.deepEqual(await store.claimDeliveries(now, 10, 60_000), []);
    for (const d of ds) assert.equal(await store.completeDelivery(d, 'doc'), true);
    assert.equal(await store.outboxDepth(), 0);
  } finally {
    await store.close();
  }
}

/**
 * A store of the release before module keys (its schema built by the migrations of that release, by
 * `createPrevious`, which then runs the given statements: what that release wrote) holding a pending delivery, a
 * delivered state and pull sync states, opened by this release: the delivery is claimed under module 'sessions'
 * and completed, the delivered state and the sync states read, the peer's pull settings unchanged, and writes
 * enqueue as before.
 */
export async function moduleKeyUpgradeCase(
  createPrevious: (statements: string[]) => Promise<void>,
  open: () => Promise<SessionStore>,
): Promise<void> {
  const owner = 'SE-KEY';
  const session = makeSession('key-1', owner, T0);
  const text = (v: unknown) => `'${JSON.stringify(v).replaceAll("'", "''")}'`;
  const seq = "(SELECT seq FROM sessions WHERE id_ci = 'KEY-1')";
  const urlKey = 'url:https://cpo.example.com/ocpi/versions#0123456789abcdef'; // dots in the pull key
  const crawl: SyncState = {
    syncPoint: T0,
    inProgress: {
      startedAt: T0 + DAY,
      sessionsUrl: 'https://cpo.example.com/ocpi/2.2.1/sessions',
      dateFrom: T0 - 300_000,
      dateTo: T0 + DAY,
      nextUrl: 'https://cpo.example.com/ocpi/2.2.1/sessions?offset=100',
      pagesDone: 1,
    },
  };
  const config = { url: 'https://cpo.example.com/ocpi/versions', token: 'tok' };
  await createPrevious([
    `INSERT INTO sessions (cpo, id_ci, owner, ord, last_updated, doc, rev)
     VALUES ('NL-CPO', 'KEY-1', '${owner}', 1, ${T0}, ${text(session)}, 2)`,
    // As that release left a change (rev 2) of a session delivered before (rev 1) after a failed attempt.
    `INSERT INTO outbox (partner_key, session_seq, rev, enqueued_at, next_attempt_at, attempts, last_error)
     VALUES ('${owner}', ${seq}, 2, ${T0}, ${T0}, 1, 'partner down')`,
    `INSERT INTO push_state (partner_key, session_seq, delivered) VALUES ('${owner}', ${seq}, 'doc-rev-1')`,
    `INSERT INTO meta (key, value) VALUES
       ('pull.NL-OCS.state', ${text({ syncPoint: T0 })}),
       ('pull.${urlKey}.state', ${text(crawl)}),
       ('pull.NL-OCS.encoding', ${text('base64')}),
       ('pull.NL-OCS.config', ${text(config)})`,
  ]);
  const store = await open();
  try {
    const [d, ...more] = await store.claimDeliveries(Date.now(), 10, 60_000);
    assert.deepEqual(more, []);
    assert.ok(d?.claim, 'claimed with a fencing token');
    const { claim: _, ...rest } = d;
    const stored = await store.getSession('NL', 'CPO', 'key-1');
    assert.deepEqual(stored?.session, session);
    assert.deepEqual(rest, {
      partnerKey: owner,
      module: 'sessions',
      objectSeq: stored.seq,
      rev: 2,
      attempts: 1,
      enqueuedAt: T0,
    });
    assert.deepEqual(await store.claimDeliveries(Date.now(), 10, 60_000), [], 'not handed out twice');
    assert.equal(await store.getDelivered(d), 'doc-rev-1', 'what was delivered before the upgrade');
    assert.equal(await store.completeDelivery(d, 'doc-rev-2'), true);
    assert.equal(await store.getDelivered(d), 'doc-rev-2');
    assert.equal(await store.outboxDepth(), 0);
    // Another owner: the session row written above has no owners row, which only putSessions reads.
    await store.putSessions([makeRecord(makeSession('key-2', 'SE-NEW', T0))], {
      mode: 'replace',
      pushTo: ['SE-NEW'],
    });
    const [next] = await store.claimDeliveries(Date.now(), 10, 60_000);
    assert.equal(next?.partnerKey, 'SE-NEW');
    assert.equal(next.module, 'sessions');
    assert.equal(next.objectSeq, (await store.getSession('NL', 'CPO', 'key-2'))?.seq);
    assert.equal(await store.getDelivered(next), undefined, 'never delivered');

    assert.deepEqual(await loadSyncState(store, 'sessions', 'NL-OCS'), { syncPoint: T0 });
    assert.deepEqual(await loadSyncState(store, 'sessions', urlKey), crawl);
    assert.equal(await store.readSetting(textSetting('pull.NL-OCS.state')), undefined, 'renamed, not copied');
    assert.equal(await loadEncoding(store, 'NL-OCS'), 'base64');
    assert.deepEqual(await loadPullConfig(store, 'NL-OCS'), config);
  } finally {
    await store.close();
  }
}

/**
 * A session written before the history was kept (no digest, no history rows: `forget` takes them away): its next
 * write is summarized against its stored document, and the history starts there.
 */
export async function historyUpgradeCase(
  open: () => Promise<SessionStore>,
  forget: () => Promise<void>,
): Promise<void> {
  let store = await open();
  const s = makeSession('old-1', 'NL-OLD', T0);
  await store.putSessions([makeRecord(s)], { mode: 'replace' });
  await store.close();
  await forget();
  store = await open();
  try {
    const seq = (await store.getSession('NL', 'CPO', 'old-1'))!.seq;
    assert.deepEqual(await store.sessionHistory(seq, 10), []);
    await store.putSessions([makeRecord({ ...s, status: 'COMPLETED', kwh: 3, lastUpdated: T0 + 1 })], {
      mode: 'replace',
    });
    assert.deepEqual(
      (await store.sessionHistory(seq, 10)).map((h) => [h.rev, h.summary]),
      [[2, 'status ACTIVE→COMPLETED; kwh 1.5→3']],
    );
  } finally {
    await store.close();
  }
}
