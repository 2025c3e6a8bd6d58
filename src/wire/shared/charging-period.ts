// ChargingPeriod and CdrDimension: the same object in OCPI 2.1.1 and 2.2.1, except `tariff_id`.
import type { CdrDimension, ChargingPeriod } from '../../domain/session.js';
import { enumOf } from '../kit/enum.js';
import { objectCodec } from '../kit/object.js';
import { dateTime, list, num, str } from '../kit/value.js';

export const cdrDimension = objectCodec<CdrDimension>(
  { title: 'CdrDimension', description: 'OCPI 2.1.1 mod_cdrs §4.2 / OCPI 2.2.1 §10.4.2 CdrDimension.' },
  (f) => [f.req('type', 'type', enumOf('CdrDimensionType')), f.req('volume', 'volume', num())],
);

export const chargingPeriod = objectCodec<ChargingPeriod>(
  { title: 'ChargingPeriod', description: 'OCPI 2.1.1 mod_cdrs §4.4 / OCPI 2.2.1 §10.4.6 ChargingPeriod.' },
  (f) => [
    f.req('start_date_time', 'startDateTime', dateTime),
    // `+`: a period whose dimensions all lack an equivalent in the target format is dropped (object.ts).
    f.req('dimensions', 'dimensions', list(cdrDimension, { minItems: 1 })),
    // OCPI 2.2.1 §10.4.6: tariff_id is new in 2.2, so OCPI 2.1.1 drops it; the camel 2.1.1 contract carries it.
    f.opt('tariff_id', 'tariffId', str(36), { only: (w) => w.format !== 'ocpi-2.1.1' }),
  ],
);
