// A partner's push lane as the console shows it (overview and partners list alike), from the outbox report's row.
import { formatOptionalDateTime } from '../../domain/datetime.js';
import type { PartnerOutbox } from '../outbox-report.js';
import type { ConsoleLane } from '../../domain/console-types.js';

/** The lane of `o` (a partner without a report row: nothing pending, never failed, not paused). */
export function laneView(o: PartnerOutbox | undefined): ConsoleLane {
  return {
    pending: o?.pending ?? 0,
    in_flight: o?.inFlight ?? 0,
    failing: o?.failing ?? 0,
    last_error: o?.lastError ?? null,
    last_success: formatOptionalDateTime(o?.lastSuccessAt),
    paused_until: formatOptionalDateTime(o?.pausedUntil),
    paused_by_operator: o?.operatorPaused ?? false,
  };
}
