// Hand-built canonical sessions for store-level tests (no codec involved).
import type { Session } from '../../src/domain/session.js';
import { WIRE_FORMATS, type WireFormat } from '../../src/domain/wire-format.js';
import type { SessionRecord } from '../../src/store/contract.js';
import { openStore } from '../../src/store/open.js';

export function makeSession(id: string, emsp: string, lastUpdated: number, cpo = 'NL-CPO'): Session {
  const [cc, pid] = emsp.split('-') as [string, string];
  const [ccc, cpid] = cpo.split('-') as [string, string];
  return {
    countryCode: ccc,
    partyId: cpid,
    id,
    startDateTime: lastUpdated - 3_600_000,
    kwh: 1.5,
    cdrToken: {
      countryCode: cc,
      partyId: pid,
      uid: `U${id}`,
      type: 'RFID',
      contractId: `${cc}-${pid}-C${id}`,
    },
    authMethod: 'WHITELIST',
    locationId: 'LOC1',
    evseUid: 'EVSE1',
    connectorId: '1',
    currency: 'EUR',
    chargingPeriods: [],
    status: 'ACTIVE',
    lastUpdated,
  };
}

/** A record whose bodies say which session and format they are, so tests can check what a page serves. */
export function makeRecord(session: Session, owner?: string): SessionRecord {
  const renders = Object.fromEntries(
    WIRE_FORMATS.map((f) => [f, JSON.stringify({ id: session.id, f, lu: session.lastUpdated })]),
  ) as Record<WireFormat, string>;
  return { session, owner: owner ?? `${session.cdrToken.countryCode}-${session.cdrToken.partyId}`, renders };
}

/** Opens (creating) the store `db` and adds `formats` to its stored formats (what a partner reading them adds). */
export async function declareFormats(db: string, formats: readonly WireFormat[]): Promise<void> {
  const store = await openStore(db, { create: true });
  try {
    await store.addStoredFormats(formats);
  } finally {
    await store.close();
  }
}
