// The write rules of putSessions as a pure plan (src/store/write-plan.ts); both stores execute it and pass
// test/store/contract.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WIRE_FORMATS } from '../../src/domain/wire-format.js';
import { BLOCK_BITS, DAY_MS } from '../../src/store/paging.js';
import {
  placeWrite,
  planWrite,
  sessionKey,
  type StoredState,
  type Write,
} from '../../src/store/write-plan.js';
import { makeRecord, makeSession } from '../support/sessions.js';

const T0 = Date.UTC(2025, 0, 1);
const D0 = T0 / DAY_MS;
const rec = (lastUpdated: number, owner = 'NL-EMS') =>
  makeRecord(makeSession('s-1', 'NL-EMS', lastUpdated), owner);
const stored = (over: Partial<StoredState> = {}): StoredState => ({
  owner: 'NL-EMS',
  ord: 7,
  lastUpdated: T0,
  rev: 3,
  ...over,
});

function write(plan: ReturnType<typeof planWrite>): Write {
  assert.equal(plan.conflict, false);
  assert.ok(plan.conflict === false && plan.outcome !== 'stale', 'a write');
  return plan as Write;
}

describe('write plan', () => {
  it('keys a session by CPO party and id, case-insensitively', () => {
    const s = makeSession('Ab-1', 'NL-EMS', T0, 'nl-cpo');
    assert.deepEqual(sessionKey(s), { cpo: 'NL-CPO', idCi: 'AB-1' });
  });

  it('creates a new session at a newly allocated ordinal of its owner, rev 1, counted once, all bodies', () => {
    const r = rec(T0 + DAY_MS);
    const plan = write(planWrite(undefined, r, { mode: 'replace' }));
    assert.equal(plan.outcome, 'created');
    assert.equal(plan.ord, 'allocate');
    assert.equal(plan.rev, 1);
    assert.deepEqual(plan.bump, ['NL-EMS']);
    assert.deepEqual(plan.dropBodies, []);
    assert.deepEqual(plan.outbox, []);
    assert.equal(plan.leave, undefined);
    const placed = placeWrite(plan, (1 << BLOCK_BITS) + 5, WIRE_FORMATS);
    assert.deepEqual(placed.counts, [{ owner: 'NL-EMS', block: 1, day: D0 + 1, delta: 1 }]);
    assert.deepEqual(
      placed.bodies,
      WIRE_FORMATS.map((format) => ({ owner: 'NL-EMS', ord: 1029, format, body: r.renders[format] })),
    );
  });

  it('updates in place: same ordinal, rev + 1, old counter -1 and new counter +1, owner version bumped', () => {
    const plan = write(planWrite(stored(), rec(T0 + 2 * DAY_MS), { mode: 'replace' }));
    assert.equal(plan.outcome, 'updated');
    assert.equal(plan.ord, 7);
    assert.equal(plan.rev, 4);
    assert.deepEqual(plan.bump, ['NL-EMS']);
    assert.deepEqual(plan.dropBodies, []);
    assert.deepEqual(placeWrite(plan, 7, WIRE_FORMATS).counts, [
      { owner: 'NL-EMS', block: 0, day: D0, delta: -1 },
      { owner: 'NL-EMS', block: 0, day: D0 + 2, delta: 1 },
    ]);
    assert.throws(() => placeWrite(plan, 8, WIRE_FORMATS), /planned at ord 7/);
  });

  it('moves a session to another owner: a new ordinal there, the old position’s counter and bodies leave', () => {
    const plan = write(planWrite(stored({ owner: 'DE-OLD', ord: 2000 }), rec(T0), { mode: 'replace' }));
    assert.equal(plan.outcome, 'updated');
    assert.equal(plan.ord, 'allocate');
    assert.equal(plan.rev, 4);
    assert.deepEqual(plan.bump, ['DE-OLD', 'NL-EMS']);
    assert.deepEqual(plan.dropBodies, [{ owner: 'DE-OLD', ord: 2000 }]);
    const placed = placeWrite(plan, 1, WIRE_FORMATS);
    assert.deepEqual(placed.counts, [
      { owner: 'DE-OLD', block: 1, day: D0, delta: -1 },
      { owner: 'NL-EMS', block: 0, day: D0, delta: 1 },
    ]);
    assert.ok(placed.bodies.every((b) => b.owner === 'NL-EMS' && b.ord === 1));
  });

  it("'if-newer': a stored later last_updated is stale (nothing written), an equal one is replaced", () => {
    assert.deepEqual(
      planWrite(stored({ lastUpdated: T0 + 1 }), rec(T0), { mode: 'if-newer', pushTo: ['NL-EMS'] }),
      {
        conflict: false,
        outcome: 'stale',
      },
    );
    assert.equal(write(planWrite(stored(), rec(T0), { mode: 'if-newer' })).outcome, 'updated');
    assert.equal(
      write(planWrite(stored({ lastUpdated: T0 + 1 }), rec(T0), { mode: 'replace' })).outcome,
      'updated',
    );
    // Nothing stored: created whatever the mode.
    assert.equal(write(planWrite(undefined, rec(T0), { mode: 'if-newer' })).outcome, 'created');
  });

  it('ifRev: a conflict unless the stored revision is the one given (no stored session: a conflict too)', () => {
    assert.deepEqual(planWrite(stored({ rev: 2 }), { ...rec(T0 + 1), ifRev: 3 }, { mode: 'replace' }), {
      conflict: true,
    });
    assert.deepEqual(planWrite(undefined, { ...rec(T0), ifRev: 1 }, { mode: 'replace' }), { conflict: true });
    assert.equal(write(planWrite(stored(), { ...rec(T0 + 1), ifRev: 3 }, { mode: 'replace' })).rev, 4);
    // The revision check comes before the stale check: a matching ifRev on a stale write is stale, not a conflict.
    assert.deepEqual(
      planWrite(stored({ lastUpdated: T0 + 1 }), { ...rec(T0), ifRev: 3 }, { mode: 'if-newer' }),
      {
        conflict: false,
        outcome: 'stale',
      },
    );
  });

  it('enqueues the written revision for the new owner when it is pushed to, never for the old owner', () => {
    const pushTo = ['NL-EMS', 'DE-OLD'];
    assert.deepEqual(write(planWrite(undefined, rec(T0), { mode: 'replace', pushTo })).outbox, [
      { partnerKey: 'NL-EMS', module: 'sessions', rev: 1 },
    ]);
    assert.deepEqual(
      write(planWrite(stored({ owner: 'DE-OLD' }), rec(T0), { mode: 'replace', pushTo })).outbox,
      [{ partnerKey: 'NL-EMS', module: 'sessions', rev: 4 }],
    );
    assert.deepEqual(write(planWrite(stored(), rec(T0), { mode: 'replace', pushTo: ['DE-OLD'] })).outbox, []);
  });
});
