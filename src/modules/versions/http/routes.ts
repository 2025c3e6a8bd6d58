// Versions module (OCPI 2.1.1 §version_information_endpoint, 2.2.1 §6): the versions we speak and, per version,
// every endpoint this instance serves, as absolute URLs from the public base URL, listed from the module
// descriptors (src/modules/index.ts). Tokens A, B and C may call them.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Endpoint, Partner, Role } from '../../../domain/party.js';
import { OCPI_VERSIONS, type OcpiVersion } from '../../../domain/wire-format.js';
import type { Identity } from '../../../service/identity.js';
import { baseUrl } from '../../../http/base-url.js';
import { sendEnvelope, STATUS } from '../../../http/envelope.js';
import type { ModuleDescriptor, ModuleInterface } from '../../descriptor.js';
import { VERSIONS_TAG } from '../module.js';

/** OCPI 2.1.1 Endpoint class has identifier and url only; 2.2.1 §6.2.2 adds the InterfaceRole. */
const listsRoles = (version: OcpiVersion) => version !== '2.1.1';

/**
 * Endpoints of one version. Every interface served by one of our roles is listed with its role. 2.1.1 has no
 * roles, so a module lists one endpoint: a CPO+EMSP instance lists the interface the caller uses (the eMSP
 * side's for a CPO caller, the CPO side's otherwise: the sessions receiver for a CPO, the sender for an eMSP).
 */
export function endpointsFor(
  modules: readonly ModuleDescriptor[],
  version: OcpiVersion,
  base: string,
  us: Identity | undefined,
  caller: Partner | null,
): Endpoint[] {
  const roles: Role[] = us?.roles ?? ['CPO'];
  const list: Endpoint[] = [];
  for (const module of modules) {
    const served = module.interfaces.filter((i) => i.servedBy === 'any' || roles.includes(i.servedBy));
    const chosen = listsRoles(version) ? served : oneFor(served, caller);
    for (const i of chosen)
      list.push({
        identifier: module.identifier,
        ...(listsRoles(version) ? { role: i.role } : {}),
        url: `${base}${i.path(version)}`,
      });
  }
  return list;
}

function oneFor(served: ModuleInterface[], caller: Partner | null): ModuleInterface[] {
  if (served.length <= 1) return served;
  const callerIsCpo = caller?.roles.includes('CPO') && !caller.roles.includes('EMSP');
  const wanted: Role = callerIsCpo ? 'EMSP' : 'CPO';
  return [served.find((i) => i.servedBy === wanted) ?? served[0]!];
}

export function registerVersions(
  app: FastifyInstance,
  modules: readonly ModuleDescriptor[],
  publicUrl: string | undefined,
  identity: () => Promise<Identity | undefined>,
): void {
  const base = (r: FastifyRequest) => baseUrl(r, publicUrl);
  // Tokens A, B and C may call the versions module (OCPI 2.2.1 §7.2.1).
  const config = { access: 'configuration' as const };
  app.get(
    '/ocpi/versions',
    { config, schema: { summary: 'Versions supported (OCPI Versions module)', tags: [VERSIONS_TAG] } },
    async (request, reply) => {
      const data = OCPI_VERSIONS.map((version) => ({ version, url: `${base(request)}/ocpi/${version}` }));
      return sendEnvelope(reply, 200, STATUS.SUCCESS, 'Success', JSON.stringify(data));
    },
  );
  for (const version of OCPI_VERSIONS) {
    app.get(
      `/ocpi/${version}`,
      { config, schema: { summary: `Version details of OCPI ${version}`, tags: [VERSIONS_TAG] } },
      async (request, reply) => {
        const data = {
          version,
          endpoints: endpointsFor(modules, version, base(request), await identity(), request.partner),
        };
        return sendEnvelope(reply, 200, STATUS.SUCCESS, 'Success', JSON.stringify(data));
      },
    );
  }
}
