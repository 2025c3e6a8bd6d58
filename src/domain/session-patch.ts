// Applying a PATCH to a stored session (pure rules).
import { since22, type OcpiVersion } from './wire-format.js';
import type { Session, SessionPatch } from './session.js';

/**
 * OCPI 2.2.1 §9.2.2.3 (2.3.0 mod_sessions PATCH the same): fields carried replace the stored ones; `charging_periods` carried are APPENDED.
 * OCPI 2.1.1 §mod_sessions 2.2.3: plain PATCH semantics, carried fields (charging_periods too) replace.
 * Identity fields (country_code, party_id, id) never change through a PATCH.
 */
export function applySessionPatch(
  stored: Session,
  patch: SessionPatch,
  version: OcpiVersion,
  now: number,
): Session {
  const { countryCode: _cc, partyId: _pid, id: _id, chargingPeriods, ...fields } = patch;
  const next: Session = { ...stored };
  for (const [k, v] of Object.entries(fields)) {
    if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
  }
  if (chargingPeriods && chargingPeriods.length > 0) {
    next.chargingPeriods = since22(version)
      ? [...stored.chargingPeriods, ...chargingPeriods]
      : chargingPeriods;
  }
  // OCPI 2.1.1 does not require last_updated in a PATCH: the change happened now (never earlier than stored).
  if (patch.lastUpdated === undefined) next.lastUpdated = Math.max(now, stored.lastUpdated);
  return next;
}
