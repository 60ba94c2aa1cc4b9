/**
 * Certificates rotate without a restart (docs/security.md, "Rotation"): `infra certs --rotate`
 * reissues every service certificate under the same CA; a running ingestion serves the new one
 * within GRPC_TLS_RELOAD_INTERVAL, new clients connect, and a client connected before goes on.
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataDir, ensureCertificates, tls as tlsFiles } from '@simstream/infra';
import { ingestionClientFor, startIngestion, type IngestionProcess } from '../src/index.js';

/** The serial number of the certificate a TLS server presents now. */
function servedSerial(address: string): Promise<string> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      {
        host,
        port: Number(port),
        ca: readFileSync(tlsFiles().caFile),
        servername: 'localhost',
        ALPNProtocols: ['h2'],
      },
      () => {
        const serial = socket.getPeerCertificate().serialNumber;
        socket.end();
        resolve(serial);
      },
    );
    socket.once('error', reject);
  });
}

describe('certificate rotation', () => {
  let ingestion: IngestionProcess;
  beforeAll(async () => {
    ingestion = await startIngestion({ GRPC_TLS_RELOAD_INTERVAL: '1s' });
  });
  afterAll(async () => {
    await ingestion?.stop();
  });

  it('serves a reissued certificate without a restart, to new and existing clients', async () => {
    const before = await servedSerial(ingestion.grpcAddress);
    const early = await ingestionClientFor(ingestion.grpcAddress);
    await early.status('');

    expect(await ensureCertificates(dataDir(), { rotate: true })).toContain('ingestion');
    let after = before;
    for (let waited = 0; after === before && waited < 15_000; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      after = await servedSerial(ingestion.grpcAddress);
    }
    expect(after).not.toBe(before);

    const late = await ingestionClientFor(ingestion.grpcAddress);
    expect((await late.status('')).serverId).not.toBe('');
    expect((await early.status('')).serverId).not.toBe('');
    early.close();
    late.close();
  });
});
