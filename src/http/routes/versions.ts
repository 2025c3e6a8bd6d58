// Versions module (OCPI 2.1.1 §version_information_endpoint, 2.2.1 §6): the versions we speak and, per version,
// every endpoint this instance serves, as absolute URLs from the public base URL. Tokens A, B and C may call them.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Endpoint, Partner } from '../../domain/party.js';
import { OCPI_VERSIONS, type OcpiVersion } from '../../domain/wire-format.js';
import type { Identity } from '../../service/identity.js';
import { baseUrl } from '../base-url.js';
import { sendEnvelope, STATUS } from '../envelope.js';

/** Endpoints of one version. 2.1.1 has no roles, so a CPO+EMSP instance lists the sessions interface that the
 *  caller uses: the sender for an eMSP caller, the receiver for a CPO caller. */
export function endpointsFor(
  version: OcpiVersion,
  base: string,
  us: Identity | undefined,
  caller: Partner | null,
): Endpoint[] {
  const roles = us?.roles ?? ['CPO'];
  const list: Endpoint[] = [
    {
      identifier: 'credentials',
      ...(version === '2.2.1' ? { role: 'SENDER' as const } : {}),
      url: `${base}/ocpi/${version}/credentials`,
    },
  ];
  const sender = { identifier: 'sessions', url: `${base}/ocpi/cpo/${version}/sessions` };
  const receiver = { identifier: 'sessions', url: `${base}/ocpi/emsp/${version}/sessions` };
  if (version === '2.2.1') {
    if (roles.includes('CPO')) list.push({ ...sender, role: 'SENDER' });
    if (roles.includes('EMSP')) list.push({ ...receiver, role: 'RECEIVER' });
  } else {
    const callerIsCpo = caller?.roles.includes('CPO') && !caller.roles.includes('EMSP');
    const useReceiver = roles.includes('EMSP') && (!roles.includes('CPO') || callerIsCpo);
    list.push(useReceiver ? receiver : sender);
  }
  return list;
}

export function registerVersions(
  app: FastifyInstance,
  publicUrl: string | undefined,
  identity: () => Promise<Identity | undefined>,
): void {
  const base = (r: FastifyRequest) => baseUrl(r, publicUrl);
  // Tokens A, B and C may call the versions module (OCPI 2.2.1 §7.2.1).
  const config = { access: 'configuration' as const };
  app.get(
    '/ocpi/versions',
    { config, schema: { summary: 'Versions supported (OCPI Versions module)', tags: ['versions'] } },
    async (request, reply) => {
      const data = OCPI_VERSIONS.map((version) => ({ version, url: `${base(request)}/ocpi/${version}` }));
      return sendEnvelope(reply, 200, STATUS.SUCCESS, 'Success', JSON.stringify(data));
    },
  );
  for (const version of OCPI_VERSIONS) {
    app.get(
      `/ocpi/${version}`,
      { config, schema: { summary: `Version details of OCPI ${version}`, tags: ['versions'] } },
      async (request, reply) => {
        const data = {
          version,
          endpoints: endpointsFor(version, base(request), await identity(), request.partner),
        };
        return sendEnvelope(reply, 200, STATUS.SUCCESS, 'Success', JSON.stringify(data));
      },
    );
  }
}
