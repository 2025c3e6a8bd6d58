// The operator console's JSON API under /console/api/ (docs/console-api.md), registered only with `--console`
// (without it every path answers 404). Every route declares `console` access (auth.ts: an operator token or the
// console password as `Bearer <secret>`); answers are OCPI envelopes, refusals go through the error handler
// (outcomes.ts). Read-only, except the partner actions (POST, body `{"confirm": true}` or 400 + 2001).
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { RenderBody, SessionStore } from '../../../store/contract.js';
import { sendEnvelope, STATUS } from '../../envelope.js';
import { Refused } from '../../../service/refused.js';
import type { OverviewReader } from '../../../service/console/overview.js';
import type { PullJobs } from '../../../service/pull-jobs.js';
import {
  consoleSession,
  listConsoleSessions,
  sessionPageJson,
  type SessionListQuery,
} from '../../../service/console/sessions.js';
import { consolePartners, partnerAction, PARTNER_ACTIONS } from '../../../service/console/partners.js';
import {
  ActionSchema,
  CONSOLE_TAG,
  ConfirmBodySchema,
  OverviewSchema,
  PartnersSchema,
  SessionPageSchema,
  SessionParamsSchema,
  SessionsQuerySchema,
  SessionsSchema,
  WhoamiSchema,
} from './schemas.js';

export const CONSOLE_API = '/console/api';

/** A partner action runs only with the body `{"confirm": true}` (the JSON value true, nothing else). */
function confirmed(body: unknown): void {
  const ok = typeof body === 'object' && body !== null && (body as { confirm?: unknown }).confirm === true;
  if (!ok) throw new Refused('invalid', 'Invalid body: {"confirm": true} is required to run this action');
}

export interface ConsoleDeps {
  store: SessionStore;
  overview: OverviewReader;
  jobs: PullJobs;
  /** Renders a session page's formats the store does not keep (stored formats, issue 16). */
  render?: RenderBody;
}

export function registerConsoleApi(app: FastifyInstance, deps: ConsoleDeps): void {
  const config = { access: 'console' as const };
  const tags = [CONSOLE_TAG.name];
  const ok = (reply: Parameters<typeof sendEnvelope>[0], data: unknown) =>
    sendEnvelope(
      reply,
      200,
      STATUS.SUCCESS,
      'Success',
      typeof data === 'string' ? data : JSON.stringify(data),
    );

  app.get(
    `${CONSOLE_API}/whoami`,
    {
      config,
      schema: { summary: 'How the caller opened the console', tags, response: { 200: WhoamiSchema } },
    },
    async (request, reply) => ok(reply, { via: request.consoleVia }),
  );

  app.get(
    `${CONSOLE_API}/overview`,
    {
      config,
      schema: {
        summary: 'Sessions, rates, outbox per partner, pulls, errors',
        description:
          'Counts from the counters and bounded reads (never a count over all sessions); cached 2 s per node. ' +
          'Rates and errors are those of the node that answers.',
        tags,
        response: { 200: OverviewSchema },
      },
    },
    async (_request, reply) => ok(reply, await deps.overview.read()),
  );

  app.get<{ Querystring: Static<typeof SessionsQuerySchema> }>(
    `${CONSOLE_API}/sessions`,
    {
      config,
      schema: {
        summary: 'Sessions: filters, sort, keyset paging',
        description:
          '`from`/`to` bound the sort key (last_updated, or start_date_time with sort=start_date_time). ' +
          '`partner`: an eMSP partner’s sessions (it owns them) or a CPO partner’s (it operates them). ' +
          'Follow `next_cursor` (with the same sort and order) until it is null.',
        tags,
        querystring: SessionsQuerySchema,
        response: { 200: SessionsSchema },
      },
    },
    async (request, reply) =>
      ok(reply, await listConsoleSessions(deps.store, request.query as SessionListQuery)),
  );

  app.get<{ Params: Static<typeof SessionParamsSchema> }>(
    `${CONSOLE_API}/sessions/:country_code/:party_id/:id`,
    {
      config,
      schema: {
        summary: 'One session: data, wire formats, history, deliveries, charging curve',
        tags,
        params: SessionParamsSchema,
        response: { 200: SessionPageSchema },
      },
    },
    async (request, reply) => {
      const { country_code, party_id, id } = request.params;
      return ok(
        reply,
        sessionPageJson(await consoleSession(deps.store, country_code, party_id, id, deps.render)),
      );
    },
  );

  app.get(
    `${CONSOLE_API}/partners`,
    {
      config,
      schema: {
        summary: 'Partners: registration, version, roles, endpoints, check verdict, push lane',
        tags,
        response: { 200: PartnersSchema },
      },
    },
    async (_request, reply) => ok(reply, await consolePartners(deps.store)),
  );

  const summaries = {
    pause: 'Pause pushing to the partner (kept until resumed, on every node)',
    resume: 'Resume pushing to the partner',
    retry: 'Retry now: the partner’s waiting outbox entries become due, its failure pause ends',
    pull: 'Run one pull of the CPO partner’s sessions in the background',
  } as const;
  for (const action of PARTNER_ACTIONS) {
    app.post<{ Params: { key: string } }>(
      `${CONSOLE_API}/partners/:key/${action}`,
      {
        config,
        schema: {
          summary: summaries[action],
          description: 'Requires the body `{"confirm": true}` (else 400 + 2001). 404 for an unknown partner.',
          tags,
          params: {
            type: 'object',
            properties: { key: { type: 'string', maxLength: 8 } },
            required: ['key'],
          },
          // Checked here, not by Fastify: its validator coerces types ("true" would pass as true).
          documentedBody: ConfirmBodySchema,
          response: { 200: ActionSchema },
        },
      },
      async (request, reply) => {
        confirmed(request.body);
        return ok(reply, await partnerAction(deps.store, deps.jobs, request.params.key, action));
      },
    );
  }
}
