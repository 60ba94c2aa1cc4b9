/**
 * `pnpm bench export [--rows 100000] [--runs 3] [--batch-rows 10000]`: Arrow exports through the
 * gateway. Seeds one
 * simulation's neuromorphic results in Postgres (as the materializer stores them), starts the
 * query service (server role) and the gateway, and downloads the whole export `--runs` times
 * (bytes counted and dropped). Reports rows/s and MB/s, and the peak resident set and V8 heap of
 * both services while exporting, sampled every 20 ms (RSS, /proc) and 100 ms (heap, /metrics)
 * against their idle level. Fails unless every run delivered every row, counted ok by both.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { endpoints, up } from '@simstream/infra';
import { freePort, metricValue, startService, type ServiceProcess } from '@simstream/stack';
import { createPool, type Pool } from '@simstream/storage';
import { BenchIncompleteError } from './incomplete.js';
import { percentile, round } from './ingest/stats.js';

const log = (line: string) => process.stderr.write(`[bench export] ${line}\n`);
const MiB = 1024 * 1024;

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

async function seed(pool: Pool, simulationId: string, tenant: string, rows: number): Promise<void> {
  await pool.query(
    `INSERT INTO simulations (simulation_id, tenant, kind, first_seen, last_seen, neuromorphic_results)
     VALUES ($1, $2, 'gray-scott', now(), now(), $3)`,
    [simulationId, tenant, rows],
  );
  // In slices: one statement stays well within the pool's statement timeout.
  for (let from = 0; from < rows; from += 100_000) {
    await pool.query(
      `INSERT INTO results (simulation_id, kind, step, sim_time, score, payload, produced_at)
       SELECT $1, 'neuromorphic', s, s * 0.01, ((s * 37) % 100) / 100.0,
         jsonb_build_object('anomalyScore', ((s * 37) % 100) / 100.0, 'rawScore', s / 7.0,
           'featureNames', jsonb_build_array('u.mean', 'u.std'), 'features', jsonb_build_array(0.5, 0.25),
           'prediction', jsonb_build_array(0.5, 0.125), 'spikeRate', 0.125, 'patternId', s % 3,
           'novelty', s / 1000.0, 'processingMs', 1.5, 'backend', 'cpu', 'model', 'm-' || (s % 5)),
         to_timestamp(1700000000 + s / 100.0)
       FROM generate_series($2::int, $3::int - 1) AS s`,
      [simulationId, from, Math.min(rows, from + 100_000)],
    );
  }
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (kb === null) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb[1]) * 1024;
}

/** Peak RSS and heap of a service while `during` runs, and their levels just before. */
async function watch<T>(services: readonly ServiceProcess[], during: () => Promise<T>) {
  const pid = (s: ServiceProcess) => s.child.pid!;
  const heap = (s: ServiceProcess) => metricValue(s.opsUrl, 'simstream_nodejs_heap_size_used_bytes');
  const idle = await Promise.all(
    services.map(async (s) => ({ rss: await rssBytes(pid(s)), heap: await heap(s) })),
  );
  const peak = idle.map((x) => ({ ...x }));
  let sampling = true;
  const sample = async (ms: number, read: (i: number) => Promise<void>) => {
    while (sampling) {
      await Promise.all(services.map((_, i) => read(i)));
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
  };
  const samplers = [
    sample(20, async (i) => {
      peak[i]!.rss = Math.max(peak[i]!.rss, await rssBytes(pid(services[i]!)));
    }),
    sample(100, async (i) => {
      peak[i]!.heap = Math.max(peak[i]!.heap, await heap(services[i]!));
    }),
  ];
  try {
    return { value: await during(), idle, peak };
  } finally {
    sampling = false;
    await Promise.all(samplers);
  }
}

export default async function exportBench(args: string[]): Promise<unknown> {
  const rows = arg(args, '--rows', 100_000);
  const runs = arg(args, '--runs', 3);
  // QUERY_EXPORT_BATCH_ROWS (rows per Postgres page and record batch); the service's default if not given.
  const batchRows = args.includes('--batch-rows') ? String(arg(args, '--batch-rows', 0)) : undefined;
  await up();
  const e = endpoints();
  const run = randomUUID().slice(0, 8);
  const tenant = `bench-export-${run}`;
  const simulationId = `bench-export-${run}`;
  const adminKey = `sk_${randomBytes(8).toString('hex')}_${randomBytes(24).toString('base64url')}`;
  const grpcPort = await freePort();
  const httpPort = await freePort();
  const pool = createPool({ url: e.databaseUrl, max: 2 });
  const started: ServiceProcess[] = [];
  try {
    log('starting the query service (server role) and the gateway');
    const query = await startService({
      name: 'query',
      main: 'services/query/dist/main.js',
      env: {
        KAFKA_BROKERS: e.kafkaBrokers.join(','),
        DATABASE_URL: e.databaseUrl,
        REDIS_URL: e.redisUrl,
        INFLUX_URL: e.influxUrl,
        INFLUX_DATABASE: e.influxDatabase,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(grpcPort),
        QUERY_ROLES: 'server',
        ...(batchRows === undefined ? {} : { QUERY_EXPORT_BATCH_ROWS: batchRows }),
        LOG_LEVEL: 'warn',
      },
    });
    started.push(query);
    const gateway = await startService({
      name: 'gateway',
      main: 'services/gateway/dist/main.js',
      env: {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        DATABASE_URL: e.databaseUrl,
        REDIS_URL: e.redisUrl,
        QUERY_ADDRESS: `127.0.0.1:${grpcPort}`,
        QUANTUM_ADDRESS: '127.0.0.1:9', // not used here
        INGESTION_ADDRESS: '127.0.0.1:9',
        GATEWAY_BOOTSTRAP_ADMIN_KEY: adminKey,
        GATEWAY_OPERATOR_TENANT: `op-${run}`,
        LOG_LEVEL: 'warn',
      },
    });
    started.push(gateway);
    log(`seeding ${rows} neuromorphic results`);
    await seed(pool, simulationId, tenant, rows);
    const gatewayUrl = `http://127.0.0.1:${httpPort}`;
    const minted = await fetch(`${gatewayUrl}/v1/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', scopes: ['read'], tenant }),
    });
    if (!minted.ok) throw new Error(`minting a key: ${minted.status}`);
    const key = ((await minted.json()) as { secret: string }).secret;

    const download = async () => {
      const t = performance.now();
      const res = await fetch(`${gatewayUrl}/v1/simulations/${simulationId}/results?kind=neuromorphic`, {
        headers: { authorization: `Bearer ${key}`, accept: 'application/vnd.apache.arrow.stream' },
        signal: AbortSignal.timeout(300_000),
      });
      if (res.status !== 200 || res.body === null) throw new Error(`export answered ${res.status}`);
      let bytes = 0;
      for await (const chunk of res.body) bytes += (chunk as Uint8Array).byteLength;
      return { bytes, seconds: (performance.now() - t) / 1000 };
    };

    const exported = () => metricValue(query.opsUrl, 'simstream_query_export_rows_total');
    const ok = (s: ServiceProcess, prefix: string) =>
      metricValue(s.opsUrl, `${prefix}_exports_total`, { outcome: 'ok' });
    const before = { rows: await exported(), query: await ok(query, 'simstream_query') };
    log(`exporting ${runs} times`);
    const measured = await watch([query, gateway], async () => {
      const results: { bytes: number; seconds: number }[] = [];
      for (let i = 0; i < runs; i++) results.push(await download());
      return results;
    });
    const rowsSent = (await exported()) - before.rows;
    const okQuery = (await ok(query, 'simstream_query')) - before.query;
    const okGateway = await ok(gateway, 'simstream_gateway');
    if (rowsSent !== rows * runs || okQuery !== runs || okGateway !== runs)
      throw new BenchIncompleteError(
        rowsSent,
        rows * runs,
        `rows counted by the query service for ${runs} exports; ${okQuery} (query) / ${okGateway} (gateway) ended ok`,
      );

    const seconds = measured.value.map((r) => r.seconds).sort((a, b) => a - b);
    const median = percentile(seconds, 50);
    const bytes = measured.value[0]!.bytes;
    const memory = (i: number) => ({
      rssIdleMiB: round(measured.idle[i]!.rss / MiB, 1),
      rssPeakMiB: round(measured.peak[i]!.rss / MiB, 1),
      heapIdleMiB: round(measured.idle[i]!.heap / MiB, 1),
      heapPeakMiB: round(measured.peak[i]!.heap / MiB, 1),
    });
    return {
      description:
        'GET /v1/simulations/{id}/results?kind=neuromorphic, Accept: application/vnd.apache.arrow.stream: gateway (API key, gRPC relay) → query service ExportArrow (keyset pages of QUERY_EXPORT_BATCH_ROWS from Postgres, one record batch each, 64 KiB messages) → client reading as fast as it can. Memory sampled over all runs.',
      rows,
      runs,
      batchRows: batchRows ?? 'service default',
      bytes,
      secondsPerRun: seconds.map((s) => round(s, 3)),
      rowsPerSecond: round(rows / median, 0),
      mbPerSecond: round(bytes / median / 1e6, 1),
      query: memory(0),
      gateway: memory(1),
    };
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    await pool.query('DELETE FROM results WHERE simulation_id = $1', [simulationId]);
    await pool.query('DELETE FROM simulations WHERE simulation_id = $1', [simulationId]);
    await pool.end();
  }
}
