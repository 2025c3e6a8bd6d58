// Credentials module server side (OCPI 2.1.1 §credentials, 2.2.1 §7.2): GET / POST / PUT / DELETE.
// HTTP 405 for POST when already registered, and for PUT/DELETE when not registered (2.2.1 §7.2.2–7.2.4).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OcpiVersion } from '../../domain/wire-format.js';
import {
  acceptCredentials,
  currentCredentials,
  RegistrationError,
  type OutboundOptions,
} from '../../service/registration.js';
import type { SessionStore } from '../../store/contract.js';
import { Credentials211Schema, Credentials221Schema } from '../../wire/credentials.js';
import { baseUrl } from '../base-url.js';
import { sendEnvelope, sendError, STATUS } from '../envelope.js';
import { VERSIONS } from './versions.js';

function registrationFailed(request: FastifyRequest, reply: FastifyReply, e: unknown) {
  if (!(e instanceof RegistrationError)) throw e;
  // The caller gets the generic message; what we called and what answered there goes to our log only.
  request.log.warn({ statusCode: e.statusCode, detail: e.detail }, `registration failed: ${e.message}`);
  // 2001: the body itself is wrong → HTTP 400. 3xxx: their side failed; the request reached the OCPI layer
  // (OCPI 2.2.1 §5), so the HTTP status stays 200 and the envelope carries the code.
  return sendError(reply, e.statusCode === 2001 ? 400 : 200, e.statusCode, e.message);
}

export function registerCredentials(
  app: FastifyInstance,
  store: SessionStore,
  publicUrl: string | undefined,
  outbound: OutboundOptions = {},
): void {
  for (const version of VERSIONS as OcpiVersion[]) {
    const url = `/ocpi/${version}/credentials`;
    const tags = ['credentials'];
    // Token A may register (OCPI 2.2.1 §7.2.1): any partner token reaches these routes.
    const config = { access: 'configuration' as const };
    const documentedBody = version === '2.1.1' ? Credentials211Schema : Credentials221Schema;
    const ours = (r: Parameters<typeof baseUrl>[0]) => `${baseUrl(r, publicUrl)}/ocpi/versions`;

    app.get(
      url,
      { config, schema: { summary: `Our credentials for the caller (OCPI ${version})`, tags } },
      async (request, reply) => {
        try {
          const data = await currentCredentials(store, version, request.ocpiToken!, ours(request));
          return sendEnvelope(reply, 200, STATUS.SUCCESS, 'Success', JSON.stringify(data));
        } catch (e) {
          return registrationFailed(request, reply, e);
        }
      },
    );

    app.post(
      url,
      { config, schema: { summary: `Register: token A → B → C (OCPI ${version})`, tags, documentedBody } },
      async (request, reply) => {
        if (request.partner!.state !== 'invited') {
          return sendError(
            reply,
            405,
            STATUS.CLIENT_ERROR,
            'Already registered: use PUT to update or DELETE to unregister',
          );
        }
        try {
          const data = await acceptCredentials(
            store,
            request.partner!,
            version,
            request.body,
            ours(request),
            outbound,
          );
          return sendEnvelope(reply, 200, STATUS.SUCCESS, 'Registered', JSON.stringify(data));
        } catch (e) {
          return registrationFailed(request, reply, e);
        }
      },
    );

    app.put(
      url,
      {
        config,
        schema: { summary: `Update registration / rotate token (OCPI ${version})`, tags, documentedBody },
      },
      async (request, reply) => {
        if (request.partner!.state === 'invited') {
          return sendError(reply, 405, STATUS.CLIENT_ERROR, 'Not registered: POST credentials first');
        }
        try {
          const data = await acceptCredentials(
            store,
            request.partner!,
            version,
            request.body,
            ours(request),
            outbound,
          );
          return sendEnvelope(reply, 200, STATUS.SUCCESS, 'Updated', JSON.stringify(data));
        } catch (e) {
          return registrationFailed(request, reply, e);
        }
      },
    );

    app.delete(
      url,
      { config, schema: { summary: `Unregister (OCPI ${version})`, tags } },
      async (request, reply) => {
        if (request.partner!.state === 'invited') {
          return sendError(reply, 405, STATUS.CLIENT_ERROR, 'Not registered');
        }
        await store.removePartnerById(request.partner!.id);
        return sendEnvelope(reply, 200, STATUS.SUCCESS, 'Unregistered');
      },
    );
  }
}
