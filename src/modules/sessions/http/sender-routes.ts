// CPO Sessions sender interface: GET /ocpi/cpo/{2.1.1|2.2.1}/sessions
// (OCPI 2.1.1 §mod_sessions 3.1.1 / 2.2.1 §9.2.1.1).
import type { FastifyInstance } from 'fastify';
import { OCPI_VERSIONS } from '../../../domain/wire-format.js';
import { listSessionsForToken } from '../service/sender.js';
import type { TokenCache } from '../../../service/token-cache.js';
import { unauthorized } from '../../../http/auth.js';
import { fromParty } from '../../../http/transport-headers.js';
import type { SessionStore } from '../../../store/contract.js';
import { sendError, sendListEnvelope, STATUS } from '../../../http/envelope.js';
import {
  PageQuerySchema,
  QueryError,
  setPageHeaders,
  toPageQuery,
  type PageQueryInput,
  type PagingConfig,
} from '../../../http/pagination.js';
import { SENDER_TAG, sessionsModule } from '../module.js';
import { sessionsResponseSchema } from './openapi.js';
import { interfacePath } from '../../descriptor.js';

export function registerSessionsSender(
  app: FastifyInstance,
  store: SessionStore,
  tokens: TokenCache,
  config: PagingConfig,
): void {
  for (const version of OCPI_VERSIONS) {
    app.get<{ Querystring: PageQueryInput }>(
      interfacePath(sessionsModule, 'SENDER', version),
      {
        config: { access: 'partner', ocpiVersion: version, tokenCache: true },
        schema: {
          summary: `Fetch Sessions from the CPO's system (OCPI ${version})`,
          description:
            `OCPI ${version} Sessions module, Sender interface, GET (${version === '2.1.1' ? 'mod_sessions §3.1.1' : '§9.2.1.1'}): ` +
            "the sessions of the tokens of the calling eMSP (other parties' sessions are neither listed nor counted), " +
            "in creation order, one page at a time. The partner's configured format decides the body: standard " +
            'OCPI, or the camelCase / integer-enum format.',
          tags: [SENDER_TAG],
          querystring: PageQuerySchema,
          response: { 200: sessionsResponseSchema(version) },
        },
      },
      async (request, reply) => {
        let query;
        try {
          query = toPageQuery(request.query, config);
        } catch (e) {
          if (e instanceof QueryError) return sendError(reply, 400, STATUS.INVALID_PARAMETERS, e.message);
          throw e;
        }
        const header = request.headers.authorization;
        const auth = request.cachedAuth!;
        const from = fromParty(request);
        const listed = await listSessionsForToken(store, tokens, header, auth, version, query, from);
        if (!listed) return unauthorized(reply, 'Unknown or malformed token');
        request.partner = listed.partner;
        setPageHeaders(request, reply, query, listed.page, config);
        return sendListEnvelope(reply, listed.page.bodies);
      },
    );
  }
}
