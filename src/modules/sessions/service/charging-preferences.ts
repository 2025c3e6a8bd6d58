// Use case: an eMSP sets the driver's charging preferences on an ongoing session (OCPI 2.2.1 §9.2.1.2).
import type { ChargingPreferencesResponse } from '../../../domain/enums.js';
import type { Partner } from '../../../domain/party.js';
import type { SessionStore } from '../../../store/contract.js';
import { parseChargingPreferences } from '../wire/charging-preferences.js';
import { getIdentity } from '../../../service/identity.js';
import { describeIssues, Refused } from '../../../service/refused.js';
import { retryOnConflict } from './receiver.js';
import { putRecords, toRecord } from './writer.js';

export async function setChargingPreferences(
  store: SessionStore,
  caller: Partner,
  sessionId: string,
  body: unknown,
): Promise<ChargingPreferencesResponse> {
  const us = await getIdentity(store);
  const stored = us ? await store.getSession(us.countryCode, us.partyId, sessionId) : undefined;
  // Another partner's session is indistinguishable from a missing one.
  if (!stored || stored.owner !== caller.key)
    throw new Refused('not-visible', `Unknown session ${sessionId}`);
  const evse = stored.session.location?.evses.find((e) => e.uid === stored.session.evseUid);
  // OCPI 2.2.1 §9.2.1.2: an EVSE without CHARGING_PREFERENCES_CAPABLE is refused (HTTP 404 with OCPI 2001).
  if (!evse?.capabilities.includes('CHARGING_PREFERENCES_CAPABLE')) {
    throw new Refused('not-supported', 'The EVSE of this session does not support charging preferences');
  }
  const parsed = parseChargingPreferences(body);
  if (!parsed.ok) {
    throw new Refused('invalid', describeIssues('Invalid ChargingPreferences', parsed.issues));
  }
  const prefs = parsed.value;
  if (prefs.departureTime !== undefined && prefs.departureTime <= Date.now()) return 'NOT_POSSIBLE';
  // Kept with the session; last_updated unchanged: the OCPI Session object itself did not change.
  // A read-modify-write of the whole session: written only over the revision just read, so that a concurrent
  // ingest PATCH is never overwritten with this older copy.
  let first = true;
  await retryOnConflict(async () => {
    const current = first ? stored : await store.getSession(us!.countryCode, us!.partyId, sessionId);
    first = false;
    if (!current || current.owner !== caller.key)
      throw new Refused('not-visible', `Unknown session ${sessionId}`);
    const record = {
      ...toRecord({ ...current.session, chargingPreferences: prefs }, 'charging-preferences'),
      owner: current.owner,
      ifRev: current.rev,
    };
    await putRecords(store, [record], { mode: 'replace' });
  });
  return 'ACCEPTED';
}
