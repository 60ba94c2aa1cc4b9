/**
 * The address a caller signs in from, for the per-address failure limit. Behind an edge proxy
 * (ingress-nginx, a Gateway, a cloud load balancer) every connection comes from the proxy, so
 * the limit would lump all clients together; the proxy names the client in X-Forwarded-For.
 * That header is only as honest as whoever wrote it, so it is read only from proxies listed in
 * AUTH_TRUSTED_PROXIES, walking it from the right (each trusted hop vouches for the one before
 * it) and stopping at the first address no trusted proxy stands behind. Without a list nothing
 * is trusted: a forged header can never move a caller out of its own address's budget.
 */
import { BlockList, isIP } from 'node:net';

export interface ProxyTrust {
  /** True when `address` is a proxy whose X-Forwarded-For is believed. */
  trusts(address: string): boolean;
}

export const TRUST_NO_PROXY: ProxyTrust = { trusts: () => false };

/** Hops of X-Forwarded-For looked at: a longer header costs nothing more. */
const MAX_HOPS = 16;

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) is 10.0.0.1. */
function normalize(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

/**
 * Parses a comma-separated list of addresses and CIDR ranges (`10.0.0.0/8, 2001:db8::/32,
 * 192.0.2.7`); each malformed entry is a problem naming it.
 */
export function parseTrustedProxies(text: string | undefined, problems: string[]): ProxyTrust {
  const entries = (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (entries.length === 0) return TRUST_NO_PROXY;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefixText] = entry.split('/');
    const family = isIP(address);
    const prefix = prefixText === undefined ? undefined : Number(prefixText);
    const maxPrefix = family === 6 ? 128 : 32;
    if (
      family === 0 ||
      (prefix !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= maxPrefix))
    ) {
      problems.push(`AUTH_TRUSTED_PROXIES: '${entry}' is not an IP address or CIDR range`);
      continue;
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
  }
  return {
    trusts(address) {
      const a = normalize(address);
      const family = isIP(a);
      return family !== 0 && list.check(a, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

/**
 * The client's address: `peer` (the socket's address) unless it is a trusted proxy, then the
 * right-most X-Forwarded-For entry that is not one, or the last trusted hop when the entry
 * before it is not an address at all.
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trust: ProxyTrust): string {
  let current = normalize(peer);
  if (forwardedFor === undefined || !trust.trusts(current)) return current;
  const hops = forwardedFor.split(',').slice(-MAX_HOPS);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalize(hops[i]!.trim());
    if (isIP(hop) === 0) return current;
    current = hop;
    if (!trust.trusts(current)) return current;
  }
  return current;
}
