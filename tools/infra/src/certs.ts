/**
 * The local certificate authority and the service certificates the stack runs with, so that
 * the demo and every test speak TLS and mutual TLS like a cluster does: `<dataDir>/tls/ca.crt`
 * and `<identity>.crt` / `<identity>.key` per identity (subject CN = identity: ingestion,
 * query, quantum, gateway, neuromorphic, and `client` for tools and tests). Made with the
 * system's openssl (no download); ECDSA P-256; SANs localhost, 127.0.0.1, ::1 and the
 * identity's name. Idempotent: a certificate is reissued only when missing, not signed by the
 * current CA, or within RENEW_WITHIN_DAYS of expiry (services re-read the files: no restart).
 */
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withFileLock } from './file-lock.js';
import { runChecked } from './run-command.js';

export const IDENTITIES = ['ingestion', 'query', 'quantum', 'gateway', 'neuromorphic', 'client'] as const;
export type Identity = (typeof IDENTITIES)[number];

const CA_DAYS = 3650;
const CERT_DAYS = 397;
const RENEW_WITHIN_DAYS = 30;
const DAY_MS = 86_400_000;

export interface TlsFiles {
  readonly dir: string;
  readonly caFile: string;
  certFile(identity: Identity): string;
  keyFile(identity: Identity): string;
}

export function tlsFiles(dataDir: string): TlsFiles {
  const dir = join(dataDir, 'tls');
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    certFile: (identity) => join(dir, `${identity}.crt`),
    keyFile: (identity) => join(dir, `${identity}.key`),
  };
}

async function readCert(path: string): Promise<X509Certificate | undefined> {
  try {
    return new X509Certificate(await readFile(path));
  } catch {
    return undefined;
  }
}

function fresh(cert: X509Certificate | undefined, now: number): cert is X509Certificate {
  return cert !== undefined && Date.parse(cert.validTo) - now > RENEW_WITHIN_DAYS * DAY_MS;
}

async function newKey(path: string): Promise<void> {
  await runChecked('openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    path,
  ]);
  await chmod(path, 0o600);
}

async function issueCa(files: TlsFiles): Promise<void> {
  const key = join(files.dir, 'ca.key');
  await newKey(key);
  await runChecked('openssl', [
    'req', '-x509', '-new', '-key', key, '-sha256', '-days', String(CA_DAYS),
    '-subj', '/CN=simstream local CA', '-out', `${files.caFile}.tmp`,
    '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]); // prettier-ignore
  await rename(`${files.caFile}.tmp`, files.caFile);
}

async function issue(files: TlsFiles, identity: Identity): Promise<void> {
  const key = `${files.keyFile(identity)}.tmp`;
  const csr = join(files.dir, `${identity}.csr`);
  const ext = join(files.dir, `${identity}.ext`);
  await newKey(key);
  await runChecked('openssl', ['req', '-new', '-key', key, '-subj', `/CN=${identity}`, '-out', csr]);
  await writeFile(
    ext,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
      `subjectAltName=DNS:localhost,DNS:${identity},IP:127.0.0.1,IP:::1`,
    ].join('\n') + '\n',
  );
  await runChecked('openssl', [
    'x509', '-req', '-in', csr, '-CA', files.caFile, '-CAkey', join(files.dir, 'ca.key'),
    '-CAcreateserial', '-days', String(CERT_DAYS), '-sha256', '-extfile', ext,
    '-out', `${files.certFile(identity)}.tmp`,
  ]); // prettier-ignore
  // Key first, then certificate: a reader never pairs a new certificate with an old key for long.
  await rename(key, files.keyFile(identity));
  await rename(`${files.certFile(identity)}.tmp`, files.certFile(identity));
  await rm(csr, { force: true });
  await rm(ext, { force: true });
}

/**
 * Makes sure the CA and every identity's certificate exist and are not close to expiry;
 * `rotate` reissues every service certificate (the CA stays). Returns the identities issued.
 */
export async function ensureCertificates(
  dataDir: string,
  options: { rotate?: boolean; now?: number } = {},
): Promise<Identity[]> {
  const files = tlsFiles(dataDir);
  await mkdir(files.dir, { recursive: true, mode: 0o700 });
  return withFileLock(join(files.dir, '.lock'), 'certificates', 60_000, async () => {
    const now = options.now ?? Date.now();
    let ca = await readCert(files.caFile);
    let caChanged = false;
    if (!fresh(ca, now)) {
      await issueCa(files);
      ca = (await readCert(files.caFile))!;
      caChanged = true;
    }
    const issued: Identity[] = [];
    for (const identity of IDENTITIES) {
      const cert = await readCert(files.certFile(identity));
      const valid = fresh(cert, now) && cert.checkIssued(ca) && cert.verify(ca.publicKey);
      if (valid && !caChanged && options.rotate !== true) continue;
      await issue(files, identity);
      issued.push(identity);
    }
    return issued;
  });
}
