/**
 * The control endpoint a foreign-language test suite (the Python SDK's pytest) uses to drive the
 * stack it runs against: SIGKILL and restart ingestion, and read back what reached the frames
 * topic (with simstream's own consumer: chunks reassembled, Avro decoded). Loopback HTTP, JSON.
 *
 *   POST /ingestion/kill9   → 204 once the process is gone
 *   POST /ingestion/start   → 204 once ingestion is ready again on the same ports
 *   POST /kafka/frames {simulation_ids, count, timeout_ms}
 *                           → {frames: [...]} every frame of those simulations since `from`
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RecordName, type Frame } from '@simstream/contracts';
import { TopicName, type KafkaClient } from '@simstream/kafka';
import type { Stack } from '@simstream/stack';
import { readUntil } from './kafka.js';

export interface SdkControl {
  readonly url: string;
  close(): Promise<void>;
}

interface FramesRequest {
  simulation_ids: string[];
  count: number;
  timeout_ms?: number;
}

export async function startSdkControl(
  stack: Stack,
  kafka: KafkaClient,
  from: Map<number, number>,
): Promise<SdkControl> {
  // One operation on ingestion at a time: a kill racing a start would leave no process tracked.
  let ingestionOp: Promise<unknown> = Promise.resolve();
  const serial = <T>(op: () => Promise<T>): Promise<T> => {
    const next = ingestionOp.then(op, op);
    ingestionOp = next.catch(() => undefined);
    return next;
  };

  const routes: Record<string, (body: unknown) => Promise<unknown>> = {
    '/ingestion/kill9': async () => {
      await serial(() => stack.kill9('ingestion'));
    },
    '/ingestion/start': async () => {
      await serial(() => stack.start('ingestion'));
    },
    '/kafka/frames': async (body) => {
      const { simulation_ids: ids, count, timeout_ms: timeoutMs } = body as FramesRequest;
      if (!Array.isArray(ids) || !Number.isInteger(count)) throw new Error('want {simulation_ids, count}');
      const wanted = new Set(ids);
      const records = await readUntil({
        kafka,
        topic: TopicName.frames,
        from,
        filter: (r) => r.name === RecordName.Frame && wanted.has((r.value as Frame).simulationId),
        until: (read) => read.length >= count,
        settleMs: 500,
        timeoutMs: timeoutMs ?? 120_000,
      });
      return {
        frames: records.map((r) => {
          const f = r.value as Frame;
          return {
            simulation_id: f.simulationId,
            step: f.step,
            sim_time: f.simTime,
            attributes: f.attributes,
            tenant: f.tenant,
            partition: r.partition,
            offset: r.offset,
            fields: f.fields.map((x) => ({ ...x, data: x.data.toString('base64') })),
          };
        }),
      };
    },
  };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const route = request.method === 'POST' ? routes[request.url ?? ''] : undefined;
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      if (route === undefined) {
        response.writeHead(404).end();
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      route(text === '' ? {} : JSON.parse(text))
        .then((result) => {
          if (result === undefined || typeof result !== 'object' || result === null)
            response.writeHead(204).end();
          else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
        })
        .catch((error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
