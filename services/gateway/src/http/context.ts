/**
 * What the routes need (passed in, never imported as singletons), and the per-request fields
 * the gateway adds to Fastify's types: the authenticated principal and each route's scope.
 */
import type { DecodePool } from '@simstream/uploads';
import type { Logger } from '@simstream/observability';
import type { Authenticator, KeyStore, Ownership, Principal, Scope } from '@simstream/auth';
import type { GatewayConfig } from '../config.js';
import type { IngestionClient } from '../downstream/ingestion-client.js';
import type { QuantumClient } from '../downstream/quantum-client.js';
import type { QueryClient } from '../downstream/query-client.js';
import type { GatewayMetrics } from '../metrics.js';
import type { ResultStreams } from '../sse/result-streams.js';
import type { SseClients } from '../sse/sse-clients.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every route that has a `scope`. */
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** The scope a route needs; routes without one are public (docs, dashboard). */
    scope?: Scope;
  }
}

export interface RouteDeps {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  readonly authenticator: Authenticator;
  readonly keys: KeyStore;
  readonly query: QueryClient;
  readonly quantum: QuantumClient;
  readonly ingestion: IngestionClient;
  readonly ownership: Ownership;
  readonly resultStreams: ResultStreams;
  /** Open SSE responses (results and solves): the cap, and closing them at shutdown. */
  readonly sseClients: SseClients;
  /** Threads that decode Arrow and Avro upload bodies, with their deadline. */
  readonly decodePool: DecodePool;
}

/** The principal of an authenticated route (the hook guarantees it is set). */
export function principalOf(request: { principal?: Principal }): Principal {
  return request.principal!;
}

/** An AbortSignal that fires when the HTTP client goes away before the answer is sent. */
export function clientGone(
  request: { raw: NodeJS.EventEmitter },
  reply: { raw: { writableFinished: boolean } & NodeJS.EventEmitter },
): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  request.raw.on('aborted', () => controller.abort());
  return controller.signal;
}
