import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { identityGate, isOpenMethod, peerAddress } from './call-gate.js';
import { grpcTls } from './tls.js';

const call = (cn?: string) => ({
  method: '/simstream.v1.QueryService/ListResults',
  metadata: new Metadata(),
  authContext: cn === undefined ? {} : { sslPeerCertificate: { subject: { CN: cn } } as never },
  peer: 'ipv4:127.0.0.1:5000',
});

describe('call gate', () => {
  it('lets only the allowed service identities through, and any caller only when insecure', async () => {
    const gate = identityGate(['gateway'], false, 'query');
    await expect(gate(call('gateway'))).resolves.toBeInstanceOf(Metadata);
    await expect(gate(call('ingestion'))).rejects.toMatchObject({ code: 'CALLER_NOT_ALLOWED' });
    await expect(gate(call())).rejects.toMatchObject({ code: 'AUTH_REQUIRED' });
    await expect(identityGate(['gateway'], true, 'query')(call())).resolves.toBeInstanceOf(Metadata);
  });

  it('keeps health and reflection open', () => {
    expect(isOpenMethod('/grpc.health.v1.Health/Check')).toBe(true);
    expect(isOpenMethod('/grpc.reflection.v1.ServerReflection/ServerReflectionInfo')).toBe(true);
    expect(isOpenMethod('/simstream.v1.IngestionService/GetStatus')).toBe(false);
  });

  it('reads the address out of a grpc-js peer', () => {
    expect(peerAddress('ipv4:10.0.0.7:51234')).toBe('10.0.0.7');
    expect(peerAddress('ipv6:[::1]:51234')).toBe('::1');
    expect(peerAddress('unix:/tmp/s')).toBe('unix:/tmp/s');
  });

  it('refuses a TLS config without its files unless insecure is explicit', () => {
    const problems: string[] = [];
    const base = {
      GRPC_TLS_RELOAD_INTERVAL: 60_000,
      GRPC_TLS_CA_FILE: undefined,
      GRPC_TLS_KEY_FILE: undefined,
    };
    grpcTls({ ...base, GRPC_TLS_CERT_FILE: 'c.pem', GRPC_INSECURE: false }, problems);
    expect(problems[0]).toMatch(/^GRPC_TLS_CA_FILE, GRPC_TLS_KEY_FILE: required/);
    expect(grpcTls({ ...base, GRPC_TLS_CERT_FILE: undefined, GRPC_INSECURE: true }, [])).toEqual({
      insecure: true,
    });
  });
});
