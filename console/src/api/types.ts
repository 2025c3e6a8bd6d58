// The console API's shapes (docs/console-api.md): what the server sends (src/service/console/*.ts), typed once
// for the pages. Numbers and dates are as the API gives them (ISO 8601 strings, UTC).

export interface Envelope<T> {
  data: T;
  status_code: number;
  status_message?: string;
  timestamp: string;
}

export interface Whoami {
  via: 'operator-token' | 'password';
}

export interface PartnerSessions {
  partner: string;
  role: string;
  sessions_today: number;
  active: number;
}

export interface OutboxLane {
  partner: string;
  pending: number;
  oldest_age_s: number | null;
  in_flight: number;
  failing: number;
  last_error: string | null;
  last_success: string | null;
  paused_until: string | null;
  paused_by_operator: boolean;
}

export interface PullStatus {
  key: string;
  module: string;
  last_sync: string | null;
  last_run: string | null;
  result: string | null;
  next_run: string | null;
}

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
  incl_vat?: number | null;
}

export interface SessionRow {
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

export interface SessionPage {
  items: SessionRow[];
  next_cursor: string | null;
}

export type SortField = 'last_updated' | 'start_date_time';
export type SortOrder = 'desc' | 'asc';

export interface SessionFilter {
  partner?: string;
  status?: string;
  from?: string;
  to?: string;
  location?: string;
  q?: string;
  sort?: SortField;
  order?: SortOrder;
  limit?: number;
  cursor?: string;
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

export interface SessionDetail {
  session: Record<string, unknown>;
  /** Per wire format, the body partners get (JSON text, exactly as sent). */
  formats: Record<string, unknown>;
  history: Array<{ rev: number; at: string; change: string }>;
  deliveries: Array<{
    partner: string;
    rev: number | null;
    at: string | null;
    result: string;
    error: string | null;
  }>;
  curve: Curve;
}

export interface Endpoint {
  identifier: string;
  role: string;
  url: string;
}

export interface Lane {
  pending: number;
  in_flight: number;
  failing: number;
  last_error: string | null;
  last_success: string | null;
  paused_until: string | null;
  paused_by_operator: boolean;
}

export interface Partner {
  key: string;
  country_code: string;
  party_id: string;
  roles: string[];
  registered: boolean;
  version: string | null;
  format: string;
  endpoints: Endpoint[];
  token_encoding: string | null;
  /** OCPI 2.3.0 credentials hub_party_id (CC-PID). */
  hub_party_id: string | null;
  /** The CPO/EMSP parties the registration speaks for (a 2.3.0 hub: the parties reachable through it). */
  parties: Array<{ role: string; key: string }>;
  check_verdict: { result: string; at: string; failed_checks: string[] } | null;
  lane: Lane;
}

export type PartnerAction = 'pause' | 'resume' | 'retry' | 'pull';
