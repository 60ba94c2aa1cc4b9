/**
 * One gate in front of every method of a gRPC server: a server interceptor that runs an async
 * check on the call's metadata, its TLS peer and its method before any handler sees the call.
 * The check either refuses the call (the status of the error it throws: UNAUTHENTICATED,
 * PERMISSION_DENIED, RESOURCE_EXHAUSTED …) or hands the handler the metadata it should see:
 * this is where identity headers a caller may have set are dropped and the trusted ones (the
 * tenant proven by a credential) are written. Health and reflection stay open (probes, grpcurl).
 */
import * as grpc from '@grpc/grpc-js';
import { PermissionDeniedError, UnauthenticatedError } from '@simstream/errors';
import { toStatusObject } from './status.js';
import { peerIdentity } from './tls.js';

export type AuthContext = ReturnType<grpc.ServerInterceptingCallInterface['getAuthContext']>;

export interface GateCall {
  /** `/package.Service/Method`. */
  readonly method: string;
  readonly metadata: grpc.Metadata;
  readonly authContext: AuthContext;
  /** The transport peer, e.g. `ipv4:10.0.0.7:51234`. */
  readonly peer: string;
}

/** Resolves with the metadata the handler gets; rejects (with one of our errors) to refuse. */
export type CallGate = (call: GateCall) => Promise<grpc.Metadata>;

const OPEN_SERVICES = ['/grpc.health.v1.Health/', '/grpc.reflection.v1.', '/grpc.reflection.v1alpha.'];

export function isOpenMethod(method: string): boolean {
  return OPEN_SERVICES.some((prefix) => method.startsWith(prefix));
}

export function gateInterceptor(gate: CallGate): grpc.ServerInterceptor {
  return (descriptor, call) => {
    if (isOpenMethod(descriptor.path)) return new grpc.ServerInterceptingCall(call);
    return new grpc.ServerInterceptingCall(call, {
      start(next) {
        next(
          new grpc.ServerListenerBuilder()
            .withOnReceiveMetadata((metadata, deliver) => {
              gate({
                method: descriptor.path,
                metadata,
                authContext: call.getAuthContext(),
                peer: call.getPeer(),
              }).then(deliver, (error: unknown) => call.sendStatus(toStatusObject(error)));
            })
            .build(),
        );
      },
    });
  };
}

/** The IP address of a peer string (`ipv4:1.2.3.4:5`, `ipv6:[::1]:5`), for per-address limits. */
export function peerAddress(peer: string): string {
  if (peer.startsWith('ipv4:')) return peer.slice(5).replace(/:\d+$/, '');
  if (peer.startsWith('ipv6:')) return /^\[([^\]]+)\]/.exec(peer.slice(5))?.[1] ?? peer.slice(5);
  return peer;
}

/**
 * The gate of an internal server: the caller's verified client certificate must name one of
 * `allowed` services. With TLS off (GRPC_INSECURE, debugging only) there is no certificate and
 * every caller is taken at its word.
 */
export function identityGate(allowed: readonly string[], insecure: boolean, service: string): CallGate {
  const names = new Set(allowed);
  return ({ metadata, authContext }) => {
    if (!insecure) {
      const identity = peerIdentity(authContext);
      if (identity === undefined)
        return Promise.reject(
          new UnauthenticatedError('AUTH_REQUIRED', 'this port needs a client certificate'),
        );
      if (!names.has(identity))
        return Promise.reject(
          new PermissionDeniedError('CALLER_NOT_ALLOWED', `service '${identity}' may not call ${service}`),
        );
    }
    return Promise.resolve(metadata);
  };
}
