/**
 * `simstream simulate`: runs a real simulation in-process and streams every frame to ingestion
 * with a resumable upload. When the simulation already has durable frames (a restarted run),
 * the deterministic simulation is fast-forwarded past the last durable step and continues from
 * there, so the stream in Kafka has no gap and no rewritten history.
 *
 * With `analysisEvents` the stream opts in to the simulation's analysis events and acts on each
 * as it arrives (event-actions.ts): logs it, or also checkpoints the current fields.
 *
 * `changes` alter the running simulation at given frames (`Simulation.update`: a Reynolds number
 * raised, a regime switched), e.g. to watch what the analysis makes of a known event, and
 * `burnInFrames` are advanced before the first frame is sent. Both are part of the run's
 * definition: a resumed run replays them while fast-forwarding.
 */
import {
  FrameUploader,
  IngestionClient,
  type AnalysisEventName,
  type ClientField,
  type IngestionClientOptions,
} from '@simstream/client';
import type { AnalysisEventOutput, Codec } from '@simstream/contracts';
import { messageOf } from '@simstream/errors';
import { ChangeSchedule, describeChange, type ParameterChange } from './changes.js';
import { formatEvent, writeCheckpoint, type EventAction } from './event-actions.js';
import { createSimulation, type Simulation } from '@simstream/sims';

export interface SimulateOptions {
  readonly kind: string;
  readonly simulationId: string;
  /** Where ingestion is, TLS, and the API key proving the tenant that owns the simulation. */
  readonly connection: IngestionClientOptions;
  /** Simulation options (grid, parameters, seed, substeps ...), validated by the simulation. */
  readonly params: Record<string, unknown>;
  /** Stop after this many frames (sent by this run) ... */
  readonly frames?: number;
  /**
   * ... or after streaming this many milliseconds, whichever comes first. The clock starts at
   * the first frame sent: a burn-in or a fast-forward (seconds of CPU on a slow machine) takes
   * nothing from the streaming time.
   */
  readonly durationMs?: number;
  /** Frames per second cap; 0 = as fast as the simulation and the stream go. */
  readonly fps: number;
  readonly codec: Codec;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: SimulateProgress) => void;
  readonly onEvent?: (message: string) => void;
  /** Parameter changes at given frames (1 or later), applied in frame order. */
  readonly changes?: readonly ParameterChange[];
  /**
   * Frames advanced before the first one is sent (a developed flow rather than its start-up).
   * Frames are counted from the simulation's start, burn-in included (as `changes` count them).
   */
  readonly burnInFrames?: number;
  /** Opt in to analysis events and act on each. */
  readonly analysisEvents?: {
    readonly kinds: readonly AnalysisEventName[];
    readonly anomalyThreshold?: number;
    readonly action: EventAction;
    /** Where checkpoints go (action `checkpoint`; default `checkpoints`). */
    readonly checkpointDir?: string;
    /** After the last ack, wait this long for the events of the last frames. */
    readonly lingerMs: number;
    /** Every event, once (tests, the demo). */
    readonly onAnalysisEvent?: (event: AnalysisEventOutput) => void;
  };
}

export interface SimulateProgress {
  readonly sent: number;
  readonly acked: number;
  readonly rejected: number;
  readonly bytes: number;
  readonly step: number;
  readonly elapsedMs: number;
  readonly reconnects: number;
}

export interface SimulateResult extends SimulateProgress {
  readonly simulationId: string;
  readonly resumedAfter: number | undefined;
  readonly lastDurableStep: number | undefined;
  /** Analysis events received (once each) and checkpoints written. */
  readonly analysisEvents: number;
  readonly checkpoints: number;
}

export async function simulate(options: SimulateOptions): Promise<SimulateResult> {
  const sim: Simulation = createSimulation(options.kind, options.params);
  const schedule = new ChangeSchedule(options.changes ?? []);
  const advance = (log: boolean) => {
    for (const change of schedule.next()) {
      sim.update(change.parameters);
      if (log)
        options.onEvent?.(
          `from frame ${change.atFrame} (step ${sim.step + sim.substeps}): ${describeChange(change.parameters)}`,
        );
    }
    sim.advance();
  };
  const client = new IngestionClient(options.connection);
  const started = performance.now();
  let acked = 0;
  let rejected = 0;
  let bytes = 0;
  let sent = 0;
  let analysisEvents = 0;
  let checkpoints = 0;
  const wanted = options.analysisEvents;
  // Checkpoints one at a time, in event order: the simulation keeps running meanwhile.
  let checkpointing: Promise<void> = Promise.resolve();
  const onAnalysisEvent = (event: AnalysisEventOutput) => {
    if (wanted === undefined) return;
    analysisEvents++;
    options.onEvent?.(formatEvent(event));
    wanted.onAnalysisEvent?.(event);
    if (wanted.action === 'checkpoint')
      checkpointing = checkpointing.then(async () => {
        try {
          const folder = await writeCheckpoint(
            wanted.checkpointDir ?? 'checkpoints',
            options.simulationId,
            sim,
            event,
          );
          checkpoints++;
          options.onEvent?.(`checkpoint of step ${sim.step} written to ${folder}`);
        } catch (error) {
          options.onEvent?.(`checkpoint failed: ${messageOf(error)}`);
        }
      });
  };
  const uploader = new FrameUploader(client, {
    simulationId: options.simulationId,
    attributes: { kind: sim.kind, ...sim.attributes() },
    ...(wanted === undefined
      ? {}
      : {
          events: {
            kinds: wanted.kinds,
            ...(wanted.anomalyThreshold === undefined ? {} : { anomalyThreshold: wanted.anomalyThreshold }),
            onEvent: onAnalysisEvent,
          },
        }),
    onAck: () => acked++,
    onReject: (r) => {
      rejected++;
      options.onEvent?.(`step ${r.step} rejected: ${r.reason}: ${r.message}`);
    },
    onReconnect: (info) =>
      options.onEvent?.(
        info.attempt === 0
          ? `stream broke (${info.error}); reconnecting`
          : `reconnect attempt ${info.attempt} failed (${info.error}); retrying in ${info.delayMs} ms`,
      ),
    onResume: (info) => {
      if (info.resent + info.alreadyDurable > 0)
        options.onEvent?.(
          `resumed: ${info.alreadyDurable} frames were already durable, ${info.resent} resent`,
        );
    },
  });
  const progress = (): SimulateProgress => ({
    sent,
    acked,
    rejected,
    bytes,
    step: sim.step,
    elapsedMs: performance.now() - started,
    reconnects: uploader.stats.reconnects,
  });
  const timer = setInterval(() => options.onProgress?.(progress()), 250);
  try {
    const durable = await uploader.start();
    for (let i = 0; i < (options.burnInFrames ?? 0); i++) {
      advance(true);
      // A burn-in takes seconds: let the stream (and whatever shares the process) breathe.
      if (i % 8 === 7) await new Promise((resolve) => setImmediate(resolve));
    }
    if (durable !== undefined) {
      options.onEvent?.(
        `simulation ${options.simulationId} has frames up to step ${durable}; fast-forwarding past it`,
      );
      while (sim.step <= durable) advance(false);
    }
    const deadline =
      options.durationMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + options.durationMs;
    const frameGap = options.fps > 0 ? 1000 / options.fps : 0;
    while (
      (options.frames === undefined || sent < options.frames) &&
      performance.now() < deadline &&
      !options.signal?.aborted
    ) {
      const frameStart = performance.now();
      const fields: ClientField[] = sim
        .fields()
        .map((f) => ({ name: f.name, dtype: f.dtype, shape: f.shape, data: f.data, codec: options.codec }));
      // send() copies the arrays, so the simulation may overwrite them right after.
      await uploader.send({ step: sim.step, simTime: sim.time, fields });
      for (const f of fields) bytes += f.data.byteLength;
      sent++;
      advance(true);
      const wait = frameGap - (performance.now() - frameStart);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    await uploader.close({ eventsLingerMs: wanted?.lingerMs ?? 0 });
    await checkpointing;
    return {
      ...progress(),
      simulationId: options.simulationId,
      resumedAfter: durable,
      lastDurableStep: uploader.lastDurableStep,
      analysisEvents,
      checkpoints,
    };
  } finally {
    clearInterval(timer);
    options.onProgress?.(progress());
    uploader.abort();
    client.close();
  }
}
