// Use case: pull a module's objects (today: a CPO's sessions) into our store. Decides who we pull from (a partner's
// saved configuration, or a URL and token given now), who we are (2.1.1 sessions name neither party), then runs the
// pull (pull-runner.ts) with the module's adapter (pull-adapter.ts).
import type { InterfaceRef } from '../client/discovery.js';
import { partnerEndpoint, type TokenEncoding } from '../domain/party.js';
import { parsePartyKey, partyKey } from '../domain/session.js';
import type { OcpiVersion } from '../domain/wire-format.js';
import type { Party } from '../client/page-stream.js';
import type { SessionStore } from '../store/contract.js';
import { getIdentity } from './identity.js';
import { withPullLock } from './pull-lock.js';
import { pull, PullError, type PullOptions, type PullSummary } from './pull-runner.js';
import { recordPullRun } from './pull-stats.js';
import { loadPullConfig, savePullConfig } from './pull-state.js';
import { hashToken } from './tokens.js';

export class PullConfigError extends Error {}

/** The pull's `due` check, made under its lock, said no: another process ran it since the caller looked. */
export class PullNotDue extends Error {}

export interface PullTargetInput {
  /** `CC-PID` of the CPO: names the remembered state; with url + token, they are saved for next time. */
  partner?: string;
  url?: string;
  token?: string;
  version?: OcpiVersion;
  /** The CPO owning 2.1.1 sessions; default: the partner. */
  cpo?: string;
  /** Ourselves, the token owner of 2.1.1 sessions; default: saved with the partner, else this instance's identity. */
  emsp?: string;
}

export interface PullTarget {
  key: string;
  url: string;
  token: string;
  version?: OcpiVersion;
  cpo?: Party;
  emsp?: Party;
  /** From a partner registered over OCPI: its remembered encoding, and how to update it. */
  encoding?: TokenEncoding;
  onEncoding?: (encoding: TokenEncoding) => Promise<void>;
}

function party(name: string, value: string): Party {
  const p = parsePartyKey(value);
  if (!p) throw new PullConfigError(`--${name}: '${value}' is not a party (CC-PID, e.g. NL-CPO)`);
  return p;
}

/**
 * `--partner X --url U --token T`: pulls from U and saves U, T (and --version, --emsp) under X.
 * `--partner X` alone: uses what was saved under X; else, when X is a partner registered over OCPI (credentials
 * exchanged), its sessions SENDER endpoint (or versions URL), the token we call it with, its version and token
 * encoding. `--url U --token T` alone: state is kept under `url:U#<hash of T>` (two tokens at one URL are two
 * accounts: each has its own incremental state).
 */
export async function resolvePullTarget(
  store: SessionStore,
  input: PullTargetInput,
  endpoint: InterfaceRef,
): Promise<PullTarget> {
  const partner = input.partner !== undefined ? party('partner', input.partner) : undefined;
  const key = partner ? partyKey(partner.countryCode, partner.partyId) : undefined;
  if ((input.url === undefined) !== (input.token === undefined))
    throw new PullConfigError('--url and --token go together');
  let url = input.url;
  let token = input.token;
  let version = input.version;
  let emsp = input.emsp;
  let registeredExtras: Pick<PullTarget, 'encoding' | 'onEncoding'> = {};
  if (key && url !== undefined && token !== undefined) {
    const saved = await loadPullConfig(store, key);
    await savePullConfig(store, key, {
      url,
      token,
      ...((version ?? saved?.version) ? { version: version ?? saved?.version } : {}),
      ...((emsp ?? saved?.emsp) ? { emsp: emsp ?? saved?.emsp } : {}),
    });
    emsp ??= saved?.emsp;
  } else if (key) {
    const saved = await loadPullConfig(store, key);
    if (saved) {
      url = saved.url;
      token = saved.token;
      version ??= saved.version;
      emsp ??= saved.emsp;
    } else {
      const registered = await registeredPartner(store, key, endpoint);
      if (!registered)
        throw new PullConfigError(
          `no pull configuration saved for ${key} and no partner ${key} registered over OCPI: run once with ` +
            `--partner ${key} --url <versions-or-sessions-url> --token <token>`,
        );
      ({ url, token } = registered);
      version ??= registered.version;
      registeredExtras = { encoding: registered.encoding, onEncoding: registered.onEncoding };
    }
  } else if (url === undefined || token === undefined) {
    throw new PullConfigError(
      'pull needs --partner CC-PID, or --url <versions-or-sessions-url> --token <token>',
    );
  }
  try {
    new URL(url!);
  } catch {
    throw new PullConfigError(`--url: not a URL: ${url}`);
  }
  const identity = await getIdentity(store);
  return {
    ...registeredExtras,
    key: key ?? urlKey(url!, token!),
    url: url!,
    token: token!,
    version,
    cpo: input.cpo !== undefined ? party('cpo', input.cpo) : partner,
    emsp:
      emsp !== undefined
        ? party('emsp', emsp)
        : identity
          ? { countryCode: identity.countryCode, partyId: identity.partyId }
          : undefined,
  };
}

async function registeredPartner(store: SessionStore, key: string, endpoint: InterfaceRef) {
  const partner = await store.getPartner(key);
  if (!partner || partner.state !== 'registered') return undefined;
  const token = await store.getTheirToken(partner.id);
  // OCPI 2.2.1 §6.2.2: the partner's endpoint of the module with role SENDER (2.1.1: no role); else discover it.
  const url = partnerEndpoint(partner, endpoint.identifier, endpoint.role) ?? partner.versionsUrl;
  if (!token || !url) return undefined;
  return {
    url,
    token,
    version: partner.version,
    encoding: partner.tokenEncoding,
    // Remembered on the partner record too, where pushes to this partner look for it.
    onEncoding: async (encoding: TokenEncoding) => {
      await store.updatePartner(partner.id, { tokenEncoding: encoding });
    },
  };
}

/**
 * Pulls one module (`options.adapter`) from the target, one pull per target at a time. `due`, when given, is asked
 * once the lock is held (a scheduled pull: was it run by another process meanwhile?); false throws PullNotDue.
 */
export async function pullFrom(
  store: SessionStore,
  input: PullTargetInput,
  options: Omit<PullOptions, 'store' | 'key' | 'url' | 'token' | 'version' | 'cpo' | 'emsp'>,
  due?: () => Promise<boolean>,
): Promise<PullSummary> {
  const target = await resolvePullTarget(store, input, options.adapter.endpoint);
  const module = options.adapter.module;
  return withPullLock(store, target.key, async () => {
    if (due && !(await due())) throw new PullNotDue(`the pull of ${target.key} is not due any more`);
    let summary: PullSummary;
    try {
      summary = await pull({ ...options, ...target, store });
    } catch (e) {
      // Counted for /metrics (pull-stats.ts); a store too broken to count it must not hide the pull's own error.
      const counts = e instanceof PullError ? e.summary : undefined;
      await recordPullRun(store, module, target.key, false, counts).catch(() => undefined);
      throw e;
    }
    await recordPullRun(store, module, target.key, true, summary);
    return summary;
  });
}

/** The pull key without a partner: the URL and a short hash of the token (never the token itself). */
export function urlKey(url: string, token: string): string {
  return `url:${url}#${hashToken(token).slice(0, 16)}`;
}
