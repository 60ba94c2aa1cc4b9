/**
 * The gRPC trust boundary, tried as an outsider would (issue 9, finding 3): ingestion's public
 * port wants TLS and a credential on every call and takes the tenant from it only; another
 * tenant's simulation looks missing; the internal port and the query service answer only the
 * gateway's certificate; failed sign-ins are limited per key across instances (Redis).
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameUploader, IngestionClient, type FrameStreamCall } from '@simstream/client';
import { loadQueryContract, type StreamFramesResponseOutput } from '@simstream/contracts';
import { tls } from '@simstream/infra';
import {
  apiKeyFor,
  ingestionClientFor,
  publicCredentials,
  serviceCredentials,
  startIngestion,
  syntheticFrame,
  type IngestionProcess,
} from '../src/index.js';
import { startQuery, type QueryProcess } from './query-harness.js';

async function exchange(call: FrameStreamCall, requests: Parameters<FrameStreamCall['write']>[0][]) {
  const responses: StreamFramesResponseOutput[] = [];
  const ended = new Promise<grpc.ServiceError | undefined>((resolve) => {
    call.on('data', (r: StreamFramesResponseOutput) => responses.push(r));
    call.on('error', (e: grpc.ServiceError) => resolve(e));
    call.on('end', () => resolve(undefined));
  });
  for (const r of requests) call.write(r);
  call.end();
  return { responses, error: await ended };
}

const reason = (error: grpc.ServiceError | undefined) => error?.metadata?.get('simstream-reason')[0];

async function refusal(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error('the call was accepted');
}

describe('gRPC trust boundary', () => {
  const run = randomUUID().slice(0, 8);
  let a: IngestionProcess;
  let b: IngestionProcess;
  let query: QueryProcess;

  beforeAll(async () => {
    const limits = { AUTH_FAILURES_PER_KEY: '3', AUTH_FAILURES_PER_ADDRESS: '1000' };
    [a, b, query] = await Promise.all([
      startIngestion(limits),
      startIngestion(limits),
      startQuery(`grpc-auth-${run}`, { QUERY_ROLES: 'server' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), query?.stop()]);
  });

  it('refuses every call without a valid credential, and plaintext altogether', async () => {
    const anonymous = new IngestionClient({ address: a.grpcAddress, caFile: tls().caFile });
    const { error } = await exchange(anonymous.streamFrames(), [{ open: { simulationId: `anon-${run}` } }]);
    expect(error?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(reason(error)).toBe('AUTH_REQUIRED');
    expect((await refusal(anonymous.ingestBatch([]))).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await refusal(anonymous.status(''))).code).toBe(grpc.status.UNAUTHENTICATED);
    anonymous.close();

    const forged = new IngestionClient({
      address: a.grpcAddress,
      caFile: tls().caFile,
      apiKey: `sk_${'a'.repeat(16)}_${'b'.repeat(43)}`,
    });
    expect(reason(await refusal(forged.status('')))).toBe('AUTH_INVALID');
    forged.close();

    const readOnly = await ingestionClientFor(a.grpcAddress, `reader-${run}`, {
      apiKey: await apiKeyFor(`reader-${run}`, ['read']),
    });
    const denied = await exchange(readOnly.streamFrames(), [{ open: { simulationId: `ro-${run}` } }]);
    expect(denied.error?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(reason(denied.error)).toBe('INSUFFICIENT_SCOPE');
    expect((await readOnly.status('')).serverId).not.toBe('');
    readOnly.close();

    const plaintext = await ingestionClientFor(a.grpcAddress, 'default', { insecure: true });
    expect((await refusal(plaintext.status('', 3000))).code).toBe(grpc.status.UNAVAILABLE);
    plaintext.close();
  });

  it("shows another tenant's simulation exactly as a missing one, and never lets it write there", async () => {
    const simulationId = `owned-${run}`;
    const owner = await ingestionClientFor(a.grpcAddress, `owner-${run}`);
    const uploader = new FrameUploader(owner, { simulationId });
    await uploader.start();
    for (let step = 0; step < 3; step++) await uploader.send(syntheticFrame(simulationId, step, 4));
    await uploader.flush();

    // The intruder's key, and its own forged tenant header naming the owner: neither helps.
    const intruder = await ingestionClientFor(b.grpcAddress, `intruder-${run}`, { tenant: `owner-${run}` });
    const stream = await exchange(intruder.streamFrames(), [{ open: { simulationId } }]);
    expect(stream.error?.code).toBe(grpc.status.NOT_FOUND);
    expect(reason(stream.error)).toBe('SIMULATION_NOT_FOUND');
    expect(stream.responses).toEqual([]);
    const [rejected] = await intruder.ingestBatch([syntheticFrameMessage(simulationId, 10)]);
    expect(rejected?.rejected?.reason).toBe('SIMULATION_NOT_FOUND');
    const theirs = await intruder.status(simulationId);
    const missing = await intruder.status(`never-written-${run}`);
    expect(theirs.lastDurableStep ?? null).toBeNull();
    expect(missing.lastDurableStep ?? null).toBeNull();
    expect((await owner.status(simulationId)).lastDurableStep).toBe(2);

    // The owner's stream was never superseded by the intruder's attempts.
    await uploader.send(syntheticFrame(simulationId, 3, 4));
    await uploader.close();
    expect((await owner.status(simulationId)).lastDurableStep).toBe(3);
    owner.close();
    intruder.close();
  });

  it('answers internal calls only over mutual TLS from the allowed service', async () => {
    const tenant = `internal-${run}`;
    const noCertificate = new IngestionClient({
      address: a.internalAddress,
      credentials: publicCredentials(),
      tenant,
    });
    expect((await refusal(noCertificate.status('', 3000))).code).toBe(grpc.status.UNAVAILABLE);
    noCertificate.close();
    const stranger = new IngestionClient({
      address: a.internalAddress,
      credentials: serviceCredentials('client'),
      tenant,
    });
    const denied = await refusal(stranger.status(''));
    expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(reason(denied)).toBe('CALLER_NOT_ALLOWED');
    stranger.close();
    const gateway = new IngestionClient({
      address: a.internalAddress,
      credentials: serviceCredentials('gateway'),
      tenant,
    });
    const [ack] = await gateway.ingestBatch([syntheticFrameMessage(`internal-${run}`, 0)]);
    expect(ack?.ack?.step).toBe(0);
    gateway.close();

    const { proto } = loadQueryContract();
    const listAs = (credentials: grpc.ChannelCredentials) =>
      new Promise<unknown>((resolve, reject) => {
        const client = new proto.simstream.v1.QueryService(query.grpcAddress, credentials);
        client.ListSimulations(
          { tenant, pageSize: 1, pageToken: '' },
          { deadline: Date.now() + 3000 },
          (error, response) => {
            client.close();
            if (error) reject(error);
            else resolve(response);
          },
        );
      });
    expect((await refusal(listAs(publicCredentials()))).code).toBe(grpc.status.UNAVAILABLE);
    expect((await refusal(listAs(serviceCredentials('quantum')))).code).toBe(grpc.status.PERMISSION_DENIED);
    expect(await listAs(serviceCredentials('gateway'))).toBeDefined();
    // Ingestion follows results on query for the analysis events of its streams.
    expect(await listAs(serviceCredentials('ingestion'))).toBeDefined();
  });

  it('limits failed sign-ins per key id across instances, without locking out a proven key', async () => {
    const tenant = `flood-${run}`;
    const good = await apiKeyFor(tenant);
    const keyId = good.split('_')[1]!;
    const wrong = new IngestionClient({
      address: a.grpcAddress,
      caFile: tls().caFile,
      apiKey: `sk_${keyId}_${'w'.repeat(43)}`,
    });
    // A proven key (cached on b) keeps working while its id is flooded.
    const proven = await ingestionClientFor(b.grpcAddress, tenant);
    await proven.status('');
    const reasons: string[] = [];
    for (let i = 0; i < 5; i++) reasons.push(String(reason(await refusal(wrong.status('')))));
    expect(reasons).toEqual([
      'AUTH_INVALID',
      'AUTH_INVALID',
      'AUTH_INVALID',
      'AUTH_RATE_LIMITED',
      'AUTH_RATE_LIMITED',
    ]);
    // Counted in Redis: the other instance refuses unproven secrets of that key id too.
    const elsewhere = new IngestionClient({
      address: b.grpcAddress,
      caFile: tls().caFile,
      apiKey: `sk_${keyId}_${'x'.repeat(43)}`,
    });
    const limited = await refusal(elsewhere.status(''));
    expect(limited.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(reason(limited)).toBe('AUTH_RATE_LIMITED');
    expect((await proven.status('')).serverId).not.toBe('');
    wrong.close();
    elsewhere.close();
    proven.close();
  });
});

/** A protobuf frame of a simulation (IngestBatch names the simulation in each frame). */
function syntheticFrameMessage(simulationId: string, step: number) {
  const frame = syntheticFrame(simulationId, step, 4);
  return {
    simulationId,
    step,
    simTime: frame.simTime,
    attributes: { ...frame.attributes },
    fields: frame.fields.map((f) => ({
      name: f.name,
      dtype: 'DTYPE_UINT8' as const,
      shape: [...f.shape],
      codec: 'CODEC_NONE' as const,
      data: Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength),
    })),
  };
}
