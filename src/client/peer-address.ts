// Which peer addresses an outbound call may connect to (`--deny-private-peers`), checked at connect time on the
// addresses the name resolved to (through a proxy: before the request, assertPublicHost), so a name that resolves to a public address once and a private one later
// (DNS rebinding) is checked again on every connection, and an IP literal is checked as it is.
import { lookup as dnsLookup, promises as dnsPromises, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';

/** Loopback, link-local, private (RFC 1918, RFC 4193), unspecified, CGNAT (RFC 6598); IPv4-mapped forms too. */
const DENIED = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network", including the unspecified 0.0.0.0
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const)
  DENIED.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fe80::', 10],
  ['fc00::', 7],
] as const)
  DENIED.addSubnet(net, bits, 'ipv6');

/** The error a refused connection fails with (its message names the address: for our log, not for peers). */
export class PeerAddressDenied extends Error {
  readonly code = 'EPEERDENIED';
  constructor(readonly address: string) {
    super(`connection to ${address} refused: private, loopback or link-local address (--deny-private-peers)`);
  }
}

/** True for an address `--deny-private-peers` refuses (IPv4-mapped IPv6 is checked as its IPv4 address). */
export function isDeniedAddress(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '');
  const family = isIP(a);
  if (family === 0) return false;
  return DENIED.check(a, family === 4 ? 'ipv4' : 'ipv6');
}

/** dns.lookup that fails when any address the name resolves to is denied. */
const checkedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const denied = addresses.find((x) => isDeniedAddress(x.address));
    if (denied) return callback(new PeerAddressDenied(`${hostname} (${denied.address})`), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
};

/**
 * The undici connector for calls to peer-supplied URLs with `--deny-private-peers`: refuses denied addresses at
 * connect time (outbound-agent.ts gives it to every direct connection).
 */
export function denyingConnector(): buildConnector.connector {
  const connect = buildConnector({ lookup: checkedLookup });
  return (options, callback) => {
    // net.connect does not look up IP literals: check those here.
    if (isDeniedAddress(options.hostname)) {
      callback(new PeerAddressDenied(options.hostname), null);
      return;
    }
    connect(options, callback);
  };
}

/**
 * Through a proxy the connection goes to the proxy, not to the peer: `--deny-private-peers` then checks the
 * target's host before the request instead (an IP literal as it is, a name by resolving it here, every address it
 * resolves to). The proxy resolves the name again, so a name that changes its answer between the two lookups
 * (DNS rebinding) is not caught: a proxy that must never reach private addresses has to refuse them itself.
 */
export async function assertPublicHost(hostname: string): Promise<void> {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    if (isDeniedAddress(host)) throw new PeerAddressDenied(host);
    return;
  }
  const addresses = await dnsPromises.lookup(host, { all: true });
  const denied = addresses.find((x) => isDeniedAddress(x.address));
  if (denied) throw new PeerAddressDenied(`${host} (${denied.address})`);
}
