// The console API's schemas (docs/console-api.md): query and path parameters validated by Fastify, responses
// documented in the OpenAPI document (tag "Console", x-audience operator). Field names are the contract's.
import { Type, type TSchema } from '@sinclair/typebox';
import { SESSION_STATUSES } from '../../../domain/enums.js';
import { HISTORY_LIMIT, WRITE_SOURCES } from '../../../domain/session-change.js';
import { operatorEnvelope } from '../../openapi/schemas.js';
import { MAX_CONSOLE_LIMIT, DEFAULT_CONSOLE_LIMIT } from '../../../service/console/sessions.js';
import { PARTNER_ACTIONS } from '../../../service/console/partners.js';

export const CONSOLE_TAG = {
  name: 'Console',
  description:
    'For operators, not partners: the operator console’s API (`serve --console`). `Authorization: Bearer <operator ' +
    'token or console password>`. Read-only except the partner actions, which require `{"confirm": true}`.',
};

const nullable = (s: TSchema) => Type.Union([s, Type.Null()]);
const iso = (description: string) => Type.String({ format: 'date-time', description });

/** A partner's push lane (service/console/lane-view.ts), in the overview's outbox rows and in each partner. */
const LANE_FIELDS = {
  pending: Type.Integer({ minimum: 0 }),
  in_flight: Type.Integer({ minimum: 0 }),
  failing: Type.Integer({ minimum: 0 }),
  last_error: nullable(Type.String()),
  last_success: nullable(iso('The last successful push')),
  paused_until: nullable(iso('End of the failure pause of the lane')),
  paused_by_operator: Type.Boolean(),
};
const enumOf = (values: readonly string[], description?: string) =>
  Type.Unsafe<string>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

export const WhoamiSchema = operatorEnvelope(
  Type.Object(
    { via: enumOf(['operator-token', 'password'], 'How the caller opened the console') },
    { additionalProperties: false },
  ),
  { $id: 'ConsoleWhoami', title: 'Console: who am I', description: 'How the caller authenticated.' },
);

const cost = nullable(
  Type.Object(
    { excl_vat: Type.Number(), incl_vat: Type.Optional(Type.Number()) },
    { additionalProperties: false, description: 'OCPI 2.2.1 §16.5 Price; null when the session has none' },
  ),
);

export const OverviewSchema = operatorEnvelope(
  Type.Object({
    generated_at: iso('When these figures were read'),
    sessions: Type.Object({
      total: Type.Integer({ minimum: 0, description: 'Every stored session (from the counters)' }),
      today: Type.Integer({
        minimum: 0,
        description: 'Sessions last updated today, UTC (from the counters)',
      }),
      active: Type.Integer({
        minimum: 0,
        description: 'ACTIVE sessions among those updated in the last 48 h',
      }),
      window_truncated: Type.Boolean({
        description: 'The 48 h window was cut at 50 000 sessions: lower bounds',
      }),
      per_partner: Type.Array(
        Type.Object({
          partner: Type.String({ description: 'Partner key (CC-PID), as in `partners list`' }),
          role: Type.String({ description: 'The partner’s roles, comma-separated' }),
          sessions_today: Type.Integer({ minimum: 0 }),
          active: Type.Integer({ minimum: 0 }),
        }),
      ),
    }),
    rates: Type.Object(
      {
        ingest_per_min: Type.Number({
          description: 'Session writes on /ingest per minute (this node, 5 min mean)',
        }),
        pages_per_min: Type.Number({ description: 'Sender pages served per minute (this node, 5 min mean)' }),
      },
      { description: 'Counted by the node that answers' },
    ),
    outbox: Type.Array(
      Type.Object({
        partner: Type.String(),
        oldest_age_s: nullable(Type.Number({ minimum: 0 })),
        ...LANE_FIELDS,
      }),
    ),
    outbox_truncated: Type.Boolean({
      description: 'More than 100 000 outbox entries: counts are lower bounds',
    }),
    pulls: Type.Array(
      Type.Object({
        key: Type.String({ description: 'The CPO partner pulled from' }),
        module: Type.String(),
        last_sync: nullable(iso('The sync point: in sync up to then')),
        last_run: nullable(iso('End of the last run')),
        result: nullable(enumOf(['ok', 'failed', 'running'])),
        next_run: nullable(
          iso('When the next scheduled pull runs (serve --pull-every); null: pulls run only when asked'),
        ),
      }),
    ),
    errors_last_hour: Type.Integer({
      minimum: 0,
      description: 'HTTP 5xx answers of this node in the last hour',
    }),
  }),
  { $id: 'ConsoleOverview', title: 'Console: overview', description: 'Sessions, rates, outbox, pulls.' },
);

export const SessionsQuerySchema = Type.Object({
  partner: Type.Optional(Type.String({ maxLength: 16, description: 'Partner key (CC-PID)' })),
  status: Type.Optional(
    Type.String({ maxLength: 16, description: `One of ${SESSION_STATUSES.join(', ')} (any case)` }),
  ),
  from: Type.Optional(Type.String({ maxLength: 40, description: 'Sort key ≥ this date-time (ISO 8601)' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'Sort key < this date-time (ISO 8601)' })),
  location: Type.Optional(
    Type.String({ maxLength: 36, description: 'location_id, exact (case-insensitive)' }),
  ),
  q: Type.Optional(Type.String({ maxLength: 36, description: 'Session id prefix (case-insensitive)' })),
  sort: Type.Optional(enumOf(['last_updated', 'start_date_time'])),
  order: Type.Optional(enumOf(['desc', 'asc'])),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: MAX_CONSOLE_LIMIT, default: DEFAULT_CONSOLE_LIMIT }),
  ),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'next_cursor of the previous page' })),
});

const ListItem = Type.Object({
  country_code: Type.String(),
  party_id: Type.String(),
  id: Type.String(),
  owner: Type.String({ description: 'The eMSP the session belongs to (partner key)' }),
  status: enumOf(SESSION_STATUSES),
  start_date_time: iso('Start'),
  end_date_time: nullable(iso('End')),
  kwh: Type.Number(),
  location_id: Type.String(),
  total_cost: cost,
  currency: Type.String(),
  last_updated: iso('Last update'),
});

export const SessionsSchema = operatorEnvelope(
  Type.Object({
    items: Type.Array(ListItem),
    next_cursor: nullable(Type.String({ description: 'The next page’s cursor; null at the end' })),
  }),
  {
    $id: 'ConsoleSessions',
    title: 'Console: sessions',
    description:
      'One page (keyset). A page may hold fewer than `limit` items with a next_cursor: at most 5 000 sessions are ' +
      'read per request when filters other than partner and the date window are given.',
  },
);

export const SessionParamsSchema = Type.Object({
  country_code: Type.String({ minLength: 2, maxLength: 2 }),
  party_id: Type.String({ minLength: 3, maxLength: 3 }),
  id: Type.String({ minLength: 1, maxLength: 36 }),
});

export const SessionPageSchema = operatorEnvelope(
  Type.Object({
    session: Type.Object(
      {},
      { additionalProperties: true, description: 'The canonical session (camelCase, ms)' },
    ),
    formats: Type.Object(
      {},
      { additionalProperties: true, description: 'Per wire format, the body partners get' },
    ),
    rev: Type.Integer({ minimum: 1, description: 'The session’s current revision' }),
    history: Type.Array(
      Type.Object({
        rev: Type.Integer(),
        at: iso('When the revision was written'),
        last_updated: iso('The session’s last_updated in that revision'),
        source: nullable(enumOf(WRITE_SOURCES, 'What wrote it')),
        change: Type.String({ description: 'What changed from the revision before' }),
      }),
      { description: `The last ${HISTORY_LIMIT} revisions, newest first` },
    ),
    deliveries: Type.Array(
      Type.Object({
        partner: Type.String(),
        rev: nullable(
          Type.Integer({
            description:
              'Delivered: the revision the partner acknowledged (null: delivered before revisions were recorded); ' +
              'otherwise the revision to deliver',
          }),
        ),
        at: nullable(iso('Delivered body’s last_updated, or when the entry was enqueued')),
        result: enumOf(['delivered', 'pending', 'sending', 'failing']),
        behind: nullable(
          Type.Boolean({ description: 'The partner lacks the current revision (null: not known)' }),
        ),
        error: nullable(Type.String()),
      }),
    ),
    curve: Type.Object({
      points: Type.Array(Type.Object({ t: iso('Time'), kw: Type.Number(), kwh: Type.Number() })),
      currency: Type.String(),
      total_cost: cost,
    }),
  }),
  { $id: 'ConsoleSession', title: 'Console: one session', description: 'Data, formats, history, curve.' },
);

export const PartnersSchema = operatorEnvelope(
  Type.Array(
    Type.Object({
      key: Type.String(),
      country_code: Type.String(),
      party_id: Type.String(),
      roles: Type.Array(Type.String()),
      business_name: nullable(Type.String()),
      state: Type.String(),
      registered: Type.Boolean(),
      version: nullable(Type.String()),
      format: Type.String(),
      endpoints: Type.Array(
        Type.Object({ identifier: Type.String(), role: Type.Optional(Type.String()), url: Type.String() }),
      ),
      token_encoding: nullable(Type.String()),
      hub_party_id: nullable(
        Type.String({ description: 'OCPI 2.3.0 credentials hub_party_id, as a party key (CC-PID)' }),
      ),
      parties: Type.Array(Type.Object({ role: Type.String(), key: Type.String() }), {
        description:
          'The CPO/EMSP parties its credentials list (a 2.3.0 hub: the parties reachable through it)',
      }),
      check_verdict: nullable(
        Type.Object({
          result: enumOf(['passed', 'failed']),
          at: Type.String(),
          failed_checks: Type.Array(Type.String()),
        }),
      ),
      lane: Type.Object(LANE_FIELDS),
    }),
  ),
  { $id: 'ConsolePartners', title: 'Console: partners', description: 'Never a token value.' },
);

export const ConfirmBodySchema = Type.Object(
  { confirm: Type.Literal(true, { description: 'Must be true: the action was confirmed' }) },
  { additionalProperties: true },
);

export const ActionSchema = operatorEnvelope(
  Type.Object({
    done: Type.Literal(true),
    action: enumOf(PARTNER_ACTIONS),
    partner: Type.String(),
    paused_by_operator: Type.Optional(Type.Boolean()),
    made_due: Type.Optional(Type.Integer({ minimum: 0, description: 'retry: entries made due now' })),
    job: Type.Optional(
      Type.Object({
        key: Type.String(),
        module: Type.String(),
        state: enumOf(['running', 'ok', 'failed']),
        started_at: Type.String(),
        finished_at: nullable(Type.String()),
        stored: nullable(Type.Integer()),
        error: nullable(Type.String()),
      }),
    ),
  }),
  { $id: 'ConsoleAction', title: 'Console: partner action', description: 'What the action did.' },
);
