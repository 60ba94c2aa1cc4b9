/**
 * Transport security of every gRPC server and client: TLS with the service's own certificate,
 * and mutual TLS on internal ports, where the client's certificate names the calling service
 * (its subject CN: `gateway`, `query`, …). Certificates and the CA are read through grpc-js's
 * file watcher, so a renewed certificate (cert-manager rewriting a mounted secret, `infra certs`
 * locally) is picked up without a restart. Plaintext exists only behind GRPC_INSECURE=true,
 * for debugging, and the services log it loudly.
 */
import * as grpc from '@grpc/grpc-js';
import { env } from '@simstream/config';

export const GRPC_TLS_ENV = {
  /** PEM bundle of the CA that signs every service certificate (and that clients trust). */
  GRPC_TLS_CA_FILE: env.optionalString(),
  /** PEM certificate of this service: its subject CN is the service's identity. */
  GRPC_TLS_CERT_FILE: env.optionalString(),
  GRPC_TLS_KEY_FILE: env.optionalString(),
  /** How often the certificate files are re-read (rotation without restart). */
  GRPC_TLS_RELOAD_INTERVAL: env.duration('1m'),
  /** Plaintext gRPC, no authentication of services: debugging only, never in a cluster. */
  GRPC_INSECURE: env.bool(false),
};

/** Servers that only other services call (mutual TLS): who may. */
export const GRPC_INTERNAL_ENV = {
  /** Service identities (certificate subject CN) allowed to call this server. */
  GRPC_ALLOWED_CLIENTS: env.list('gateway'),
};

export type GrpcTls =
  | { readonly insecure: true }
  | {
      readonly insecure: false;
      readonly caFile: string;
      readonly certFile: string;
      readonly keyFile: string;
      readonly reloadMs: number;
    };

/** The TLS settings from validated GRPC_TLS_ENV values; problems are appended to `problems`. */
export function grpcTls(
  c: {
    GRPC_TLS_CA_FILE: string | undefined;
    GRPC_TLS_CERT_FILE: string | undefined;
    GRPC_TLS_KEY_FILE: string | undefined;
    GRPC_TLS_RELOAD_INTERVAL: number;
    GRPC_INSECURE: boolean;
  },
  problems: string[],
): GrpcTls {
  if (c.GRPC_INSECURE) return { insecure: true };
  const missing = (['GRPC_TLS_CA_FILE', 'GRPC_TLS_CERT_FILE', 'GRPC_TLS_KEY_FILE'] as const).filter(
    (name) => c[name] === undefined,
  );
  if (missing.length > 0) {
    problems.push(
      `${missing.join(', ')}: required for gRPC over TLS (set GRPC_INSECURE=true only to debug in plaintext)`,
    );
    return { insecure: true };
  }
  return {
    insecure: false,
    caFile: c.GRPC_TLS_CA_FILE!,
    certFile: c.GRPC_TLS_CERT_FILE!,
    keyFile: c.GRPC_TLS_KEY_FILE!,
    reloadMs: c.GRPC_TLS_RELOAD_INTERVAL,
  };
}

function watchers(tls: Exclude<GrpcTls, { insecure: true }>) {
  const refreshIntervalMs = tls.reloadMs;
  return {
    identity: new grpc.experimental.FileWatcherCertificateProvider({
      certificateFile: tls.certFile,
      privateKeyFile: tls.keyFile,
      refreshIntervalMs,
    }),
    ca: new grpc.experimental.FileWatcherCertificateProvider({
      caCertificateFile: tls.caFile,
      refreshIntervalMs,
    }),
  };
}

/**
 * Server credentials: TLS with this service's certificate; with `requireClientCertificate`,
 * mutual TLS (a client without a certificate signed by the CA cannot even connect).
 */
export function serverCredentials(
  tls: GrpcTls,
  options: { requireClientCertificate: boolean },
): grpc.ServerCredentials {
  if (tls.insecure) return grpc.ServerCredentials.createInsecure();
  const { identity, ca } = watchers(tls);
  return grpc.experimental.createCertificateProviderServerCredentials(
    identity,
    options.requireClientCertificate ? ca : null,
    options.requireClientCertificate,
  );
}

/** Client credentials: trusts the CA and presents this service's certificate (mutual TLS). */
export function channelCredentials(tls: GrpcTls): grpc.ChannelCredentials {
  if (tls.insecure) return grpc.credentials.createInsecure();
  const { identity, ca } = watchers(tls);
  return grpc.experimental.createCertificateProviderChannelCredentials(ca, identity);
}

/** The calling service named by its verified client certificate, if the call came over mTLS. */
export function peerIdentity(
  authContext: { sslPeerCertificate?: { subject?: unknown } } | null | undefined,
): string | undefined {
  const subject = authContext?.sslPeerCertificate?.subject as { CN?: string | string[] } | undefined;
  const cn = subject?.CN;
  return typeof cn === 'string' && cn.length > 0 ? cn : undefined;
}
