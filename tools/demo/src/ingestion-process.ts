/** The ingestion service as a child process of the demo, on its default ports when free. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function anyPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export interface RunningService {
  readonly grpcAddress: string;
  readonly opsUrl: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

export async function startIngestionProcess(
  repoRoot: string,
  env: Record<string, string>,
): Promise<RunningService> {
  const grpcPort = (await portFree(50051)) ? 50051 : await anyPort();
  const opsPort = (await portFree(9101)) ? 9101 : await anyPort();
  const logFile = path.join(repoRoot, '.data', 'demo-ingestion.log');
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(repoRoot, 'services/ingestion/dist/main.js')],
    {
      env: {
        ...process.env,
        ...env,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(grpcPort),
        OPS_PORT: String(opsPort),
        INSTANCE_ID: 'demo',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const opsUrl = `http://127.0.0.1:${opsPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`ingestion exited with code ${child.exitCode}; see ${logFile}`);
    const ready = await fetch(`${opsUrl}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`ingestion not ready after 60 s; see ${logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    grpcAddress: `127.0.0.1:${grpcPort}`,
    opsUrl,
    logFile,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
