// A session's charging curve for the operator console: power (kW) and cumulative energy (kWh) over time, from its
// charging periods (OCPI 2.2.1 §10.4.6 ChargingPeriod: a start date-time and dimensions, valid until the next
// period starts; §10.4.2 CdrDimensionType: ENERGY in kWh, POWER / MAX_POWER / MIN_POWER in kW). Pure: no I/O.
//
// - A period ends where the next one starts; the last one at the session's end_date_time, else its last_updated
//   (an active session), never before its own start.
// - Power of a period: its ENERGY over its duration (the mean power), else its POWER dimension, else the mean of
//   MIN_POWER and MAX_POWER (whichever is present): 2.1.1 periods often carry only those. Else 0.
// - Points: one at each period's start (kw: the period's power; kwh: the energy delivered before it), and one at
//   the end of the last period (kw: the last period's power, so that a step chart draws it to the end; kwh: the
//   total). Periods are taken in start order; sessions of minutes and of days alike (times are epoch ms).
import type { ChargingPeriod, Session } from './session.js';
import type { Millis } from './location.js';

export interface CurvePoint {
  t: Millis;
  kw: number;
  kwh: number;
}

function dimension(p: ChargingPeriod, type: string): number | undefined {
  const d = p.dimensions.find((x) => x.type === type);
  return d && Number.isFinite(d.volume) ? d.volume : undefined;
}

/** The period's power in kW over `hours` (see the rules above). */
export function periodPower(p: ChargingPeriod, hours: number): number {
  const energy = dimension(p, 'ENERGY');
  if (energy !== undefined && hours > 0) return energy / hours;
  const power = dimension(p, 'POWER');
  if (power !== undefined) return power;
  const max = dimension(p, 'MAX_POWER');
  const min = dimension(p, 'MIN_POWER');
  if (max !== undefined && min !== undefined) return (max + min) / 2;
  return max ?? min ?? 0;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function chargingCurve(
  s: Pick<Session, 'chargingPeriods' | 'endDateTime' | 'lastUpdated'>,
): CurvePoint[] {
  const periods = [...s.chargingPeriods].sort((a, b) => a.startDateTime - b.startDateTime);
  const points: CurvePoint[] = [];
  let kwh = 0;
  let kw = 0;
  let end = 0;
  periods.forEach((p, i) => {
    const next = periods[i + 1]?.startDateTime ?? s.endDateTime ?? s.lastUpdated;
    end = Math.max(p.startDateTime, next);
    kw = periodPower(p, (end - p.startDateTime) / 3_600_000);
    points.push({ t: p.startDateTime, kw: round(kw), kwh: round(kwh) });
    kwh += dimension(p, 'ENERGY') ?? 0;
  });
  if (periods.length > 0) points.push({ t: end, kw: round(kw), kwh: round(kwh) });
  return points;
}
