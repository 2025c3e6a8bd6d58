// The OCPI 2.1.1 Location, EVSE and Connector objects (mod_locations §3.1–3.3), as embedded in a 2.1.1
// Session. Fields of the canonical model that 2.1.1 lacks (country_code, party_id, publish, state,
// max_electric_power, further tariff ids) are not written and stay undefined when read.
import type { Connector, Evse, Location } from '../../domain/location.js';
import { enumOf } from '../kit/enum.js';
import { objectCodec } from '../kit/object.js';
import { bool, dateTime, int, list, mapped, str } from '../kit/value.js';
import {
  additionalGeoLocation,
  businessDetails,
  displayText,
  energyMix,
  geoLocation,
  hours,
  image,
  statusSchedule,
  url,
} from './location-parts.js';

export const connector211 = objectCodec<Connector>(
  { title: 'Connector', description: 'OCPI 2.1.1 mod_locations §3.3 Connector.' },
  (f) => [
    f.req('id', 'id', str(36)),
    f.req('standard', 'standard', enumOf('ConnectorType')),
    f.req('format', 'format', enumOf('ConnectorFormat')),
    f.req('power_type', 'powerType', enumOf('PowerType')),
    // OCPI 2.2.1 §8.3.3 renamed 2.1.1 `voltage` / `amperage` to max_voltage / max_amperage.
    f.req('voltage', 'maxVoltage', int({ description: 'V (line to neutral for AC_3_PHASE)' })),
    f.req('amperage', 'maxAmperage', int({ description: 'A' })),
    // OCPI 2.2.1 §8.3.3 replaced the single 2.1.1 `tariff_id` by `tariff_ids`: 2.1.1 carries the first one.
    f.opt(
      'tariff_id',
      'tariffIds',
      mapped(
        str(36),
        (id) => [id],
        (ids) => ids[0],
        () => [],
      ),
    ),
    f.opt('terms_and_conditions', 'termsAndConditions', url()),
    f.req('last_updated', 'lastUpdated', dateTime),
  ],
);

export const evse211 = objectCodec<Evse>(
  { title: 'EVSE', description: 'OCPI 2.1.1 mod_locations §3.2 EVSE.' },
  (f) => [
    f.req('uid', 'uid', str(39)),
    f.opt('evse_id', 'evseId', str(48)),
    f.req('status', 'status', enumOf('EvseStatus')),
    f.opt('status_schedule', 'statusSchedule', list(statusSchedule)),
    f.opt('capabilities', 'capabilities', list(enumOf('Capability'))),
    f.req('connectors', 'connectors', list(connector211, { minItems: 1 })),
    f.opt('floor_level', 'floorLevel', str(4)),
    f.opt('coordinates', 'coordinates', geoLocation),
    f.opt('physical_reference', 'physicalReference', str(16)),
    f.opt('directions', 'directions', list(displayText)),
    f.opt('parking_restrictions', 'parkingRestrictions', list(enumOf('ParkingRestriction'))),
    f.opt('images', 'images', list(image)),
    f.req('last_updated', 'lastUpdated', dateTime),
  ],
);

export const location211 = objectCodec<Location>(
  { title: 'Location', description: 'OCPI 2.1.1 mod_locations §3.1 Location.' },
  (f) => [
    f.req('id', 'id', str(39)),
    f.req('type', 'type', enumOf('LocationType')),
    f.opt('name', 'name', str(255)),
    f.req('address', 'address', str(45)),
    f.req('city', 'city', str(45)),
    f.req('postal_code', 'postalCode', str(10)),
    f.req('country', 'country', str(3, { description: 'ISO 3166-1 alpha-3' })),
    f.req('coordinates', 'coordinates', geoLocation),
    f.opt('related_locations', 'relatedLocations', list(additionalGeoLocation)),
    f.opt('evses', 'evses', list(evse211)),
    f.opt('directions', 'directions', list(displayText)),
    f.opt('operator', 'operator', businessDetails),
    f.opt('suboperator', 'suboperator', businessDetails),
    f.opt('owner', 'owner', businessDetails),
    f.opt('facilities', 'facilities', list(enumOf('Facility'))),
    f.opt('time_zone', 'timeZone', str(255)),
    f.opt('opening_times', 'openingTimes', hours),
    f.opt('charging_when_closed', 'chargingWhenClosed', bool),
    f.opt('images', 'images', list(image)),
    f.opt('energy_mix', 'energyMix', energyMix),
    f.req('last_updated', 'lastUpdated', dateTime),
  ],
);
