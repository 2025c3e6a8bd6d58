// What an OCPI module declares about itself, as data (no code of any layer): its OCPI ModuleID, the interfaces it
// serves per role and version, its OpenAPI tags. The versions module lists endpoints from it, the documentation
// takes its tags from it, discovery and push look partners' endpoints up by its identifier.
import type { Role } from '../domain/party.js';
import type { OcpiVersion } from '../domain/wire-format.js';

/** OCPI 2.2.1 §6.2.2 InterfaceRole: SENDER serves the data owner's side (GET lists), RECEIVER the other. */
export type InterfaceRole = 'SENDER' | 'RECEIVER';

/** One interface this instance serves. */
export interface ModuleInterface {
  role: InterfaceRole;
  /** Which of our roles serves it (a CPO serves the Sessions SENDER, an eMSP the RECEIVER); 'any': every party. */
  servedBy: Role | 'any';
  /** The URL path of the interface in one version (the base the module's routes extend). */
  path(version: OcpiVersion): string;
}

export interface ModuleDescriptor {
  /**
   * OCPI 2.2.1 §4.2 / §6: configuration modules (versions, credentials) set the connection up and may be called
   * with token A; functional modules (sessions, cdrs, …) carry the data, with routing headers on 2.2.1.
   */
  readonly kind: 'configuration' | 'functional';
  /** OCPI ModuleID (2.2.1 §6.2.3; 2.1.1 endpoint identifier): `sessions`, `credentials`, `cdrs`, … */
  readonly identifier: string;
  /** Interfaces served, in the order they are listed; empty for a module that is not listed (versions). */
  readonly interfaces: readonly ModuleInterface[];
  /** OpenAPI tags of its routes, with their descriptions, in page order. */
  readonly tags: readonly { name: string; description: string }[];
}

/** The URL path of a module's interface in one version (its routes are registered under it). */
export function interfacePath(module: ModuleDescriptor, role: InterfaceRole, version: OcpiVersion): string {
  const found = module.interfaces.find((i) => i.role === role);
  if (!found) throw new Error(`the ${module.identifier} module serves no ${role} interface`);
  return found.path(version);
}
