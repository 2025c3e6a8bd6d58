// The undici dispatcher of every outbound call (exchange.ts): undici's EnvHttpProxyAgent, so registration, push and
// pull honour HTTP_PROXY, HTTPS_PROXY and NO_PROXY (also lower-case) as curl does: http:// targets are forwarded
// (absolute-form requests, no CONNECT), https:// targets tunnelled with CONNECT; NO_PROXY hosts are called
// directly. With `--deny-private-peers` direct connections are checked at connect time (peer-address.ts); proxied
// requests are checked before they are sent (exchange.ts, assertPublicHost).
import { EnvHttpProxyAgent } from 'undici';
import { denyingConnector } from './peer-address.js';

const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'] as const;

/** The proxy settings of the environment now (a test or an operator may change them while the process runs). */
function proxyEnvironment(): string {
  return PROXY_VARIABLES.map((v) => `${process.env[v.toLowerCase()] ?? process.env[v] ?? ''}`).join('\n');
}

/** True when HTTP_PROXY or HTTPS_PROXY (either case) is set: some calls may then go through a proxy. */
export function proxyConfigured(): boolean {
  return PROXY_VARIABLES.slice(0, 2).some((v) => !!(process.env[v.toLowerCase()] ?? process.env[v]));
}

const agents = new Map<string, EnvHttpProxyAgent>();

/** One dispatcher per process (per proxy environment and deny setting), reused by every call. */
export function outboundDispatcher(denyPrivatePeers: boolean): EnvHttpProxyAgent {
  const key = `${denyPrivatePeers}\n${proxyEnvironment()}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new EnvHttpProxyAgent({
      proxyTunnel: false,
      ...(denyPrivatePeers ? { connect: denyingConnector() } : {}),
    });
    agents.set(key, agent);
  }
  return agent;
}
