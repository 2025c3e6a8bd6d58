// Credentials registration (OCPI 2.1.1 §credentials 4.1, 2.2.1 §7.4): the token A → B → C exchange,
// from either side, plus update (PUT) and unregister (DELETE).
import { randomUUID } from 'node:crypto';
import type { Endpoint, Partner, PartnerUpdate, Role, TokenEncoding } from '../../../domain/party.js';
import { partyKey } from '../../../domain/session.js';
import { defaultEncoding } from '../../../domain/token-encoding.js';
import { VERSION_PREFERENCE, type OcpiVersion } from '../../../domain/wire-format.js';
import { DiscoveryError, discoverVersion, versionInPath } from '../../../client/discovery.js';
import { send, succeeded, type OcpiAnswer, type OcpiCall } from '../../../client/transport.js';
import type { SessionStore } from '../../../store/contract.js';
import {
  parseCredentials,
  parseVersionDetails,
  parseVersionList,
  renderCredentials,
  type PeerCredentials,
} from '../wire/credentials.js';
import { getIdentity, type Identity } from '../../../service/identity.js';
import { wakeRoutes } from '../../../service/push-route.js';
import { RegistrationError } from '../../../service/refused.js';
import { generateToken, hashToken } from '../../../service/tokens.js';

/** How registration calls the peer. */
export interface OutboundOptions {
  /** `--deny-private-peers`: the peer supplies the URLs, so refuse private, loopback and link-local addresses. */
  denyPrivatePeers?: boolean;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

export interface PeerEndpoints {
  version: OcpiVersion;
  endpoints: Endpoint[];
  /** The encoding the peer accepted on the last call. */
  encoding: TokenEncoding;
}

function failure(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const cause = err.cause?.message ?? err.cause?.code;
  return `${err.message ?? String(e)}${cause ? `: ${cause}` : ''}`;
}

function answered(a: OcpiAnswer): string {
  return `HTTP ${a.http}${a.statusCode !== undefined ? ` OCPI ${a.statusCode}` : ''}${a.statusMessage ? ` ${a.statusMessage}` : ''}`;
}

/** One registration: one X-Correlation-ID across its calls (OCPI 2.2.1 §4.1.4), the outbound options. */
interface Operation extends OutboundOptions {
  correlationId: string;
}

/** One call of a registration; a connection failure, timeout or oversized answer becomes a generic 3001. */
async function call(op: Operation, c: OcpiCall, what: string): Promise<OcpiAnswer> {
  try {
    return await send({
      ...c,
      correlationId: op.correlationId,
      denyPrivatePeers: op.denyPrivatePeers,
      timeoutMs: c.timeoutMs ?? op.timeoutMs,
      maxResponseBytes: op.maxResponseBytes,
    });
  } catch (e) {
    throw new RegistrationError(3001, `Unable to reach ${what}`, `${c.method} ${c.url}: ${failure(e)}`);
  }
}

/**
 * GET their versions and the details of the highest mutual version (OCPI 2.2.1 §7.4.1 steps 2–3), through the
 * one discovery (client/discovery.ts); each document is validated here as it is read.
 *
 * Token encoding: OCPI 2.2.1 §4.1.2 sends Base64(token), OCPI 2.1.1 the token as it is. Before the versions list
 * is read the version is not known: the versions GET is encoded for the version asked for (the credentials URL's
 * version on our side of POST/PUT, `register --version`), else the version the URL names, else Base64. Once the
 * version is chosen, the next calls use that version's encoding, unless the peer already refused it on the
 * versions GET. Every call falls back once to the other encoding when refused; what worked last is kept.
 */
async function fetchPeerEndpoints(
  op: Operation,
  versionsUrl: string,
  token: string,
  prefer?: OcpiVersion,
): Promise<PeerEndpoints> {
  let encoding = defaultEncoding(prefer ?? versionInPath(versionsUrl));
  let refusedFirst = false;
  const read = async (url: string, chosen?: OcpiVersion) => {
    const what = chosen ? 'their version details' : 'their versions';
    if (chosen && !refusedFirst) encoding = defaultEncoding(chosen);
    const a = await call(op, { method: 'GET', url, token, encoding }, what);
    if (a.encoding !== encoding) refusedFirst = true;
    encoding = a.encoding;
    if (!succeeded(a))
      throw new RegistrationError(3001, `Unable to read ${what}`, `GET ${url}: ${answered(a)}`);
    const parsed = chosen ? parseVersionDetails(a.data) : parseVersionList(a.data);
    if (!parsed.ok)
      throw new RegistrationError(
        chosen ? 3003 : 3001,
        chosen ? 'Their version details are invalid' : 'Their versions list is invalid',
        `GET ${url}: ${parsed.issues[0]?.path} ${parsed.issues[0]?.message}`,
      );
    return { url: a.url, data: a.data };
  };
  let found;
  try {
    found = await discoverVersion(read, versionsUrl, prefer);
  } catch (e) {
    if (!(e instanceof DiscoveryError)) throw e;
    if (e.reason === 'no-version')
      throw new RegistrationError(
        3002,
        `No mutual version: we support ${prefer ?? VERSION_PREFERENCE.join(', ')}`,
        `GET ${versionsUrl}: they offer ${e.offered.join(', ')}`,
      );
    if (e.reason === 'not-a-url')
      throw new RegistrationError(3001, 'Their versions list is invalid', `GET ${versionsUrl}: ${e.message}`);
    throw new RegistrationError(3003, 'Their version details are invalid', e.message);
  }
  if (!found.endpoints.some((e) => e.identifier === 'credentials')) {
    throw new RegistrationError(
      3003,
      'Their version details list no credentials endpoint',
      `GET ${found.url}`,
    );
  }
  return { version: found.version, endpoints: found.endpoints, encoding };
}

async function requireIdentity(store: SessionStore): Promise<Identity> {
  const identity = await getIdentity(store);
  if (!identity)
    throw new RegistrationError(
      3000,
      'This instance has no party identity: run `ocpi-sessions party set` first',
    );
  return identity;
}

/** The roles a 2.1.1 peer plays, which its credentials do not state: the complement of ours. */
function peerRoles(peer: PeerCredentials, us: Identity): Role[] {
  if (peer.roles.length) return peer.roles;
  return us.roles.includes('CPO') && !us.roles.includes('EMSP')
    ? ['EMSP']
    : us.roles.includes('EMSP') && !us.roles.includes('CPO')
      ? ['CPO']
      : ['CPO', 'EMSP'];
}

/**
 * What a registration records of the peer's party: its Hub party (2.3.0; null clears one it no longer gives) and
 * the parties its roles list, ours left out (a hub may list every party reachable through it, us included).
 */
function peerParties(peer: PeerCredentials, us: Identity): Pick<PartnerUpdate, 'hubPartyId' | 'parties'> {
  const own = partyKey(us.countryCode, us.partyId);
  return { hubPartyId: peer.hubPartyId ?? null, parties: peer.parties.filter((p) => p.key !== own) };
}

/** Stores what a registration learned and issues a fresh token for them to use (token C, or a rotated one). */
async function storeRegistration(
  store: SessionStore,
  partner: Partner,
  peer: PeerCredentials,
  endpoints: PeerEndpoints,
  us: Identity,
): Promise<{ partner: Partner; ourToken: string }> {
  const ourToken = generateToken();
  const existing = await store.getPartner(`${peer.countryCode}-${peer.partyId}`);
  if (existing && existing.id !== partner.id) {
    throw new RegistrationError(2001, `Party ${existing.key} is already registered with another token`);
  }
  const updated = await store.updatePartner(partner.id, {
    countryCode: peer.countryCode,
    partyId: peer.partyId,
    roles: peerRoles(peer, us),
    businessName: peer.businessName,
    state: 'registered',
    version: endpoints.version,
    versionsUrl: peer.url,
    endpoints: endpoints.endpoints,
    tokenEncoding: endpoints.encoding,
    tokenHash: hashToken(ourToken),
    theirToken: peer.token,
    ...peerParties(peer, us),
  });
  await wakeRoutes(store, updated);
  return { partner: updated, ourToken };
}

/**
 * The party a credentials object claims must not be ours (a partner holding our own party key could read and
 * write our own CPO sessions through the receiver), and a partner whose party is known (registered, or added by
 * hand) cannot become another party through PUT: it would see that party's sessions. Changing party needs the
 * operator: unregister, then register again with a new token A.
 */
function checkClaimedParty(caller: Partner, peer: PeerCredentials, us: Identity): void {
  const claimed = `${peer.countryCode}-${peer.partyId}`;
  if (claimed === `${us.countryCode}-${us.partyId}`.toUpperCase()) {
    throw new RegistrationError(2001, `The credentials claim this platform's own party ${claimed}`);
  }
  if (caller.key && caller.key !== claimed) {
    throw new RegistrationError(
      2001,
      `Registered as ${caller.key}: the party cannot change to ${claimed} (unregister and register again)`,
    );
  }
}

/**
 * Server side of POST/PUT credentials: the caller sent its credentials (token B, versions URL, party).
 * We fetch its endpoints with token B, then answer with our credentials holding a new token (C).
 * Token A (or the previous token) stops working: its hash is replaced in the same update.
 */
export async function acceptCredentials(
  store: SessionStore,
  caller: Partner,
  urlVersion: OcpiVersion,
  body: unknown,
  ourVersionsUrl: string,
  outbound: OutboundOptions = {},
): Promise<unknown> {
  const us = await requireIdentity(store);
  const parsed = parseCredentials(urlVersion, body);
  if (!parsed.ok) {
    throw new RegistrationError(
      2001,
      `Invalid credentials object: ${parsed.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
    );
  }
  checkClaimedParty(caller, parsed.value, us);
  const op = { ...outbound, correlationId: randomUUID() };
  const endpoints = await fetchPeerEndpoints(op, parsed.value.url, parsed.value.token, urlVersion);
  const { ourToken } = await storeRegistration(store, caller, parsed.value, endpoints, us);
  return renderCredentials(urlVersion, ourToken, ourVersionsUrl, us);
}

/** GET credentials: ours for this caller. The caller's own valid token is the one it uses with us. */
export async function currentCredentials(
  store: SessionStore,
  version: OcpiVersion,
  callerToken: string,
  ourVersionsUrl: string,
) {
  const us = await requireIdentity(store);
  return renderCredentials(version, callerToken, ourVersionsUrl, us);
}

/** Client side: register with a party that handed us its versions URL and token A (OCPI 2.2.1 §7.4.1). */
export async function registerWith(
  store: SessionStore,
  theirVersionsUrl: string,
  tokenA: string,
  ourVersionsUrl: string,
  prefer?: OcpiVersion,
  outbound: OutboundOptions = {},
): Promise<Partner> {
  const us = await requireIdentity(store);
  const op = { ...outbound, correlationId: randomUUID() };
  const peer = await fetchPeerEndpoints(op, theirVersionsUrl, tokenA, prefer);
  const credentialsUrl = peer.endpoints.find((e) => e.identifier === 'credentials')!.url;
  // Token B: live before we POST, because they call our versions endpoints with it before answering.
  const tokenB = generateToken();
  const pending = await store.addInvite(hashToken(tokenB));
  await store.updatePartner(pending.id, { state: 'registering' });
  try {
    const answer = await call(
      op,
      {
        method: 'POST',
        url: credentialsUrl,
        token: tokenA,
        encoding: peer.encoding,
        body: renderCredentials(peer.version, tokenB, ourVersionsUrl, us),
        timeoutMs: 30_000,
      },
      'their credentials endpoint',
    );
    if (!succeeded(answer)) {
      throw new RegistrationError(
        answer.statusCode ?? 3001,
        'Their credentials endpoint refused the registration',
        `POST ${credentialsUrl}: ${answered(answer)}`,
      );
    }
    const theirs = parseCredentials(peer.version, answer.data);
    if (!theirs.ok)
      throw new RegistrationError(
        3001,
        'Their credentials answer is invalid',
        `POST ${credentialsUrl}: ${theirs.issues[0]?.path} ${theirs.issues[0]?.message}`,
      );
    const c = theirs.value;
    if (c.countryCode === us.countryCode.toUpperCase() && c.partyId === us.partyId.toUpperCase()) {
      throw new RegistrationError(3001, `They answered with our own party ${c.countryCode}-${c.partyId}`);
    }
    const registered = await store.updatePartner(pending.id, {
      countryCode: c.countryCode,
      partyId: c.partyId,
      roles: peerRoles(c, us),
      businessName: c.businessName,
      state: 'registered',
      version: peer.version,
      versionsUrl: theirVersionsUrl,
      endpoints: peer.endpoints,
      tokenEncoding: answer.encoding,
      theirToken: c.token,
      ...peerParties(c, us),
    });
    await wakeRoutes(store, registered);
    return registered;
  } catch (e) {
    await store.removePartnerById(pending.id);
    throw e;
  }
}

/** Creates a token A to hand to a partner offline. */
export async function invite(store: SessionStore): Promise<string> {
  const tokenA = generateToken();
  await store.addInvite(hashToken(tokenA));
  return tokenA;
}
