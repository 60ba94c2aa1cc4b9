#!/usr/bin/env node
/** simstream: the command line (commander). */
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '@simstream/config';
import { isCodec } from '@simstream/contracts';
import { SimstreamError, ValidationError } from '@simstream/errors';
import { TopicName } from '@simstream/kafka';
import { createLogger } from '@simstream/observability';
import { SIMULATION_KINDS } from '@simstream/sims';
import { IngestionClient } from '@simstream/client';
import { clientOptions, withConnectionOptions, type ConnectionFlags } from './connection.js';
import { parseEventKinds } from './event-actions.js';
import { progressView } from './progress.js';
import { parseChange, parseParameter, type ParameterChange } from './changes.js';
import { simulate } from './simulate.js';
import { tail } from './tail.js';
import { formatReport, validateFile } from './validate.js';

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

function duration(value: string): number {
  // A bare number is seconds, as a person running a simulation means it (30 = 30 s, not 30 ms).
  const ms = parseDuration(value, 's');
  if (ms === undefined)
    throw new InvalidArgumentError('expected a duration like 30s, 30 (seconds), 2m or 500ms');
  return ms;
}

function unit(value: string): number {
  const x = Number(value);
  if (value.trim() === '' || !(x >= 0 && x <= 1))
    throw new InvalidArgumentError('expected a number in [0, 1]');
  return x;
}

function eventKinds(value: string): ReturnType<typeof parseEventKinds> {
  try {
    return parseEventKinds(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

function grid(value: string): { nx: number; ny: number } {
  const m = /^(\d+)x(\d+)$/.exec(value);
  if (m === null) throw new InvalidArgumentError('expected WIDTHxHEIGHT, e.g. 400x100');
  return { nx: Number(m[1]), ny: Number(m[2]) };
}

function keyValue(value: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const kv = parseParameter(value);
  if (kv === undefined) throw new InvalidArgumentError('expected name=value');
  return { ...previous, [kv[0]]: kv[1] };
}

function change(value: string, previous: ParameterChange[] = []): ParameterChange[] {
  const parsed = parseChange(value);
  if (parsed === undefined) throw new InvalidArgumentError('expected <frame>:<name=value>[,<name=value>...]');
  return [...previous, parsed];
}

const program = new Command()
  .name('simstream')
  .description('Stream running simulations through simstream.')
  .showHelpAfterError();

withConnectionOptions(
  program
    .command('simulate')
    .description(
      'run a real simulation in-process and stream its frames to ingestion (resumes after the last durable step)',
    ),
)
  .addOption(
    new Option('-k, --kind <kind>', 'simulation').choices([...SIMULATION_KINDS]).default('gray-scott'),
  )
  .option('-s, --sim-id <id>', 'simulation id (the resume key)', `sim-${Date.now().toString(36)}`)
  .option('-n, --frames <n>', 'frames to send', integer)
  .option(
    '-d, --duration <time>',
    'stop after streaming this long, burn-in aside (30s, or 30 for seconds; 2m, 500ms)',
    duration,
  )
  .option('--fps <n>', 'frames per second cap (0: as fast as possible)', integer, 0)
  .option('-g, --grid <WxH>', 'grid size', grid)
  .option('--substeps <n>', 'solver steps per frame', integer)
  .option('--seed <n>', 'random seed', integer)
  .option(
    '-p, --param <name=value>',
    'simulation parameter (repeatable), e.g. preset=mitosis, reynolds=150',
    keyValue,
    {},
  )
  .option('--burn-in <frames>', 'advance this many frames before sending the first', integer, 0)
  .option(
    '--change <frame:name=value,...>',
    'change the running simulation from that frame on (repeatable), e.g. 300:reynolds=150',
    change,
    [],
  )
  .addOption(
    new Option('--codec <codec>', 'compress arrays before sending')
      .choices(['none', 'deflate', 'gzip'])
      .default('none'),
  )
  .option(
    '--events <kinds>',
    'print analysis events as they arrive: anomaly,pattern,quantum (or all)',
    eventKinds,
  )
  .option(
    '--anomaly-threshold <x>',
    'anomaly events at or above this score, in [0, 1] (server default 0.9)',
    unit,
  )
  .addOption(
    new Option('--on-event <action>', 'on each event: log it, or also checkpoint the current fields')
      .choices(['log', 'checkpoint'])
      .default('log'),
  )
  .option('--checkpoint-dir <dir>', 'where --on-event checkpoint writes', 'checkpoints')
  .option('--events-linger <time>', 'after the last ack, wait this long for the last events', duration, 2000)
  .action(
    async (
      o: ConnectionFlags & {
        kind: string;
        simId: string;
        frames?: number;
        duration?: number;
        fps: number;
        grid?: { nx: number; ny: number };
        substeps?: number;
        seed?: number;
        param: Record<string, unknown>;
        change: ParameterChange[];
        burnIn: number;
        codec: string;
        events?: ReturnType<typeof parseEventKinds>;
        anomalyThreshold?: number;
        onEvent: 'log' | 'checkpoint';
        checkpointDir: string;
        eventsLinger: number;
      },
    ) => {
      const frames = o.frames ?? (o.duration === undefined ? 100 : undefined);
      const view = progressView(frames);
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      const params = {
        ...o.param,
        ...(o.grid ?? {}),
        ...(o.substeps === undefined ? {} : { substeps: o.substeps }),
        ...(o.seed === undefined ? {} : { seed: o.seed }),
      };
      try {
        const result = await simulate({
          kind: o.kind,
          simulationId: o.simId,
          connection: clientOptions(o),
          params,
          changes: o.change,
          burnInFrames: o.burnIn,
          ...(frames === undefined ? {} : { frames }),
          ...(o.duration === undefined ? {} : { durationMs: o.duration }),
          fps: o.fps,
          codec: isCodec(o.codec) ? o.codec : 'none',
          signal: stop.signal,
          onProgress: (p) => view.update(p),
          onEvent: (line) => view.log(line),
          ...(o.events === undefined && o.anomalyThreshold === undefined && o.onEvent === 'log'
            ? {}
            : {
                analysisEvents: {
                  kinds: o.events ?? parseEventKinds('all'),
                  ...(o.anomalyThreshold === undefined ? {} : { anomalyThreshold: o.anomalyThreshold }),
                  action: o.onEvent,
                  checkpointDir: o.checkpointDir,
                  lingerMs: o.eventsLinger,
                },
              }),
        });
        view.stop();
        const seconds = result.elapsedMs / 1000;
        process.stdout.write(
          `${result.simulationId}: ${result.acked} frames acked (${result.rejected} rejected), ${(result.bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s ` +
            `(${(result.acked / seconds).toFixed(1)} frames/s, ${(result.bytes / 1e6 / seconds).toFixed(1)} MB/s); last durable step ${result.lastDurableStep}` +
            `${result.resumedAfter === undefined ? '' : `; resumed after step ${result.resumedAfter}`}` +
            `${o.events === undefined && o.onEvent === 'log' ? '' : `; ${result.analysisEvents} analysis events, ${result.checkpoints} checkpoints`}\n`,
        );
      } finally {
        view.stop();
      }
    },
  );

program
  .command('tail')
  .description('print decoded records of a topic (frames with per-field statistics)')
  .option('-t, --topic <topic>', 'topic', TopicName.frames)
  .option('-b, --brokers <list>', 'Kafka bootstrap servers', process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
  .option('-l, --last <n>', 'start this many records before the end of each partition', integer, 10)
  .option('--from-beginning', 'read each partition from its start', false)
  .option('-s, --sim-id <id>', 'only this simulation')
  .option('-n, --max <n>', 'stop after printing this many', integer)
  .action(
    async (o: {
      topic: string;
      brokers: string;
      last: number;
      fromBeginning: boolean;
      simId?: string;
      max?: number;
    }) => {
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      await tail({
        brokers: o.brokers.split(','),
        topic: o.topic,
        last: o.last,
        fromBeginning: o.fromBeginning,
        ...(o.simId === undefined ? {} : { simulationId: o.simId }),
        ...(o.max === undefined ? {} : { max: o.max }),
        logger: createLogger({ service: 'simstream-cli', level: 'error', destination: process.stderr }),
        print: (line) => process.stdout.write(`${line}\n`),
        signal: stop.signal,
      });
    },
  );

withConnectionOptions(
  program.command('status').description("ingestion's state, and a simulation's last durable step"),
)
  .option('-s, --sim-id <id>', 'simulation')
  .action(async (o: ConnectionFlags & { simId?: string }) => {
    const client = new IngestionClient(clientOptions(o));
    try {
      process.stdout.write(`${JSON.stringify(await client.status(o.simId ?? ''), null, 2)}\n`);
    } finally {
      client.close();
    }
  });

program
  .command('validate')
  .description(
    'check an upload file offline as the gateway decodes it and ingestion validates its frames; exit 0 when it would be accepted',
  )
  .argument('<file>', 'a JSON, Arrow IPC stream or Avro container file of frames')
  .addOption(
    new Option('-f, --format <format>', 'format (default: from the extension, else the first bytes)').choices(
      ['json', 'arrow', 'avro'],
    ),
  )
  .option('--json', 'print the report as JSON')
  .action(async (file: string, o: { format?: 'json' | 'arrow' | 'avro'; json?: boolean }) => {
    const report = await validateFile(file, o.format === undefined ? {} : { format: o.format });
    process.stdout.write(
      `${o.json === true ? JSON.stringify(report, null, 2) : formatReport(file, report)}\n`,
    );
    if (!report.valid) process.exitCode = 1;
  });

try {
  await program.parseAsync();
  if (process.exitCode === 1) process.exit(1);
  process.exit(0);
} catch (error) {
  if (error instanceof ValidationError) {
    process.stderr.write(
      `simstream: ${error.violations.map((v) => `${v.field}: ${v.description}`).join('\n  ')}\n`,
    );
  } else if (error instanceof SimstreamError) {
    process.stderr.write(`simstream: ${error.message}\n`);
  } else {
    process.stderr.write(`simstream: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
}
