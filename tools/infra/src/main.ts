#!/usr/bin/env node
/**
 * `pnpm infra up|down|status|env|reset [services...]`: the local infrastructure on loopback
 * (Kafka, Postgres, Redis, InfluxDB), no containers. `--kafka-brokers 3` (or
 * SIMSTREAM_KAFKA_BROKERS=3) makes `kafka` the 3-node cluster. Wiring only; the work is in infra.ts.
 */
import { spawn } from 'node:child_process';
import { Command } from 'commander';
import { messageOf } from '@simstream/errors';
import { parseServiceNames, renderEnvExports } from './config.js';
import { formatDown, formatStatus, formatUp } from './format-status.js';
import { StartFailedError } from './results.js';
import { ensureCertificates, tlsFiles } from './certs.js';
import { createInfra, type Infra } from './index.js';

interface KafkaOptions {
  readonly kafkaBrokers?: string;
}

/** The flag wins over SIMSTREAM_KAFKA_BROKERS; the config validates either. */
function infraFor(options: KafkaOptions): Infra {
  return createInfra(
    options.kafkaBrokers === undefined
      ? {}
      : { env: { ...process.env, SIMSTREAM_KAFKA_BROKERS: options.kafkaBrokers } },
  );
}

const BROKERS_FLAG = '--kafka-brokers <n>';
const BROKERS_HELP =
  '1: the single broker on 9092 (default); 3: the KRaft cluster on 19092-19094 (SIMSTREAM_KAFKA_BROKERS)';

const program = new Command('infra')
  .description(
    'Local Kafka (KRaft), Postgres, Redis and InfluxDB on 127.0.0.1, data under .data/ (SIMSTREAM_DATA_DIR)',
  )
  .showHelpAfterError()
  .enablePositionalOptions();

program
  .command('up')
  .description('start services (all by default) and wait until each answers its readiness probe')
  .argument('[services...]', 'kafka, postgres, redis, influxdb; kafka-1 … kafka-3 for one cluster node')
  .option(BROKERS_FLAG, BROKERS_HELP)
  .action(async (names: string[], options: KafkaOptions) => {
    const t0 = Date.now();
    const infra = infraFor(options);
    try {
      const results = await infra.up(parseServiceNames(names));
      process.stdout.write(formatUp(results));
    } catch (error) {
      if (error instanceof StartFailedError && error.started.length > 0)
        process.stdout.write(formatUp(error.started));
      throw error;
    }
    process.stdout.write(`all ready in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  });

program
  .command('down')
  .description('stop the services this tool started (all by default)')
  .argument('[services...]')
  .option(BROKERS_FLAG, BROKERS_HELP)
  .action(async (names: string[], options: KafkaOptions) => {
    process.stdout.write(formatDown(await infraFor(options).down(parseServiceNames(names))));
  });

program
  .command('status')
  .description('state, pid, address, readiness (real probes), version, memory and data dir of each service')
  .argument('[services...]')
  .option('--json', 'machine-readable output')
  .option(BROKERS_FLAG, BROKERS_HELP)
  .action(async (names: string[], options: KafkaOptions & { json?: boolean }) => {
    const statuses = await infraFor(options).status(parseServiceNames(names));
    process.stdout.write(
      options.json === true ? JSON.stringify(statuses, null, 2) + '\n' : formatStatus(statuses),
    );
  });

program
  .command('env')
  .description('print `export` lines with the endpoints (eval "$(pnpm -s infra env)")')
  .option(BROKERS_FLAG, BROKERS_HELP)
  .action((options: KafkaOptions) => {
    process.stdout.write(renderEnvExports(infraFor(options).endpoints()));
  });

program
  .command('certs')
  .description('create the local CA and service certificates under <data dir>/tls (up does this too)')
  .option('--rotate', 'reissue every service certificate now (the CA stays; services re-read the files)')
  .action(async (options: { rotate?: boolean }) => {
    const dataDir = createInfra().config.dataDir;
    const files = tlsFiles(dataDir);
    const issued = await ensureCertificates(dataDir, { rotate: options.rotate === true });
    process.stdout.write(
      `${files.dir}: ${issued.length === 0 ? 'all certificates current' : `issued ${issued.join(', ')}`}\n`,
    );
  });

program
  .command('reset')
  .description('stop the services and delete their data and logs')
  .argument('[services...]')
  .option(BROKERS_FLAG, BROKERS_HELP)
  .action(async (names: string[], options: KafkaOptions) => {
    process.stdout.write(formatDown(await infraFor(options).reset(parseServiceNames(names))));
  });

program
  .command('kafka-tool')
  .description(
    'run a Kafka tool class with the locked jars, e.g. org.apache.kafka.tools.ProducerPerformance --help',
  )
  .argument('<main-class>', 'fully qualified class name')
  .argument('[args...]', 'arguments for the tool')
  .allowUnknownOption()
  .passThroughOptions()
  .action(async (mainClass: string, args: string[]) => {
    const command = await createInfra().kafkaToolCommand(mainClass, args);
    const child = spawn(command.command, command.args, { stdio: 'inherit' });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    process.exitCode = code ?? 1;
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`infra: ${messageOf(error)}\n`);
  process.exitCode = 1;
});
