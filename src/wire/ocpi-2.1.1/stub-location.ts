// The Location a 2.1.1 format embeds for a session (OCPI 2.1.1 mod_sessions §3.1: `location`, cardinality 1).
import type { Connector, Location } from '../../domain/location.js';
import type { Session } from '../../domain/session.js';

/**
 * OCPI 2.1.1 mod_sessions §3.1: the embedded location holds "only the relevant EVSE and connector". When the
 * stored location holds more and the session's EVSE is among them, only that EVSE (and connector) is written.
 */
export function narrowToSession(location: Location, s: Session): Location {
  const evse = location.evses.find((e) => e.uid === s.evseUid);
  if (!evse || (location.evses.length === 1 && evse.connectors.length === 1)) return location;
  const connector = evse.connectors.find((c) => c.id === s.connectorId);
  return { ...location, evses: [{ ...evse, connectors: connector ? [connector] : evse.connectors }] };
}

/**
 * Known gap (DOWN-MAPPING.md): a session received in 2.2.1 form names its location only by ids. The stub
 * carries those ids, neutral values for the location's required texts and coordinates, type UNKNOWN and EVSE
 * status UNKNOWN (both 2.1.1 values meaning "not known"), and a connector with only the fields we know:
 * `standard`, `format`, `power_type`, `voltage` and `amperage` have no "unknown" value and are left out.
 */
export function stubLocation(s: Session): Location {
  const connector = { id: s.connectorId, tariffIds: [], lastUpdated: s.lastUpdated } as Partial<Connector>;
  return {
    id: s.locationId,
    type: 'UNKNOWN',
    address: '',
    city: '',
    postalCode: '',
    country: '',
    coordinates: { latitude: '0.000000', longitude: '0.000000' },
    relatedLocations: [],
    evses: [
      {
        uid: s.evseUid,
        status: 'UNKNOWN',
        statusSchedule: [],
        capabilities: [],
        connectors: [connector as Connector],
        directions: [],
        parkingRestrictions: [],
        images: [],
        lastUpdated: s.lastUpdated,
      },
    ],
    directions: [],
    facilities: [],
    images: [],
    lastUpdated: s.lastUpdated,
  };
}
