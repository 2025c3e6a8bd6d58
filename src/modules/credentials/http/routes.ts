// Credentials module server side (OCPI 2.1.1 §credentials, 2.2.1 §7.2): GET / POST / PUT / DELETE.
// Which method is allowed in which state (HTTP 405 for POST when already registered, PUT/DELETE when not,
// 2.2.1 §7.2.2–7.2.4) is decided by service/credentials.ts; refusals and registration failures are answered by
// the error handler (outcomes.ts: 2001 → HTTP 400; 3xxx → HTTP 200 with the code and a generic message).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OCPI_VERSIONS } from '../../../domain/wire-format.js';
import { unregister, writeCredentials } from '../service/credentials.js';
import { currentCredentials, type OutboundOptions } from '../service/registration.js';
import type { SessionStore } from '../../../store/contract.js';
import { credentialsSchema } from '../wire/credentials.js';
import { baseUrl } from '../../../http/base-url.js';
import { CREDENTIALS_TAG, credentialsModule } from '../module.js';
import { sendEnvelope, STATUS } from '../../../http/envelope.js';
import { interfacePath } from '../../descriptor.js';

export function registerCredentials(
  app: FastifyInstance,
  store: SessionStore,
  publicUrl: string | undefined,
  outbound: OutboundOptions = {},
): void {
  for (const version of OCPI_VERSIONS) {
    const url = interfacePath(credentialsModule, 'SENDER', version);
    const tags = [CREDENTIALS_TAG];
    // Token A may register (OCPI 2.2.1 §7.2.1): any partner token reaches these routes.
    const config = { access: 'configuration' as const };
    const documentedBody = credentialsSchema(version);
    const ours = (r: FastifyRequest) => `${baseUrl(r, publicUrl)}/ocpi/versions`;

    app.get(
      url,
      { config, schema: { summary: `Our credentials for the caller (OCPI ${version})`, tags } },
      async (request, reply) => {
        const data = await currentCredentials(store, version, request.ocpiToken!, ours(request));
        return sendEnvelope(reply, 200, STATUS.SUCCESS, 'Success', JSON.stringify(data));
      },
    );

    // POST registers (token A), PUT updates a registration or rotates the token: one use case, a state rule each.
    const writes = [
      { method: 'POST', summary: `Register: token A → B → C (OCPI ${version})`, message: 'Registered' },
      { method: 'PUT', summary: `Update registration / rotate token (OCPI ${version})`, message: 'Updated' },
    ] as const;
    for (const w of writes)
      app.route({
        method: w.method,
        url,
        config,
        schema: { summary: w.summary, tags, documentedBody },
        handler: async (request, reply) => {
          const data = await writeCredentials(
            w.method,
            store,
            request.partner!,
            version,
            request.body,
            ours(request),
            outbound,
          );
          return sendEnvelope(reply, 200, STATUS.SUCCESS, w.message, JSON.stringify(data));
        },
      });

    app.delete(
      url,
      { config, schema: { summary: `Unregister (OCPI ${version})`, tags } },
      async (request, reply) => {
        await unregister(store, request.partner!);
        return sendEnvelope(reply, 200, STATUS.SUCCESS, 'Unregistered');
      },
    );
  }
}
