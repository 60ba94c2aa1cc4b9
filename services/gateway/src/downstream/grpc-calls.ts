/**
 * Small helpers for calling downstream gRPC services: channel options, unary calls as
 * promises with a deadline and cancellation, and opening server streams so that a failure to
 * connect is seen by the breaker while later stream errors are the caller's to handle.
 */
import * as grpc from '@grpc/grpc-js';
import { CancelledError, UnavailableError } from '@simstream/errors';
import { balancedChannelOptions } from '@simstream/rpc';
import { downstreamError } from './grpc-errors.js';

export const TENANT_HEADER = 'x-simstream-tenant';

export function channelOptions(maxMessageBytes = 16 * 1024 * 1024): grpc.ChannelOptions {
  return {
    'grpc.max_send_message_length': maxMessageBytes,
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.keepalive_time_ms': 20_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.enable_retries': 0,
    // Round-robin over every replica the address resolves to (a headless Service in a cluster),
    // a restarted one found again within about two seconds.
    ...balancedChannelOptions(),
  };
}

export function tenantMetadata(tenant: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set(TENANT_HEADER, tenant);
  return metadata;
}

type UnaryInvoker<Res> = (
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: grpc.requestCallback<Res>,
) => grpc.ClientUnaryCall;

export interface CallContext {
  readonly dependency: string;
  readonly deadlineMs: number;
  readonly metadata?: grpc.Metadata;
  readonly signal?: AbortSignal;
  /** Code of a NOT_FOUND answer (SIMULATION_NOT_FOUND …). */
  readonly notFoundCode?: string;
}

export function unary<Res>(invoke: UnaryInvoker<Res>, context: CallContext): Promise<Res> {
  return new Promise((resolve, reject) => {
    if (context.signal?.aborted) {
      reject(new CancelledError('the client went away'));
      return;
    }
    const call = invoke(
      context.metadata ?? new grpc.Metadata(),
      { deadline: Date.now() + context.deadlineMs },
      (error, response) => {
        context.signal?.removeEventListener('abort', cancel);
        if (error !== null) reject(downstreamError(context.dependency, error, context.notFoundCode));
        else if (response === undefined)
          reject(downstreamError(context.dependency, new Error('empty response')));
        else resolve(response);
      },
    );
    const cancel = () => call.cancel();
    context.signal?.addEventListener('abort', cancel, { once: true });
  });
}

/** Resolves once the channel to `client` is connected (READY), within `timeoutMs`. */
export function connected(client: grpc.Client, dependency: string, timeoutMs: number): Promise<void> {
  const state = client.getChannel().getConnectivityState(true);
  if (state === grpc.connectivityState.READY) return Promise.resolve();
  return new Promise((resolve, reject) =>
    client.waitForReady(Date.now() + timeoutMs, (error) =>
      error
        ? reject(
            downstreamError(dependency, {
              code: grpc.status.UNAVAILABLE,
              details: `not connected within ${timeoutMs} ms`,
              metadata: new grpc.Metadata(),
            }),
          )
        : resolve(),
    ),
  );
}

/**
 * Waits for a server stream's first message (or its end or error): what the breaker times.
 * Returns the first message (undefined when the stream ended empty); the stream stays paused
 * until the caller reads on.
 */
export function firstMessage<T>(
  stream: grpc.ClientReadableStream<T>,
  dependency: string,
  timeoutMs: number,
  notFoundCode?: string,
): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    // Shorter than the breaker's timeout, so that a slow start cancels the call it abandons.
    const timer = setTimeout(() => {
      cleanup();
      stream.cancel();
      reject(new UnavailableError(dependency, `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onData = (message: T) => {
      cleanup();
      stream.pause();
      resolve(message);
    };
    const onEnd = () => {
      cleanup();
      resolve(undefined);
    };
    const onError = (error: unknown) => {
      cleanup();
      reject(downstreamError(dependency, error, notFoundCode));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
