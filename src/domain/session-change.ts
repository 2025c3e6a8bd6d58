// A session's history of changes (the console's session page): what wrote each revision and a short summary of
// what changed, computed at write time from a small digest of the previous revision (kept with the session, so a
// write never reads nor parses the previous document) and the new canonical session.
import type { Session } from './session.js';

/** Revisions kept in a session's history (session_history): older ones are deleted by the write that passes it. */
export const HISTORY_LIMIT = 50;

/** What wrote a revision (SessionRecord.source). */
export const WRITE_SOURCES = [
  'ingest-put',
  'ingest-patch',
  'receiver-put',
  'receiver-patch',
  'charging-preferences',
  'pull',
  'import',
  'demo',
] as const;
export type WriteSource = (typeof WRITE_SOURCES)[number];

/** The fields a change summary compares, in a few bytes (stored as JSON next to the session). */
export interface SessionDigest {
  /** status */
  s: string;
  /** kwh */
  k: number;
  /** number of charging periods */
  p: number;
  /** total_cost excluding VAT, or null */
  c: number | null;
  /** total_cost as a whole (incl_vat, taxes), to see a change that leaves excl_vat as it was */
  ct: string | null;
  /** end_date_time (epoch ms) or null */
  e: number | null;
  /** location_id/evse_uid/connector_id */
  l: string;
  /** auth_method/authorization_reference/token uid */
  a: string;
  /** charging preferences (JSON) or null */
  cp: string | null;
  /** the eMSP owner (visibility) */
  o: string;
}

export function sessionDigest(s: Session, owner: string): SessionDigest {
  return {
    s: s.status,
    k: s.kwh,
    p: s.chargingPeriods.length,
    c: s.totalCost ? s.totalCost.exclVat : null,
    ct: s.totalCost ? JSON.stringify(s.totalCost) : null,
    e: s.endDateTime ?? null,
    l: `${s.locationId}/${s.evseUid}/${s.connectorId}`,
    a: `${s.authMethod}/${s.authorizationReference ?? ''}/${s.cdrToken.uid}`,
    cp: s.chargingPreferences ? JSON.stringify(s.chargingPreferences) : null,
    o: owner,
  };
}

/** A stored digest (JSON), or undefined when it is missing or unreadable. */
export function parseDigest(text: string | null | undefined): SessionDigest | undefined {
  if (!text) return undefined;
  try {
    const d = JSON.parse(text) as Partial<SessionDigest>;
    return typeof d.s === 'string' && typeof d.k === 'number' && typeof d.p === 'number'
      ? (d as SessionDigest)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The change from `prev` (undefined: the session is new) to `next`, in words: `created`, or the changes joined by
 * `; ` (e.g. `status ACTIVE→COMPLETED; kwh 12.5→20; +2 charging periods; total_cost 3→4.5`). A write that changes
 * none of the compared fields (a re-delivery, a new last_updated, another field) says `last_updated or other fields`.
 */
export function changeSummary(prev: SessionDigest | undefined, next: SessionDigest): string {
  if (!prev) return 'created';
  const out: string[] = [];
  if (prev.s !== next.s) out.push(`status ${prev.s}→${next.s}`);
  if (prev.k !== next.k) out.push(`kwh ${prev.k}→${next.k}`);
  if (next.p > prev.p) out.push(`+${next.p - prev.p} charging period${next.p - prev.p === 1 ? '' : 's'}`);
  else if (next.p < prev.p) out.push(`charging periods ${prev.p}→${next.p}`);
  if (prev.ct !== next.ct) {
    if (next.c === null) out.push('total_cost removed');
    else if (prev.c === null) out.push(`total_cost ${next.c}`);
    else if (prev.c !== next.c) out.push(`total_cost ${prev.c}→${next.c}`);
    else out.push('total_cost changed');
  }
  if (prev.e !== next.e) out.push(next.e === null ? 'end_date_time removed' : 'end_date_time set');
  if (prev.l !== next.l) out.push('location changed');
  if (prev.a !== next.a) out.push('authorization changed');
  if (prev.cp !== next.cp)
    out.push(next.cp === null ? 'charging preferences removed' : 'charging preferences set');
  if (prev.o !== next.o) out.push(`owner ${prev.o}→${next.o}`);
  return out.length ? out.join('; ') : 'last_updated or other fields';
}
