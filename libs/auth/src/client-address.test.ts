import { describe, expect, it } from 'vitest';
import { clientAddress, parseTrustedProxies, TRUST_NO_PROXY } from './client-address.js';

describe('clientAddress', () => {
  const problems: string[] = [];
  const trust = parseTrustedProxies('10.0.0.0/8, 2001:db8::/32, 192.0.2.7', problems);

  it('parses addresses and ranges of both families', () => {
    expect(problems).toEqual([]);
    expect(trust.trusts('10.1.2.3')).toBe(true);
    expect(trust.trusts('::ffff:10.1.2.3')).toBe(true);
    expect(trust.trusts('2001:db8::1')).toBe(true);
    expect(trust.trusts('192.0.2.7')).toBe(true);
    expect(trust.trusts('192.0.2.8')).toBe(false);
    expect(trust.trusts('not-an-address')).toBe(false);
  });

  it('ignores X-Forwarded-For from a caller that is no trusted proxy (a forged header)', () => {
    expect(clientAddress('198.51.100.9', '203.0.113.1', trust)).toBe('198.51.100.9');
    expect(clientAddress('10.0.0.5', '203.0.113.1', TRUST_NO_PROXY)).toBe('10.0.0.5');
  });

  it('takes the right-most address no trusted proxy stands behind', () => {
    expect(clientAddress('10.0.0.5', '203.0.113.1', trust)).toBe('203.0.113.1');
    // The client prepended a forged entry; the edge appended the real one.
    expect(clientAddress('10.0.0.5', '1.1.1.1, 203.0.113.1', trust)).toBe('203.0.113.1');
    // Two proxies in a row (a cloud load balancer, then the ingress controller).
    expect(clientAddress('10.0.0.5', '203.0.113.1, 192.0.2.7', trust)).toBe('203.0.113.1');
    expect(clientAddress('::ffff:10.0.0.5', '203.0.113.1', trust)).toBe('203.0.113.1');
  });

  it('stops at the last trusted hop when the entry before it is garbage, and without a header', () => {
    expect(clientAddress('10.0.0.5', 'garbage', trust)).toBe('10.0.0.5');
    expect(clientAddress('10.0.0.5', 'garbage, 192.0.2.7', trust)).toBe('192.0.2.7');
    expect(clientAddress('10.0.0.5', undefined, trust)).toBe('10.0.0.5');
  });

  it('names each malformed entry', () => {
    const found: string[] = [];
    parseTrustedProxies('10.0.0.0/33, example.com, ::1/129, 10.0.0.1', found);
    expect(found).toEqual([
      "AUTH_TRUSTED_PROXIES: '10.0.0.0/33' is not an IP address or CIDR range",
      "AUTH_TRUSTED_PROXIES: 'example.com' is not an IP address or CIDR range",
      "AUTH_TRUSTED_PROXIES: '::1/129' is not an IP address or CIDR range",
    ]);
  });
});
