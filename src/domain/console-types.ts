// The operator console API's shapes (docs/console-api.md), declared once: the server's use cases
// (src/service/console/*.ts) build them and the console's pages (console/src) read them. This file imports
// nothing, so the console's build and type check (console/tsconfig.json) take it without any server code.
// Field names are the API's; date-times are ISO 8601 strings (UTC). The JSON schemas that validate and document
// them are src/http/routes/console/schemas.ts.

/** The OCPI envelope every console API answer comes in. */
export interface ConsoleEnvelope<T> {
  data: T;
  status_code: number;
  status_message?: string;
  timestamp: string;
}

/** GET /console/api/whoami */
export interface Whoami {
  via: 'operator-token' | 'password';
}

/** A partner's push lane (src/service/console/lane-view.ts). */
export interface ConsoleLane {
  pending: number;
  in_flight: number;
  failing: number;
  last_error: string | null;
  last_success: string | null;
  paused_until: string | null;
  paused_by_operator: boolean;
}

export interface PartnerSessions {
  partner: string;
  /** The partner's roles, comma-separated. */
  role: string;
  sessions_today: number;
  active: number;
}

export interface OutboxLane extends ConsoleLane {
  partner: string;
  oldest_age_s: number | null;
}

export interface PullStatus {
  key: string;
  module: string;
  last_sync: string | null;
  last_run: string | null;
  result: 'ok' | 'failed' | 'running' | null;
  next_run: string | null;
}

/** GET /console/api/overview */
export interface Overview {
  generated_at: string;
  sessions: {
    total: number;
    today: number;
    active: number;
    /** The recent window was cut: active and per-partner figures are lower bounds. */
    window_truncated: boolean;
    per_partner: PartnerSessions[];
  };
  rates: { ingest_per_min: number; pages_per_min: number };
  outbox: OutboxLane[];
  outbox_truncated: boolean;
  pulls: PullStatus[];
  errors_last_hour: number;
}

export interface Cost {
  excl_vat: number;
  incl_vat?: number;
}

export type ConsoleSortField = 'last_updated' | 'start_date_time';
export type ConsoleSortOrder = 'desc' | 'asc';

/** GET /console/api/sessions: the query. */
export interface SessionListQuery {
  partner?: string;
  status?: string;
  from?: string;
  to?: string;
  location?: string;
  q?: string;
  sort?: ConsoleSortField;
  order?: ConsoleSortOrder;
  limit?: number;
  cursor?: string;
}

export interface SessionListItem {
  country_code: string;
  party_id: string;
  id: string;
  /** The eMSP the session belongs to (its token's party), as a partner key. */
  owner: string;
  status: string;
  start_date_time: string;
  end_date_time: string | null;
  kwh: number;
  location_id: string;
  total_cost: Cost | null;
  currency: string;
  last_updated: string;
}

/** GET /console/api/sessions: one page. */
export interface SessionList {
  items: SessionListItem[];
  next_cursor: string | null;
}

export interface SessionHistoryItem {
  rev: number;
  /** When the revision was written. */
  at: string;
  /** The session's last_updated in that revision. */
  last_updated: string;
  /** What wrote it (src/domain/session-change.ts WRITE_SOURCES); null when not said. */
  source: string | null;
  /** What changed from the revision before (src/domain/session-change.ts changeSummary). */
  change: string;
}

export interface SessionDelivery {
  partner: string;
  /**
   * Delivered: the revision the partner acknowledged (null when delivered before revisions were recorded);
   * pending, sending, failing: the revision to deliver.
   */
  rev: number | null;
  /** When: the delivered body's last_updated, or when the pending entry was enqueued. */
  at: string | null;
  result: 'delivered' | 'pending' | 'sending' | 'failing';
  /**
   * The partner lacks the session's current revision: what it acknowledged is older (delivered), or a delivery
   * is still to be acknowledged (pending, sending, failing); null when the acknowledged revision is unknown.
   */
  behind: boolean | null;
  error: string | null;
}

export interface CurvePoint {
  t: string;
  kw: number;
  kwh: number;
}

export interface Curve {
  points: CurvePoint[];
  currency: string;
  total_cost: Cost | null;
}

/**
 * GET /console/api/sessions/{country_code}/{party_id}/{id}. `S`: the canonical session (camelCase, epoch ms);
 * the server has its type (src/domain/session.ts), the pages read it as a record.
 */
export interface SessionPage<S = Record<string, unknown>> {
  session: S;
  /** The session's current revision. */
  rev: number;
  /** The stored body of each wire format, exactly as partners get it (JSON text). */
  formats: Partial<Record<string, string>>;
  /** The last revisions (HISTORY_LIMIT), newest first. */
  history: SessionHistoryItem[];
  deliveries: SessionDelivery[];
  curve: Curve;
}

export interface PartnerEndpoint {
  identifier: string;
  role?: string;
  url: string;
}

/** GET /console/api/partners: one partner (never a token value). */
export interface ConsolePartner {
  key: string;
  country_code: string;
  party_id: string;
  roles: string[];
  business_name: string | null;
  state: string;
  registered: boolean;
  version: string | null;
  format: string;
  endpoints: PartnerEndpoint[];
  token_encoding: string | null;
  /** OCPI 2.3.0 credentials hub_party_id (CC-PID). */
  hub_party_id: string | null;
  /** The CPO/EMSP parties the registration speaks for (a 2.3.0 hub: the parties reachable through it). */
  parties: { role: string; key: string }[];
  check_verdict: { result: 'passed' | 'failed'; at: string; failed_checks: string[] } | null;
  lane: ConsoleLane;
}

export type PartnerAction = 'pause' | 'resume' | 'retry' | 'pull';

/** A pull run in the background: the console's action or `serve --pull-every` (src/service/pull-jobs.ts). */
export interface PullJob {
  key: string;
  module: string;
  state: 'running' | 'ok' | 'failed';
  started_at: string;
  finished_at: string | null;
  /** Sessions stored (new + updated) by a finished run. */
  stored: number | null;
  error: string | null;
}

/** POST /console/api/partners/{key}/{action}: what the action did. */
export interface ActionResult {
  done: true;
  action: PartnerAction;
  partner: string;
  paused_by_operator?: boolean;
  /** retry: the entries made due now. */
  made_due?: number;
  /** pull: the job's state (it runs in the background). */
  job?: PullJob;
}
