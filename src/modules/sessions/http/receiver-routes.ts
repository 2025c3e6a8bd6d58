// Sessions receiver interfaces for pushed sessions:
// - eMSP receiver: GET/PUT/PATCH /ocpi/emsp/{2.1.1|2.2.1}/sessions/{country_code}/{party_id}/{session_id}
//   (OCPI 2.1.1 §mod_sessions 3.2, 2.2.1 §9.2.2), for CPO partners, each only under its own party (else 404,
//   OCPI 2.2.1 §3.1.2 client owned objects: service/sessions-receiver.ts receiverTarget);
// - ingest: PUT/PATCH /ingest/2.2.1/sessions/{country_code}/{party_id}/{session_id} for the CPO's own back end,
//   same bodies and rules as the 2.2.1 receiver, only under this instance's own party (ingestTarget).
// Refusals of the use cases are answered by the error handler (outcomes.ts).
import type { FastifyContextConfig, FastifyInstance, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { OCPI_VERSIONS, styleSpeaks, wireFormatFor, type OcpiVersion } from '../../../domain/wire-format.js';
import type { Identity } from '../../../service/identity.js';
import {
  getReceived,
  ingestTarget,
  receivePatch,
  receivePut,
  receiverTarget,
  renderFor,
  type ReceiveResult,
} from '../service/receiver.js';
import type { SessionStore } from '../../../store/contract.js';
import { GroupedWrites } from '../service/grouped-writes.js';
import { codecFor } from '../wire/codecs.js';
import { INGEST_TAG, RECEIVER_TAG, sessionsModule } from '../module.js';
import { sendEnvelope, STATUS } from '../../../http/envelope.js';
import { interfacePath } from '../../descriptor.js';

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

export function registerSessionsReceiver(
  app: FastifyInstance,
  store: SessionStore,
  identity: () => Promise<Identity | undefined>,
): void {
  // One group commit for every receiver and ingest write of this server.
  const writes = new GroupedWrites(store);
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
      (['ocpi', 'camel'] as const)
        .filter((style) => styleSpeaks(style, version))
        .map((style) => {
          const codec = codecFor(wireFormatFor(style, version));
          return patch ? codec.patchSchema : codec.schema;
        }),
      {
        description:
          "The partner's configured format decides: standard OCPI or the camelCase / integer format.",
      },
    );

  for (const version of OCPI_VERSIONS) {
    const url = `${interfacePath(sessionsModule, 'RECEIVER', version)}/:country_code/:party_id/:session_id`;
    const tags = [RECEIVER_TAG];
    const config = { access: 'partner', ocpiVersion: version } as const;
    app.get<{ Params: SessionPath }>(
      url,
      options(config, `Read a pushed session (OCPI ${version})`, tags),
      async (request, reply) => {
        const target = receiverTarget(request.partner!, request.params, version, await identity());
        const stored = await getReceived(store, target);
        const body = renderFor(stored.session, request.partner!.format, version);
        return sendEnvelope(reply, 200, STATUS.SUCCESS, 'Success', body);
      },
    );
    app.put<{ Params: SessionPath }>(
      url,
      options(config, `Create or replace a pushed session (OCPI ${version})`, tags, bodyOf(version, false)),
      async (request, reply) => {
        const target = receiverTarget(request.partner!, request.params, version, await identity());
        return answer(reply, await receivePut(writes, target, request.body));
      },
    );
    app.patch<{ Params: SessionPath }>(
      url,
      options(config, `Update part of a pushed session (OCPI ${version})`, tags, bodyOf(version, true)),
      async (request, reply) => {
        const target = receiverTarget(request.partner!, request.params, version, await identity());
        return answer(reply, await receivePatch(writes, target, request.body));
      },
    );
  }

  // Ingest in the Session of OCPI 2.2.1 or 2.3.0 (the version in the URL decides the body, e.g. the Price).
  for (const version of INGEST_VERSIONS) {
    const ingestUrl = `/ingest/${version}/sessions/:country_code/:party_id/:session_id`;
    const ingestTags = [INGEST_TAG];
    const ingest = { access: 'ingest' } as const;
    const codec = codecFor(wireFormatFor('ocpi', version));
    const target = async (params: SessionPath) => ingestTarget(params, await identity(), version);
    app.put<{ Params: SessionPath }>(
      ingestUrl,
      options(ingest, `Feed a live session (OCPI ${version} Session body)`, ingestTags, codec.schema),
      async (request, reply) =>
        answer(reply, await receivePut(writes, await target(request.params), request.body)),
    );
    app.patch<{ Params: SessionPath }>(
      ingestUrl,
      options(
        ingest,
        `Feed a change of a live session (OCPI ${version} PATCH body)`,
        ingestTags,
        codec.patchSchema,
      ),
      async (request, reply) =>
        answer(reply, await receivePatch(writes, await target(request.params), request.body)),
    );
  }
}

const INGEST_VERSIONS = ['2.2.1', '2.3.0'] as const;
