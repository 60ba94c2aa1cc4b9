import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { createGrpcServer, type GrpcServerHandle } from './server.js';

/** The HTTP/2 windows a plain client is granted: what it may send before the server reads. */
async function windowsGranted(port: number): Promise<{ stream: number; connection: number }> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  try {
    await new Promise<void>((resolve, reject) => {
      session.once('remoteSettings', () => resolve());
      session.once('error', reject);
    });
    // A connection-level WINDOW_UPDATE follows the SETTINGS frame: give it a round trip.
    await new Promise<void>((resolve) => session.ping(() => resolve()));
    return {
      stream: session.remoteSettings.initialWindowSize ?? 65535,
      connection: session.state.remoteWindowSize ?? 65535,
    };
  } finally {
    session.destroy();
  }
}

describe('createGrpcServer: HTTP/2 flow-control window', () => {
  let handle: GrpcServerHandle | undefined;
  afterEach(async () => {
    await handle?.shutdown(100);
    handle = undefined;
  });

  const start = async (flowControlWindowBytes?: number) => {
    handle = createGrpcServer({
      maxReceiveMessageBytes: 1024 * 1024,
      healthServices: [],
      credentials: grpc.ServerCredentials.createInsecure(),
      ...(flowControlWindowBytes === undefined ? {} : { flowControlWindowBytes }),
    });
    return handle.listen('127.0.0.1', 0);
  };

  it("grants each stream and the connection the configured window (the patched grpc-js's option works)", async () => {
    const granted = await windowsGranted(await start(4 * 1024 * 1024));
    expect(granted).toEqual({ stream: 4 * 1024 * 1024, connection: 4 * 1024 * 1024 });
  });

  it("keeps Node's 64 KiB default when none is configured", async () => {
    const granted = await windowsGranted(await start());
    expect(granted).toEqual({ stream: 65535, connection: 65535 });
  });
});
