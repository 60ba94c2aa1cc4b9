/**
 * A simulation client as a process of its own, for tests that SIGKILL it mid-stream: it loads,
 * prints {"ready":true}, waits for a line on stdin (so a test can start the next client before
 * killing this one and reconnect within milliseconds), then streams one simulation's frames
 * with the FrameUploader from the server's last durable step on.
 *   node race-client.js <address> <simulationId> <elements> [framesAfterResume]
 * Prints {"opened":<last durable step or -1>} once the stream is open and, when
 * framesAfterResume is given, {"done":<last step>} after that many frames are acked.
 */
import { createInterface } from 'node:readline';
import { FrameUploader, IngestionClient } from '@simstream/client';
import { syntheticFrame } from './frames.js';

async function main(): Promise<void> {
  const [address, simulationId, elementsArg, framesArg] = process.argv.slice(2);
  if (address === undefined || simulationId === undefined || elementsArg === undefined) {
    throw new Error('usage: race-client <address> <simulationId> <elements> [framesAfterResume]');
  }
  const elements = Number(elementsArg);
  const frames = framesArg === undefined ? Number.POSITIVE_INFINITY : Number(framesArg);
  const say = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);
  const lines = createInterface({ input: process.stdin });
  say({ ready: true });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  lines.close();

  const client = new IngestionClient({
    address,
    ...(process.env.SIMSTREAM_API_KEY === undefined ? {} : { apiKey: process.env.SIMSTREAM_API_KEY }),
    ...(process.env.SIMSTREAM_CA_FILE === undefined ? {} : { caFile: process.env.SIMSTREAM_CA_FILE }),
  });
  const uploader = new FrameUploader(client, {
    simulationId,
    maxUnackedFrames: 256,
    reconnect: { initialDelayMs: 50, maxDelayMs: 500, giveUpAfterMs: 60_000 },
  });
  const durable = (await uploader.start()) ?? -1;
  say({ opened: durable });
  const last = durable + frames;
  for (let step = durable + 1; step <= last; step++)
    await uploader.send(syntheticFrame(simulationId, step, elements, ['u']));
  await uploader.close();
  client.close();
  say({ done: last });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
