/**
 * IngestBatch: the frames of one call validated and written together; one result per frame,
 * in order, returned once every accepted frame is durable. Steps must increase per simulation
 * within the call and beyond the simulation's last durable step.
 *
 * Each simulation of the call is taken like a stream takes it (superseding the local holder,
 * fencing every other writer through its own Kafka writer, reading its progress to the end),
 * so the durable step the frames are checked against is final and no frame is written twice.
 */
import { claimOrNotFound, type Ownership } from '@simstream/auth';
import { randomUUID } from 'node:crypto';
import {
  validateFrame,
  type FrameLimits,
  type ProtoFrameOutput,
  type FrameResult,
  type ValidFrame,
} from '@simstream/contracts';
import { AbortedError, FailedPreconditionError, UnavailableError } from '@simstream/errors';
import { errorStatus } from '@simstream/rpc';
import type { Ingestor } from './ingestor.js';
import type { IngestMetrics } from './metrics.js';
import type { ProgressStore } from './progress.js';
import type { SimulationWriters } from './simulation-writers.js';
import type { SessionRegistry, SimulationHolder } from './session-registry.js';
import { ackMessage, dataBytes, incomingFrame, rejectionMessage } from './frame-input.js';

export interface BatchDeps {
  readonly ingestor: Ingestor;
  readonly progress: ProgressStore;
  readonly limits: FrameLimits;
  readonly metrics: IngestMetrics;
  readonly sessions: SessionRegistry;
  readonly writers: SimulationWriters;
  readonly progressTimeoutMs: number;
  readonly ownership: Ownership;
}

/** Simulations of one call taken and written at the same time (each opens a Kafka producer). */
const SIMULATIONS_IN_PARALLEL = 8;

interface Item {
  readonly index: number;
  readonly frame: ValidFrame;
  readonly bytes: number;
}

export async function ingestBatch(
  frames: readonly ProtoFrameOutput[],
  tenant: string,
  deps: BatchDeps,
): Promise<FrameResult[]> {
  const results = new Array<FrameResult>(frames.length);
  const bySimulation = new Map<string, Item[]>();
  for (const [index, frame] of frames.entries()) {
    const bytes = dataBytes(frame);
    deps.metrics.framesReceived.inc();
    deps.metrics.bytesReceived.inc(bytes);
    try {
      const valid = await validateFrame(incomingFrame(frame), deps.limits);
      const items = bySimulation.get(valid.simulationId) ?? [];
      items.push({ index, frame: valid, bytes });
      bySimulation.set(valid.simulationId, items);
    } catch (error) {
      results[index] = rejection(deps, frame.simulationId, frame.step, error);
    }
  }
  const groups = [...bySimulation];
  const worker = async () => {
    for (let next = groups.shift(); next !== undefined; next = groups.shift()) {
      const [simulationId, items] = next;
      for (const [index, result] of await writeSimulation(simulationId, items, tenant, deps))
        results[index] = result;
    }
  };
  await Promise.all(Array.from({ length: Math.min(SIMULATIONS_IN_PARALLEL, groups.length) }, worker));
  return results;
}

/** Takes one simulation, writes its frames of the call, lets it go. */
async function writeSimulation(
  simulationId: string,
  items: readonly Item[],
  tenant: string,
  deps: BatchDeps,
): Promise<[number, FrameResult][]> {
  const cancel = new AbortController();
  let settled: Promise<unknown> = Promise.resolve();
  const holder: SimulationHolder = {
    supersede: () => {
      cancel.abort();
      return settled.then(() => undefined);
    },
  };
  const run = (async (): Promise<[number, FrameResult][]> => {
    const rejectAll = (error: unknown) =>
      items.map((i): [number, FrameResult] => [i.index, rejection(deps, simulationId, i.frame.step, error)]);
    try {
      await claimOrNotFound(deps.ownership, simulationId, tenant);
    } catch (error) {
      return rejectAll(error);
    }
    await deps.sessions.claim(simulationId, holder);
    if (cancel.signal.aborted) return rejectAll(superseded(simulationId));
    let writer;
    try {
      writer = await deps.writers.open(simulationId);
    } catch (error) {
      return rejectAll(error);
    }
    try {
      if (!(await deps.progress.waitUntilCurrent(simulationId, deps.progressTimeoutMs)))
        return rejectAll(
          new UnavailableError('ingestion', 'progress of the simulation not read up to date; retry'),
        );
      let previous = deps.progress.lastDurableStep(simulationId) ?? -1;
      const orderingKey = randomUUID();
      const pending = items.map(async ({ index, frame, bytes }): Promise<[number, FrameResult]> => {
        if (frame.step <= previous) {
          const error = new FailedPreconditionError(
            'STEP_NOT_INCREASING',
            `step ${frame.step} is not after step ${previous} of '${simulationId}'`,
          );
          return [index, rejection(deps, simulationId, frame.step, error)];
        }
        previous = frame.step;
        try {
          const ack = await deps.ingestor.write(frame, tenant, writer, {
            orderingKey,
            signal: cancel.signal,
          });
          deps.metrics.framesAccepted.inc();
          deps.metrics.bytesAccepted.inc(bytes);
          return [index, ackMessage(ack)];
        } catch (error) {
          const reason = cancel.signal.aborted ? superseded(simulationId) : error;
          return [index, rejection(deps, simulationId, frame.step, reason)];
        }
      });
      return await Promise.all(pending);
    } finally {
      await writer.close().catch(() => undefined);
    }
  })();
  settled = run.catch(() => undefined);
  try {
    return await run;
  } finally {
    deps.sessions.release(simulationId, holder);
  }
}

function superseded(simulationId: string): AbortedError {
  return new AbortedError('STREAM_SUPERSEDED', `another stream took over simulation '${simulationId}'`);
}

function rejection(deps: BatchDeps, simulationId: string, step: number, error: unknown): FrameResult {
  const status = errorStatus(error);
  deps.metrics.framesRejected.inc({ reason: status.reason });
  return rejectionMessage(simulationId, step, status);
}
