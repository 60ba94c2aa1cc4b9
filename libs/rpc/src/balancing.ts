/**
 * Spreading gRPC calls over replicas. A gRPC client keeps one long-lived HTTP/2 connection per
 * address, so behind a ClusterIP Service every call of a client goes to the one pod its
 * connection landed on, and a new replica gets nothing until connections happen to break. Two
 * halves fix that, and each needs the other:
 * - servers end every connection after a maximum age (a GOAWAY: no new calls on it, the calls
 *   in flight go on for up to the grace), so clients reconnect and re-resolve now and then;
 * - clients resolve a headless Service (`dns:///<name>-headless:<port>`: one address per ready
 *   pod) and spread calls round-robin over all of them.
 * The grace is what keeps long streams whole: a connection past its age still carries its open
 * streams until they end or the grace runs out, so the grace must cover the longest stream.
 */
import type * as grpc from '@grpc/grpc-js';
import { env } from '@simstream/config';

/** Every gRPC server: how long a connection lives, and how long its open calls may outlive that. */
export const GRPC_CONNECTION_AGE_ENV = {
  /** After this (±10 % jitter) the server asks the client to reconnect (GOAWAY); 0 turns it off. */
  GRPC_MAX_CONNECTION_AGE: env.duration('5m'),
  /** Calls still open on an aged connection may run this much longer before it is closed. */
  GRPC_MAX_CONNECTION_AGE_GRACE: env.duration('24h'),
};

export interface ConnectionAge {
  /** 0: connections live for ever (no rebalancing by the server). */
  readonly maxAgeMs: number;
  readonly graceMs: number;
}

export function connectionAge(c: {
  GRPC_MAX_CONNECTION_AGE: number;
  GRPC_MAX_CONNECTION_AGE_GRACE: number;
}): ConnectionAge {
  return { maxAgeMs: c.GRPC_MAX_CONNECTION_AGE, graceMs: c.GRPC_MAX_CONNECTION_AGE_GRACE };
}

/** grpc-js server options of a connection age (none when the age is 0). */
export function connectionAgeOptions(age: ConnectionAge | undefined): grpc.ServerOptions {
  if (age === undefined || age.maxAgeMs <= 0) return {};
  return {
    'grpc.max_connection_age_ms': age.maxAgeMs,
    'grpc.max_connection_age_grace_ms': age.graceMs,
  };
}

export interface BalancedChannelOptions {
  /**
   * Shortest time between two DNS resolutions of the target. A GOAWAY or a lost replica asks
   * for a new resolution; this only rate-limits them (grpc-js's default is 30 s).
   */
  readonly minResolutionIntervalMs?: number;
}

/**
 * Channel options of every in-cluster gRPC client: round_robin over every address the target
 * resolves to (with a `dns:///` target naming a headless Service, one per ready pod), instead of
 * grpc-js's default pick_first, which sends everything to the first address.
 */
export function balancedChannelOptions(options: BalancedChannelOptions = {}): grpc.ChannelOptions {
  return {
    'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
    'grpc.dns_min_time_between_resolutions_ms': options.minResolutionIntervalMs ?? 10_000,
    // round_robin reconnects a lost address on its own backoff, not on the next call; grpc-js's
    // default grows to 120 s, and a container restarted in place keeps its pod IP. In-cluster
    // reconnects are cheap: a restarted replica is found again within about two seconds.
    'grpc.initial_reconnect_backoff_ms': 200,
    'grpc.max_reconnect_backoff_ms': 2_000,
  };
}
