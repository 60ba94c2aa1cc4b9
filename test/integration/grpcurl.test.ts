/**
 * Any standard gRPC client works: a real grpcurl (built from its Go module at a pinned version,
 * cached like helm) against the ingestion, query and quantum services, through server
 * reflection alone:
 * - `list` shows the service and grpc.health.v1.Health; `describe` works on the service and on
 *   every message it reaches, with the .proto names (snake_case fields, maps);
 * - what reflection serves is what a compiler makes of proto/ (grpcurl compiling the .proto
 *   files itself), file for file, source info aside;
 * - every grpcurl example of README.md and services/*\/README.md runs verbatim (services run on
 *   the documented ports when free; otherwise only the port is replaced) and exits 0. What the
 *   examples assume exists is made first, through grpcurl too: simulation `gs-1` of tenant
 *   `default`, queried in services/query/README.md.
 * And a Python client built from reflection alone (grpcio-reflection, the descriptors checked by
 * protobuf's DescriptorPool) calls each service with the .proto field names.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTO_FILES, protoRoot } from '@simstream/contracts';
import { ensureGoTool } from '@simstream/go-tools';
import { endpoints, tls } from '@simstream/infra';
import { HEALTH_PROTO, healthProtoPath } from '@simstream/rpc';
import {
  REPO_ROOT,
  apiKeyFor,
  documentedCommands,
  serviceTlsEnv,
  portOr,
  pythonWith,
  startIngestion,
  startService,
  testKafka,
  type DocumentedCommand,
  type ServiceProcess,
} from '../src/index.js';
import { positionGroupAtEnd, startQuery } from './query-harness.js';

const exec = promisify(execFile);
const run = randomUUID().slice(0, 8);

interface Target {
  readonly name: 'ingestion' | 'query' | 'quantum';
  readonly service: string;
  readonly files: readonly string[];
  /** The port the READMEs use. */
  readonly documentedPort: number;
}

const TARGETS: readonly Target[] = [
  {
    name: 'ingestion',
    service: 'simstream.v1.IngestionService',
    files: PROTO_FILES.ingestion,
    documentedPort: 50051,
  },
  { name: 'query', service: 'simstream.v1.QueryService', files: PROTO_FILES.query, documentedPort: 50052 },
  {
    name: 'quantum',
    service: 'simstream.v1.QuantumService',
    files: PROTO_FILES.quantum,
    documentedPort: 50053,
  },
];

let grpcurl: string;
/** An API key of tenant `default`: what the READMEs' $SIMSTREAM_API_KEY stands for. */
let apiKey: string;

/**
 * TLS as the READMEs show it: ingestion trusted through the stack's CA with an API key;
 * query and quantum over mutual TLS as the gateway (the only identity they answer).
 */
function tlsArgs(name: Target['name']): string[] {
  const files = tls();
  return name === 'ingestion'
    ? ['-cacert', files.caFile, '-H', `authorization: Bearer ${apiKey}`]
    : ['-cacert', files.caFile, '-cert', files.certFile('gateway'), '-key', files.keyFile('gateway')];
}
const addresses = new Map<Target['name'], string>();
const processes: ServiceProcess[] = [];
const scratch = mkdtempSync(path.join(tmpdir(), 'simstream-grpcurl-'));

async function start(target: Target): Promise<ServiceProcess> {
  const port = await portOr(target.documentedPort);
  const e = endpoints();
  const common = {
    KAFKA_BROKERS: e.kafkaBrokers.join(','),
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(port),
    INSTANCE_ID: `grpcurl-${target.name}-${run}`,
    LOG_LEVEL: 'info',
  };
  addresses.set(target.name, `127.0.0.1:${port}`);
  switch (target.name) {
    case 'ingestion':
      return startIngestion(common, { grpcPort: port, instanceId: common.INSTANCE_ID });
    case 'query': {
      // With its materializer, from the end of the topics: it stores what the test ingests.
      const group = `grpcurl-query-${run}`;
      const kafka = testKafka();
      await positionGroupAtEnd(kafka, group);
      return startQuery(group, { INSTANCE_ID: common.INSTANCE_ID }, { grpcPort: port });
    }
    case 'quantum':
      return startService({
        name: 'quantum',
        main: 'services/quantum/dist/main.js',
        env: {
          ...common,
          DATABASE_URL: e.databaseUrl,
          REDIS_URL: e.redisUrl,
          QUANTUM_FRAMES_ENABLED: 'false',
          QUANTUM_FRAMES_GROUP: `grpcurl-frames-${run}`,
          QUANTUM_JOBS_GROUP: `grpcurl-jobs-${run}`,
          QUANTUM_FROM_BEGINNING: 'false',
          ...serviceTlsEnv('quantum'),
        },
      });
  }
}

function address(name: Target['name']): string {
  const a = addresses.get(name);
  if (a === undefined) throw new Error(`${name} is not running`);
  return a;
}

async function grpcurlOk(...args: string[]): Promise<string> {
  try {
    const { stdout } = await exec(grpcurl, args, { timeout: 60_000 });
    return stdout;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`grpcurl ${args.join(' ')} failed:\n${stderr ?? ''}${stdout ?? ''}`, { cause: error });
  }
}

/** A FileDescriptorSet written by grpcurl -protoset-out, by file name, without source info. */
function protoset(file: string): Map<string, unknown> {
  const set = descriptor.FileDescriptorSet.decode(readFileSync(file)) as unknown as {
    file: { name: string }[];
  };
  return new Map(
    set.file.map((f) => {
      const plain = descriptor.FileDescriptorProto.toObject(f as never, {}) as Record<string, unknown>;
      delete plain.sourceCodeInfo;
      return [f.name, plain];
    }),
  );
}

const README_FILES = [
  'README.md',
  ...readdirSync(path.join(REPO_ROOT, 'services')).map((s) => `services/${s}/README.md`),
].filter((f) => {
  try {
    readFileSync(path.join(REPO_ROOT, f));
    return true;
  } catch {
    return false;
  }
});
const EXAMPLES: DocumentedCommand[] = README_FILES.flatMap((f) =>
  documentedCommands(REPO_ROOT, f, 'grpcurl'),
);

/** Simulation `gs-1` of tenant `default`, which services/query/README.md lists results of. */
async function ensureQueriedSimulation(): Promise<void> {
  const frame = {
    simulation_id: 'gs-1',
    // Later than any step an earlier run sent, so never refused as not increasing.
    step: Date.now(),
    fields: [{ name: 'u', dtype: 'DTYPE_FLOAT32', shape: [2], data: 'AACAPwAAAEA=' }],
  };
  const ingested = await grpcurlOk(
    ...[...tlsArgs('ingestion'), '-d', JSON.stringify({ frames: [frame] })],
    ...[address('ingestion'), 'simstream.v1.IngestionService/IngestBatch'],
  );
  expect(ingested).toContain('"ack"');
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await grpcurlOk(
        ...[...tlsArgs('query'), '-d', JSON.stringify({ tenant: 'default', simulation_id: 'gs-1' })],
        ...[address('query'), 'simstream.v1.QueryService/GetSimulation'],
      );
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

// On a machine that never built grpcurl, `go install` takes about two minutes on two cores.
const INSTALL_AND_START_MS = 600_000;

beforeAll(async () => {
  grpcurl = await ensureGoTool('grpcurl');
  apiKey = await apiKeyFor('default');
  for (const target of TARGETS) processes.push(await start(target));
  await ensureQueriedSimulation();
}, INSTALL_AND_START_MS);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  rmSync(scratch, { recursive: true, force: true });
});

describe.each(TARGETS)('$service through reflection', (target) => {
  it('list shows the service and grpc.health.v1.Health', async () => {
    const listed = (await grpcurlOk(...tlsArgs(target.name), address(target.name), 'list'))
      .trim()
      .split('\n');
    expect(listed).toContain(target.service);
    expect(listed).toContain('grpc.health.v1.Health');
  });

  it('describe works on the service and every message it reaches, with the .proto names', async () => {
    const seen = new Set<string>();
    const queue = [target.service, 'grpc.health.v1.Health'];
    const texts: string[] = [];
    while (queue.length > 0) {
      const symbol = queue.shift()!;
      if (seen.has(symbol)) continue;
      seen.add(symbol);
      const text = await grpcurlOk(...tlsArgs(target.name), address(target.name), 'describe', symbol);
      expect(text).toMatch(new RegExp(`^${symbol.replaceAll('.', '\\.')} is an? `));
      texts.push(text);
      for (const m of text.matchAll(/\.((?:simstream|grpc)\.[\w.]+)/g))
        if (!/Entry$/.test(m[1]!)) queue.push(m[1]!);
    }
    expect(seen.size).toBeGreaterThan(3);
    const all = texts.join('\n');
    // Field names as written in proto/, never camelCase.
    expect(all).not.toMatch(/^\s+(?:repeated |optional )?[\w.<>, ]+ [a-z]+[A-Z]\w* = \d+/m);
    if (target.name === 'ingestion') {
      expect(all).toContain('string simulation_id = 1;');
      expect(all).toContain('map<string, string> attributes = 2;');
      expect(all).toContain('optional uint64 last_durable_step = 2;');
    }
  });

  it('grpc.health.v1.Health/Check answers SERVING for the service', async () => {
    const out = await grpcurlOk(
      ...tlsArgs(target.name),
      '-d',
      JSON.stringify({ service: target.service }),
      address(target.name),
      'grpc.health.v1.Health/Check',
    );
    expect(JSON.parse(out)).toEqual({ status: 'SERVING' });
  });

  it('serves what a compiler makes of proto/, file for file', async () => {
    const served = path.join(scratch, `${target.name}-served.protoset`);
    await grpcurlOk(...tlsArgs(target.name), '-protoset-out', served, address(target.name), 'describe');
    // The reference: grpcurl compiles the .proto files itself (health under its usual name).
    const healthDir = path.join(scratch, 'health');
    mkdirSync(path.join(healthDir, path.dirname(HEALTH_PROTO)), { recursive: true });
    copyFileSync(healthProtoPath, path.join(healthDir, HEALTH_PROTO));
    const compiled = path.join(scratch, `${target.name}-compiled.protoset`);
    await grpcurlOk(
      ...['-import-path', protoRoot(), '-import-path', healthDir],
      ...[...target.files, HEALTH_PROTO].flatMap((f) => ['-proto', f]),
      ...['-protoset-out', compiled, 'describe'],
    );
    const expected = protoset(compiled);
    const actual = protoset(served);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, file] of expected) expect(actual.get(name), name).toEqual(file);
  });
});

describe('the READMEs’ grpcurl examples, verbatim', () => {
  it('finds examples for every service', () => {
    const ports = EXAMPLES.map((e) => /127\.0\.0\.1:(\d+)/.exec(e.command)?.[1]);
    for (const target of TARGETS) expect(ports).toContain(String(target.documentedPort));
  });

  it.each(EXAMPLES)('$where: $command', async ({ command }) => {
    let line = command;
    for (const target of TARGETS)
      line = line.replaceAll(`127.0.0.1:${target.documentedPort}`, address(target.name));
    // The READMEs name the certificates where `./dev infra up` puts them (the default data dir).
    line = line.replaceAll('.data/tls/', `${tls().dir}/`);
    const result = await exec('bash', ['-c', line], {
      env: {
        ...process.env,
        SIMSTREAM_API_KEY: apiKey,
        PATH: `${path.dirname(grpcurl)}${path.delimiter}${process.env.PATH ?? ''}`,
      },
      timeout: 120_000,
    }).catch((error: { stdout?: string; stderr?: string; code?: number }) => {
      throw new Error(`exit ${error.code}:\n${error.stderr ?? ''}${error.stdout ?? ''}`);
    });
    expect(result.stdout.trim()).not.toBe('');
    if (/\slist$/.test(line)) expect(result.stdout).toContain('grpc.health.v1.Health');
    else
      for (const doc of result.stdout.split(/\n(?=\{)/))
        expect(() => JSON.parse(doc) as unknown).not.toThrow();
  });
});

describe('a Python client built from reflection alone (grpcio-reflection)', () => {
  const CALLS = [
    {
      target: 'ingestion',
      service: 'simstream.v1.IngestionService',
      method: 'GetStatus',
      request: { simulation_id: 'gs-1' },
      field: ['simstream.v1.OpenStream', 'simulation_id'],
      answer: 'server_id',
    },
    {
      target: 'query',
      service: 'simstream.v1.QueryService',
      method: 'GetSimulation',
      request: { tenant: 'default', simulation_id: 'gs-1' },
      field: ['simstream.v1.ListResultsRequest', 'from_time_ms'],
      answer: 'simulation_id',
    },
    {
      target: 'quantum',
      service: 'simstream.v1.QuantumService',
      method: 'SubmitJob',
      request: {
        tenant: `grpcurl-${run}`,
        idempotency_key: `python-${run}`,
        problem: { kind: 'PROBLEM_KIND_MAXCUT', variables: 3, i: [0, 1], j: [1, 2], value: [1, 1] },
      },
      field: ['simstream.v1.SubmitJobRequest', 'idempotency_key'],
      answer: 'job_id',
    },
  ] as const;

  it.each(CALLS)('$service/$method', async (call) => {
    const python = await pythonWith(['grpcio==1.85.1', 'grpcio-reflection==1.85.1', 'protobuf==7.36.2']);
    const { stdout } = await exec(
      python,
      [
        path.join(REPO_ROOT, 'test/python/reflection_client.py'),
        ...[address(call.target), call.service, call.method, JSON.stringify(call.request)],
      ],
      {
        timeout: 120_000,
        env: {
          ...process.env,
          SIMSTREAM_CA_FILE: tls().caFile,
          ...(call.target === 'ingestion'
            ? { SIMSTREAM_API_KEY: apiKey }
            : {
                SIMSTREAM_CERT_FILE: tls().certFile('gateway'),
                SIMSTREAM_KEY_FILE: tls().keyFile('gateway'),
              }),
        },
      },
    );
    const out = JSON.parse(stdout) as {
      services: string[];
      file: string;
      fields: Record<string, string[]>;
      response: Record<string, unknown>;
    };
    expect(out.services).toEqual(expect.arrayContaining([call.service, 'grpc.health.v1.Health']));
    expect(out.file).toBe(`simstream/v1/${call.target}.proto`);
    expect(out.fields[call.field[0]]).toContain(call.field[1]);
    expect(out.response).toHaveProperty(call.answer);
  });
});
