import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IDENTITIES, ensureCertificates, tlsFiles } from './certs.js';

describe('ensureCertificates', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('issues a CA and one certificate per identity once, signed by it, and renews only when due', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certs-'));
    dirs.push(dir);
    expect(await ensureCertificates(dir)).toEqual([...IDENTITIES]);
    expect(await ensureCertificates(dir)).toEqual([]);
    const files = tlsFiles(dir);
    const ca = new X509Certificate(await readFile(files.caFile));
    const query = new X509Certificate(await readFile(files.certFile('query')));
    expect(query.subject).toBe('CN=query');
    expect(query.checkIssued(ca)).toBe(true);
    expect(query.subjectAltName).toContain('DNS:localhost');
    expect(await ensureCertificates(dir, { rotate: true })).toEqual([...IDENTITIES]);
    const rotated = new X509Certificate(await readFile(files.certFile('query')));
    expect(rotated.serialNumber).not.toBe(query.serialNumber);
    // A year on, the service certificates are close to expiry: reissued under the same CA.
    expect(await ensureCertificates(dir, { now: Date.now() + 380 * 86_400_000 })).toEqual([...IDENTITIES]);
    expect(new X509Certificate(await readFile(files.caFile)).serialNumber).toBe(ca.serialNumber);
  });
});
