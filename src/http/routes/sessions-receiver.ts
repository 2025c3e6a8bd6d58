// Sessions receiver interfaces for pushed sessions:
// - eMSP receiver: GET/PUT/PATCH /ocpi/emsp/{2.1.1|2.2.1}/sessions/{country_code}/{party_id}/{session_id}
//   (OCPI 2.1.1 §mod_sessions 3.2, 2.2.1 §9.2.2), for CPO partners, each only under its own party (else 404,
//   OCPI 2.2.1 §3.1.2 client owned objects);
// - ingest: PUT/PATCH /ingest/2.2.1/sessions/{country_code}/{party_id}/{session_id} for the CPO's own back end,
//   same bodies and rules as the 2.2.1 receiver, only under this instance's own party.
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { wireFormatFor, type OcpiVersion } from '../../domain/wire-format.js';
import type { Identity } from '../../service/identity.js';
import {
  getReceived,
  ownsParty,
  ReceiveError,
  receivePatch,
  receivePut,
  renderFor,
  type ReceiveResult,
  type Target,
} from '../../service/sessions-receiver.js';
import type { SessionStore } from '../../store/contract.js';
import { codecFor } from '../../wire/registry.js';
import { sendEnvelope, sendError, STATUS } from '../envelope.js';

export const SessionPathSchema = Type.Object({
  country_code: Type.String({
    minLength: 2,
    maxLength: 2,
    description: 'Country code of the CPO owning the session, CiString(2)',
  }),
  party_id: Type.String({
    minLength: 3,
    maxLength: 3,
    description: 'Party id of the CPO owning the session, CiString(3)',
  }),
  session_id: Type.String({ minLength: 1, maxLength: 36, description: 'Session id, CiString(36)' }),
});
type SessionPath = Static<typeof SessionPathSchema>;
type Req = FastifyRequest<{ Params: SessionPath }>;

function answer(reply: FastifyReply, r: ReceiveResult) {
  if (r.outcome === 'stale') {
    // Acknowledged but not applied: the stored session is newer (a late, reordered delivery). See README.
    return sendEnvelope(
      reply,
      200,
      STATUS.SUCCESS,
      'Not applied: the stored session has a newer last_updated',
    );
  }
  // OCPI 2.2.1 §4.1.6: 201 when a PUT created the object, 200 when it updated one.
  return sendEnvelope(reply, r.outcome === 'created' ? 201 : 200, STATUS.SUCCESS, 'Success');
}

async function guarded(reply: FastifyReply, work: () => Promise<FastifyReply>) {
  try {
    return await work();
  } catch (e) {
    if (e instanceof ReceiveError) return sendError(reply, e.http, e.statusCode, e.message);
    throw e;
  }
}

export function registerSessionsReceiver(
  app: FastifyInstance,
  store: SessionStore,
  identity: () => Promise<Identity | undefined>,
): void {
  const options = (
    config: FastifyContextConfig,
    summary: string,
    tags: string[],
    documentedBody?: unknown,
  ) => ({
    config,
    schema: { summary, tags, params: SessionPathSchema, ...(documentedBody ? { documentedBody } : {}) },
  });
  // Bodies are parsed by the codecs (permissive, every issue with its path); documented with their schemas.
  const bodyOf = (version: OcpiVersion, patch: boolean) =>
    Type.Union(
      (['ocpi', 'camel'] as const).map((style) => {
        const codec = codecFor(wireFormatFor(style, version));
        return patch ? codec.patchSchema : codec.schema;
      }),
      {
        description:
          "The partner's configured format decides: standard OCPI or the camelCase / integer format.",
      },
    );

  for (const version of ['2.1.1', '2.2.1'] as OcpiVersion[]) {
    const url = `/ocpi/emsp/${version}/sessions/:country_code/:party_id/:session_id`;
    const tags = ['sessions (eMSP receiver)'];
    const config = { access: 'partner', ocpiVersion: version } as const;
    const target = async (request: Req): Promise<Target> => {
      const p = request.params;
      const caller = request.partner!;
      if (!caller.roles.includes('CPO') || !ownsParty(caller.key, p.country_code, p.party_id)) {
        throw new ReceiveError(
          404,
          STATUS.CLIENT_ERROR,
          `No sessions of ${p.country_code}/${p.party_id} for this caller`,
        );
      }
      const us = await identity();
      return {
        countryCode: p.country_code,
        partyId: p.party_id,
        id: p.session_id,
        version,
        format: wireFormatFor(caller.format, version),
        emsp: us ? { countryCode: us.countryCode, partyId: us.partyId } : undefined,
      };
    };
    app.get<{ Params: SessionPath }>(
      url,
      options(config, `Read a pushed session (OCPI ${version})`, tags),
      (request, reply) =>
        guarded(reply, async () => {
          const stored = await getReceived(store, await target(request));
          const body = renderFor(stored.session, request.partner!.format, version);
          return sendEnvelope(reply, 200, STATUS.SUCCESS, 'Success', body);
        }),
    );
    app.put<{ Params: SessionPath }>(
      url,
      options(config, `Create or replace a pushed session (OCPI ${version})`, tags, bodyOf(version, false)),
      (request, reply) =>
        guarded(reply, async () =>
          answer(reply, await receivePut(store, await target(request), request.body)),
        ),
    );
    app.patch<{ Params: SessionPath }>(
      url,
      options(config, `Update part of a pushed session (OCPI ${version})`, tags, bodyOf(version, true)),
      (request, reply) =>
        guarded(reply, async () =>
          answer(reply, await receivePatch(store, await target(request), request.body)),
        ),
    );
  }

  const ingestUrl = '/ingest/2.2.1/sessions/:country_code/:party_id/:session_id';
  const ingestTarget = async (request: Req): Promise<Target> => {
    const p = request.params;
    const us = await identity();
    if (!us || !ownsParty(`${us.countryCode}-${us.partyId}`, p.country_code, p.party_id)) {
      throw new ReceiveError(
        404,
        STATUS.CLIENT_ERROR,
        `This instance is not party ${p.country_code}/${p.party_id}`,
      );
    }
    return {
      countryCode: p.country_code,
      partyId: p.party_id,
      id: p.session_id,
      version: '2.2.1',
      format: 'ocpi-2.2.1',
      acceptLocation: true,
    };
  };
  const ingestTags = ['ingest (CPO back end)'];
  const ingest = { access: 'ingest' } as const;
  app.put<{ Params: SessionPath }>(
    ingestUrl,
    options(
      ingest,
      'Feed a live session (OCPI 2.2.1 Session body)',
      ingestTags,
      codecFor('ocpi-2.2.1').schema,
    ),
    (request, reply) =>
      guarded(reply, async () =>
        answer(reply, await receivePut(store, await ingestTarget(request), request.body)),
      ),
  );
  app.patch<{ Params: SessionPath }>(
    ingestUrl,
    options(
      ingest,
      'Feed a change of a live session (OCPI 2.2.1 PATCH body)',
      ingestTags,
      codecFor('ocpi-2.2.1').patchSchema,
    ),
    (request, reply) =>
      guarded(reply, async () =>
        answer(reply, await receivePatch(store, await ingestTarget(request), request.body)),
      ),
  );
}
