// The classes a 2.1.1 Location is built from (OCPI 2.1.1 mod_locations §4, types §1.3). Shared by the
// OCPI 2.1.1 format and the camel 2.1.1 format, which is the same shape in other names and integer enums.
import type {
  AdditionalGeoLocation,
  BusinessDetails,
  DisplayText,
  EnergyMix,
  EnergySource,
  EnvironmentalImpact,
  ExceptionalPeriod,
  GeoLocation,
  Hours,
  Image,
  RegularHours,
  StatusSchedule,
} from '../../domain/location.js';
import { enumOf } from '../kit/enum.js';
import { objectCodec } from '../kit/object.js';
import type { WireStyle } from '../kit/style.js';
import { bool, dateTime, int, list, mapped, num, str } from '../kit/value.js';

/** URL (2.1.1 types §1.6): string(255). */
export const url = () => str(255);

// Spec regexes are `-?[0-9]{1,2}\.[0-9]{6}` / `-?[0-9]{1,3}\.[0-9]{6}` (2.2.1: 5 to 7 decimals); on input any
// number of decimals is accepted within the spec's string(10) / string(11).
const LATITUDE = '^-?[0-9]{1,2}(\\.[0-9]+)?$';
const LONGITUDE = '^-?[0-9]{1,3}(\\.[0-9]+)?$';
// RegularHours `HH:MM` (regex `([0-1][0-9]|2[0-3]):[0-5][0-9]`); 24:00 as an end of day is accepted too.
const HOUR_MINUTE = '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';

export const displayText = objectCodec<DisplayText>(
  { title: 'DisplayText', description: 'OCPI 2.1.1 types §1.3 DisplayText.' },
  (f) => [f.req('language', 'language', str(2)), f.req('text', 'text', str(512))],
);

export const geoLocation = objectCodec<GeoLocation>(
  {
    title: 'GeoLocation',
    description: 'OCPI 2.1.1 mod_locations §4.12 GeoLocation: WGS 84 decimal degrees.',
  },
  (f) => [
    f.req('latitude', 'latitude', str(10, { pattern: LATITUDE })),
    f.req('longitude', 'longitude', str(11, { pattern: LONGITUDE })),
  ],
);

export const additionalGeoLocation = objectCodec<AdditionalGeoLocation>(
  { title: 'AdditionalGeoLocation', description: 'OCPI 2.1.1 mod_locations §4.1 AdditionalGeoLocation.' },
  (f) => [...geoLocation.fields, f.opt('name', 'name', displayText)],
);

export const image = objectCodec<Image>(
  { title: 'Image', description: 'OCPI 2.1.1 mod_locations §4.14 Image.' },
  (f) => [
    f.req('url', 'url', url()),
    f.opt('thumbnail', 'thumbnail', url()),
    f.req('category', 'category', enumOf('ImageCategory')),
    f.req('type', 'type', str(4)),
    f.opt('width', 'width', int({ minimum: 0, maximum: 99999 })),
    f.opt('height', 'height', int({ minimum: 0, maximum: 99999 })),
  ],
);

export const businessDetails = objectCodec<BusinessDetails>(
  { title: 'BusinessDetails', description: 'OCPI 2.1.1 mod_locations §4.1 BusinessDetails.' },
  (f) => [f.req('name', 'name', str(100)), f.opt('website', 'website', url()), f.opt('logo', 'logo', image)],
);

export const regularHours = objectCodec<RegularHours>(
  { title: 'RegularHours', description: 'OCPI 2.1.1 mod_locations §4.19 RegularHours (local time).' },
  (f) => [
    f.req('weekday', 'weekday', int({ minimum: 1, maximum: 7, description: '1 = Monday .. 7 = Sunday' })),
    f.req('period_begin', 'periodBegin', str(5, { pattern: HOUR_MINUTE })),
    f.req('period_end', 'periodEnd', str(5, { pattern: HOUR_MINUTE })),
  ],
);

export const exceptionalPeriod = objectCodec<ExceptionalPeriod>(
  { title: 'ExceptionalPeriod', description: 'OCPI 2.1.1 mod_locations §4.10 ExceptionalPeriod.' },
  (f) => [f.req('period_begin', 'periodBegin', dateTime), f.req('period_end', 'periodEnd', dateTime)],
);

// OCPI 2.1.1 mod_locations §4.13 Hours: a choice of `regular_hours` or `twentyfourseven`. `twentyfourseven` is
// always written (false beside regular hours): the spec's own example sends it so, OCPI 2.2.1 §8.4.14 makes it
// required, and independent 2.1.1 schemas require it. `regular_hours` is written only when not 24/7 in the OCPI
// format; the camel contract documents both fields, so it always gets both.
const choiceOnly = (w: WireStyle) => w.naming === 'snake';

const hoursFields = objectCodec<Hours>(
  { title: 'Hours', description: 'OCPI 2.1.1 mod_locations §4.13 Hours.' },
  (f) => [
    f.opt(
      'twentyfourseven',
      'twentyfourseven',
      mapped(
        bool,
        (b) => b,
        (b) => b,
        () => false,
      ),
    ),
    f.opt('regular_hours', 'regularHours', list(regularHours), {
      emitIf: (h, w) => !choiceOnly(w) || !h.twentyfourseven,
    }),
    f.opt('exceptional_openings', 'exceptionalOpenings', list(exceptionalPeriod)),
    f.opt('exceptional_closings', 'exceptionalClosings', list(exceptionalPeriod)),
  ],
);

/**
 * Read as we write it: in the OCPI format, an object that sends both `twentyfourseven: true` and `regular_hours`
 * (against the choice of §4.13) is read as open 24/7, the regular hours dropped (they say nothing more when the
 * place never closes), so that reading, writing and reading again agree (DOWN-MAPPING.md).
 */
export const hours: typeof hoursFields = {
  ...hoursFields,
  decode(v, cx) {
    const h = hoursFields.decode(v, cx);
    return h && choiceOnly(cx.w) && h.twentyfourseven && h.regularHours.length > 0
      ? { ...h, regularHours: [] }
      : h;
  },
};

export const energySource = objectCodec<EnergySource>(
  { title: 'EnergySource', description: 'OCPI 2.1.1 mod_locations §4.6 EnergySource.' },
  (f) => [
    f.req('source', 'source', enumOf('EnergySourceCategory')),
    f.req('percentage', 'percentage', num({ minimum: 0, maximum: 100 })),
  ],
);

export const environmentalImpact = objectCodec<EnvironmentalImpact>(
  {
    title: 'EnvironmentalImpact',
    description:
      'OCPI 2.1.1 mod_locations §4.8 EnvironmentalImpact (the category is named `source` in 2.1.1).',
  },
  (f) => [
    f.req('source', 'category', enumOf('EnvironmentalImpactCategory')),
    f.req('amount', 'amount', num({ description: 'g/kWh' })),
  ],
);

export const energyMix = objectCodec<EnergyMix>(
  { title: 'EnergyMix', description: 'OCPI 2.1.1 mod_locations §4.5 EnergyMix.' },
  (f) => [
    f.req('is_green_energy', 'isGreenEnergy', bool),
    f.opt('energy_sources', 'energySources', list(energySource)),
    f.opt('environ_impact', 'environImpact', list(environmentalImpact)),
    f.opt('supplier_name', 'supplierName', str(64)),
    f.opt('energy_product_name', 'energyProductName', str(64)),
  ],
);

export const statusSchedule = objectCodec<StatusSchedule>(
  { title: 'StatusSchedule', description: 'OCPI 2.1.1 mod_locations §4.21 StatusSchedule.' },
  (f) => [
    // The camel contract keeps the spec names `period_begin` / `period_end` in this one class.
    f.req('period_begin', 'periodBegin', dateTime, { raw: true }),
    f.opt('period_end', 'periodEnd', dateTime, { raw: true }),
    f.req('status', 'status', enumOf('EvseStatus')),
  ],
);
