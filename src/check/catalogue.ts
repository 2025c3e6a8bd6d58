// Every check of `ocpi-sessions check` against a CPO's Sessions SENDER: its id (stable, part of the JSON schema),
// area, title, severity and spec sections. The checks' code (sessions/) refers to them by id.
import type { Area, Severity } from './model.js';

export interface CheckDefinition {
  area: Area;
  title: string;
  severity: Severity;
  spec: string;
}

const S = {
  versions: 'OCPI 2.2.1 §6.1, §6.2 (2.1.1 version_information_endpoint)',
  auth: 'OCPI 2.2.1 §4.1.2 (2.1.1 transport_and_format §4.1.1: raw token)',
  envelope: 'OCPI 2.2.1 §4.1.7, §5 (2.1.1 transport_and_format §4.1.6, status codes §5)',
  paging: 'OCPI 2.2.1 §4.1.3 Pagination (2.1.1 transport_and_format §4.1.3)',
  get: 'OCPI 2.2.1 §9.2.1.1 (2.1.1 mod_sessions §3.1.1)',
  object: 'OCPI 2.2.1 §9.3.1 Session object (2.1.1 mod_sessions §4.1)',
  datetime: 'OCPI 2.2.1 §16.2 DateTime (2.1.1 types §1.2)',
  receiver: 'OCPI 2.2.1 §9.2.2 (2.1.1 mod_sessions §3.2)',
};

export const CHECKS = {
  'versions.list': {
    area: 'versions',
    title: 'versions list reachable: an envelope listing versions with their URLs',
    severity: 'error',
    spec: S.versions,
  },
  'versions.sessions-endpoint': {
    area: 'versions',
    title: 'version details list a sessions endpoint with the SENDER role',
    severity: 'error',
    spec: S.versions,
  },
  'authorization.encoding': {
    area: 'authorization',
    title: "the token is accepted in the version's encoding (2.2.1 Base64, 2.1.1 raw)",
    severity: 'error',
    spec: S.auth,
  },
  'authorization.wrong-token': {
    area: 'authorization',
    title: 'a wrong token gets HTTP 401',
    severity: 'error',
    spec: S.auth,
  },
  'authorization.error-envelope': {
    area: 'authorization',
    title: 'the refusal is an OCPI envelope with a 2xxx status_code',
    severity: 'warning',
    spec: S.envelope,
  },
  'envelope.fields': {
    area: 'envelope',
    title: 'status_code integer, status_message string, timestamp DateTime, data a list',
    severity: 'error',
    spec: S.envelope,
  },
  'envelope.status-consistency': {
    area: 'envelope',
    title: 'HTTP status and OCPI status_code agree (2xx with 1xxx, errors with 2xxx/3xxx)',
    severity: 'warning',
    spec: S.envelope,
  },
  'pagination.headers': {
    area: 'pagination',
    title: 'X-Total-Count and X-Limit present; a page holds at most X-Limit objects, X-Limit at most limit',
    severity: 'error',
    spec: S.paging,
  },
  'pagination.total-count': {
    area: 'pagination',
    title: 'X-Total-Count equals the number of objects reached by walking the Link chain',
    severity: 'error',
    spec: S.paging,
  },
  'pagination.link-arithmetic': {
    area: 'pagination',
    title: 'the next URL asks offset + page length with the same limit',
    severity: 'error',
    spec: S.paging,
  },
  'pagination.link-filters': {
    area: 'pagination',
    title: 'the next URL keeps the filters (date_from, date_to) by name and value',
    severity: 'error',
    spec: S.paging,
  },
  'pagination.link-target': {
    area: 'pagination',
    title: 'the next URL points at the endpoint that was called (scheme, host, port, path)',
    severity: 'error',
    spec: S.paging,
  },
  'pagination.last-page': {
    area: 'pagination',
    title: 'no Link on the last page, and never a Link to an empty page',
    severity: 'error',
    spec: S.paging,
  },
  'pagination.limit-capped': {
    area: 'pagination',
    title: "a limit above the server's maximum is capped (X-Limit), not refused",
    severity: 'error',
    spec: S.paging,
  },
  'pagination.offset-past-end': {
    area: 'pagination',
    title: 'an offset past the end gives an empty page, not an error',
    severity: 'warning',
    spec: S.paging,
  },
  'filters.date-from-inclusive': {
    area: 'filters',
    title: 'date_from is inclusive (last_updated >= date_from)',
    severity: 'error',
    spec: S.get,
  },
  'filters.date-to-exclusive': {
    area: 'filters',
    title: 'date_to is exclusive (last_updated < date_to)',
    severity: 'error',
    spec: S.get,
  },
  'filters.own-party': {
    area: 'filters',
    title: "only the caller's sessions are listed (cdr_token party = --party)",
    severity: 'error',
    spec: `${S.get}; OCPI 2.2.1 §9.3.1 cdr_token`,
  },
  'ordering.not-by-last-updated': {
    area: 'ordering',
    title: 'the list is not ordered by last_updated (clients skip sessions updated during a crawl)',
    severity: 'error',
    spec: S.paging,
  },
  'ordering.stable': {
    area: 'ordering',
    title: 'two reads of the same page give the same sessions in the same order',
    severity: 'error',
    spec: S.paging,
  },
  'objects.valid': {
    area: 'objects',
    title: 'every session is valid for the version: required fields, types, enums, string lengths',
    severity: 'error',
    spec: S.object,
  },
  'objects.datetime-z': {
    area: 'objects',
    title: 'every DateTime is UTC with the Z designator',
    severity: 'warning',
    spec: S.datetime,
  },
  'performance.latency': {
    area: 'performance',
    title: 'pages, deep offsets included, answer within --slow-ms',
    severity: 'warning',
    spec: S.paging,
  },
  // The eMSP's Sessions RECEIVER (--role emsp --write): one test session, PUT, read back, PATCHed.
  'receiver.endpoint': {
    area: 'receiver',
    title: 'version details list a sessions endpoint with the RECEIVER role',
    severity: 'error',
    spec: S.versions,
  },
  'receiver.put': {
    area: 'receiver',
    title: 'PUT of a new session is accepted (HTTP 200/201, OCPI 1000)',
    severity: 'error',
    spec: S.receiver,
  },
  'receiver.get': {
    area: 'receiver',
    title: 'GET of the session PUT gives it back',
    severity: 'warning',
    spec: S.receiver,
  },
  'receiver.patch': {
    area: 'receiver',
    title: 'PATCH with a later last_updated is accepted and applied',
    severity: 'error',
    spec: S.receiver,
  },
  'receiver.wrong-token': {
    area: 'receiver',
    title: 'a PUT with a wrong token gets HTTP 401',
    severity: 'error',
    spec: S.auth,
  },
} satisfies Record<string, CheckDefinition>;

export type CheckId = keyof typeof CHECKS;
const ALL = Object.keys(CHECKS) as CheckId[];
/** The checks of a CPO's Sessions SENDER (the default, read-only run), in report order. */
export const CHECK_IDS = ALL.filter((id) => CHECKS[id].area !== 'receiver');
/** The checks of an eMSP's Sessions RECEIVER (--role emsp --write). */
export const RECEIVER_CHECK_IDS = ALL.filter((id) => CHECKS[id].area === 'receiver');
