import * as grpc from '@grpc/grpc-js';
import { parseTrustedProxies, type Authenticator, type Principal } from '@simstream/auth';
import { describe, expect, it } from 'vitest';
import { publicGate, TENANT_HEADER } from './call-auth.js';

/** Records the address each sign-in is counted against (the failure limit's key). */
function recordingAuthenticator(addresses: string[]): Authenticator {
  const principal: Principal = {
    tenant: 'acme',
    subject: 'key:k',
    scopes: new Set(['ingest']),
    via: 'api-key',
  };
  return {
    authenticate: (_authorization: string | undefined, address: string) => {
      addresses.push(address);
      return Promise.resolve(principal);
    },
  } as unknown as Authenticator;
}

function metadata(entries: Record<string, string>): grpc.Metadata {
  const m = new grpc.Metadata();
  for (const [k, v] of Object.entries(entries)) m.set(k, v);
  return m;
}

const call = (peer: string, entries: Record<string, string>) => ({
  method: '/simstream.v1.IngestionService/StreamFrames',
  metadata: metadata({ authorization: 'Bearer x', ...entries }),
  authContext: {},
  peer,
});

describe('publicGate: the address a sign-in counts against', () => {
  it("is the socket's when no proxy is trusted, whatever x-forwarded-for says", async () => {
    const seen: string[] = [];
    const gate = publicGate(recordingAuthenticator(seen));
    await gate(call('ipv4:10.0.0.5:40000', { 'x-forwarded-for': '203.0.113.1' }));
    await gate(call('ipv6:[2001:db8::5]:40000', {}));
    expect(seen).toEqual(['10.0.0.5', '2001:db8::5']);
  });

  it('is the client a trusted edge proxy names, and the tenant still comes from the credential', async () => {
    const seen: string[] = [];
    const problems: string[] = [];
    const gate = publicGate(recordingAuthenticator(seen), parseTrustedProxies('10.0.0.0/8', problems));
    const trusted = await gate(
      call('ipv4:10.0.0.5:40000', {
        'x-forwarded-for': '198.51.100.1, 203.0.113.1',
        [TENANT_HEADER]: 'other',
      }),
    );
    await gate(call('ipv4:192.0.2.9:40000', { 'x-forwarded-for': '203.0.113.1' }));
    expect(problems).toEqual([]);
    expect(seen).toEqual(['203.0.113.1', '192.0.2.9']);
    expect(trusted.get(TENANT_HEADER)).toEqual(['acme']);
    expect(trusted.get('authorization')).toEqual([]);
  });
});
