/**
 * One StreamFrames call: OpenStream, then frames, answered in order by acks (once Kafka holds
 * the frame) or per-frame rejections, while the stream goes on.
 *
 * Frames are validated and handed to Kafka one after the other (so they are written in the
 * order sent) but their writes overlap: many frames of a stream can be in one transaction.
 * In-flight bytes are bounded per stream and per process; over budget, the stream stops
 * reading (gRPC/HTTP2 flow control then holds the client back) until acks release bytes.
 * A failed Kafka write ends the stream with its status (UNAVAILABLE after the outage timeout):
 * the client reconnects and resumes from the last durable step, and nothing after the failed
 * frame has been written, so order holds.
 *
 * Opening takes the simulation: the stream holding it on this instance is superseded and torn
 * down (its in-flight writes settled, its writer closed), then the simulation's own Kafka writer
 * fences every other writer of it on any instance, and only then is the last durable step read
 * and reported (simulation-writers.ts says why that step is final).
 *
 * An OpenStream with `events` also starts an EventStream (event-stream.ts): the simulation's
 * analysis events, written between the acks while the call has room, never ahead of them.
 */
import { claimOrNotFound, type Ownership } from '@simstream/auth';
import { randomUUID } from 'node:crypto';
import {
  SIMULATION_ID_PATTERN,
  validateFrame,
  type FrameLimits,
  type OpenStreamOutput,
  type ValidFrame,
  type ProtoFrameOutput,
  type StreamFramesRequestOutput,
  type StreamFramesResponse,
} from '@simstream/contracts';
import {
  AbortedError,
  CancelledError,
  FailedPreconditionError,
  UnavailableError,
  ValidationError,
  messageOf,
} from '@simstream/errors';
import type { Logger } from '@simstream/observability';
import { Status, errorStatus } from '@simstream/rpc';
import { subscriptionOf, type Subscription } from './analysis-events.js';
import type { ByteBudget } from './byte-budget.js';
import { EventStream, type EventStreamDeps } from './event-stream.js';
import type { Ingestor, FrameAckInfo } from './ingestor.js';
import type { IngestMetrics } from './metrics.js';
import type { ProgressStore } from './progress.js';
import type { SimulationWriter, SimulationWriters } from './simulation-writers.js';
import { ackMessage, dataBytes, incomingFrame, rejectionMessage } from './frame-input.js';
import type { SessionRegistry, SimulationHolder } from './session-registry.js';

/** The transport side of a stream (grpc-js in the service, a fake in unit tests). */
export interface StreamCall {
  write(message: StreamFramesResponse): void;
  /** Ends the call: OK without an error, else the error's gRPC status. */
  end(error?: unknown): void;
  pause(): void;
  resume(): void;
  /** False while the send buffer is full; absent: always room (analysis events use only the room). */
  canWrite?(): boolean;
  /** Calls `listener` once the send buffer has drained. */
  onceDrained?(listener: () => void): void;
}

export interface SessionDeps {
  readonly ingestor: Ingestor;
  readonly progress: ProgressStore;
  readonly limits: FrameLimits;
  readonly streamBudgetBytes: number;
  readonly processBudget: ByteBudget;
  readonly metrics: IngestMetrics;
  readonly logger: Logger;
  readonly serverId: string;
  readonly sessions: SessionRegistry;
  readonly writers: SimulationWriters;
  readonly progressTimeoutMs: number;
  readonly chunkBytes: number;
  /** Which tenant owns a simulation id (shared with the gateway; claimed on first write). */
  readonly ownership: Ownership;
  /** Analysis events for streams that opt in; absent: such streams are refused (EVENTS_UNAVAILABLE). */
  readonly events?: EventStreamDeps;
}

/** Who is calling: the tenant that will own the simulations of this stream. */
export interface Caller {
  readonly tenant: string;
}

type Outcome =
  | { kind: 'ack'; ack: FrameAckInfo }
  | { kind: 'rejected'; step: number; error: unknown }
  | { kind: 'failed'; error: unknown };

export class StreamSession implements SimulationHolder {
  readonly id = randomUUID();
  simulationId: string | undefined;
  /** Attributes of OpenStream (the simulation's kind, parameters): every frame carries them. */
  private streamAttributes: Record<string, string> = {};
  private lastStep = -1;
  private inFlight = 0;
  private paused = false;
  private ended = false;
  private closed = false;
  private halfClosed = false;
  private pendingWrites = 0;
  private readonly cancel = new AbortController();
  private intake: Promise<unknown> = Promise.resolve();
  private replies: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;
  private writesSettled: Promise<void> = Promise.resolve();
  private settleWrites: () => void = () => undefined;
  private writer: SimulationWriter | undefined;
  private tornDown: Promise<void> | undefined;
  private events: EventStream | undefined;

  constructor(
    private readonly call: StreamCall,
    private readonly deps: SessionDeps,
    private readonly caller: Caller = { tenant: 'default' },
  ) {
    deps.sessions.all.add(this);
    deps.metrics.openStreams.inc();
    this.unsubscribe = deps.processBudget.onAvailable(() => this.maybeResume());
  }

  onMessage(request: StreamFramesRequestOutput): void {
    if (this.ended) return;
    if (request.open != null) {
      const open = request.open;
      this.intake = this.intake.then(() => this.open(open));
    } else if (request.frame != null) {
      this.frame(request.frame);
    } else {
      this.fail(
        new ValidationError([
          { field: 'kind', reason: 'REQUEST_EMPTY', description: 'a request carries either open or frame' },
        ]),
      );
    }
  }

  /** The client half-closed: finish the opening and the replies, then end with OK. */
  onEnd(): void {
    this.halfClosed = true;
    void this.intake
      .catch(() => undefined)
      .then(() => this.replies)
      .then(() => this.finish());
  }

  /** The client went away: cancel what has not been written yet. */
  onCancelled(): void {
    this.cancel.abort();
    this.close();
  }

  /** Server shutdown: stop reading, answer what was read, end with UNAVAILABLE, close the writer. */
  async drain(): Promise<void> {
    this.call.pause();
    await this.replies;
    this.finish(new UnavailableError('ingestion', 'server is shutting down; reconnect to resume'));
    await this.tornDown;
  }

  /** Another stream or batch took our simulation: stop; resolves once we are torn down. */
  supersede(): Promise<void> {
    this.cancel.abort();
    this.deps.metrics.streamsSuperseded.inc();
    this.finish(
      new AbortedError('STREAM_SUPERSEDED', 'superseded by a newer stream for the same simulation'),
    );
    return this.tornDown ?? Promise.resolve();
  }

  private async open(open: OpenStreamOutput): Promise<void> {
    if (this.simulationId !== undefined) {
      this.fail(
        new FailedPreconditionError('STREAM_ALREADY_OPEN', 'OpenStream was already sent on this stream'),
      );
      return;
    }
    if (!SIMULATION_ID_PATTERN.test(open.simulationId)) {
      this.fail(
        new ValidationError([
          {
            field: 'open.simulation_id',
            reason: 'SIMULATION_ID_INVALID',
            description: `'${open.simulationId.slice(0, 140)}' does not match ${SIMULATION_ID_PATTERN.source}`,
          },
        ]),
      );
      return;
    }
    let subscription: Subscription | undefined;
    if (open.events != null) {
      if (this.deps.events === undefined) {
        this.fail(
          new FailedPreconditionError('EVENTS_UNAVAILABLE', 'this server does not serve analysis events'),
        );
        return;
      }
      try {
        subscription = subscriptionOf(open.events);
      } catch (error) {
        this.fail(error);
        return;
      }
    }
    this.simulationId = open.simulationId;
    this.streamAttributes = { ...open.attributes };
    const started = performance.now();
    // Ownership first: another tenant must not even supersede the owner's stream.
    try {
      await claimOrNotFound(this.deps.ownership, open.simulationId, this.caller.tenant);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (this.ended) return;
    await this.deps.sessions.claim(open.simulationId, this);
    if (this.ended) return;
    if (!(await this.deps.progress.waitUntilReady(this.deps.progressTimeoutMs))) {
      this.fail(new UnavailableError('ingestion', 'progress of simulations not loaded yet; retry shortly'));
      return;
    }
    try {
      // Fences every earlier writer of the simulation, here or on another instance.
      this.writer = await this.deps.writers.open(open.simulationId);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (this.ended) return;
    let current: boolean;
    try {
      current = await this.deps.progress.waitUntilCurrent(open.simulationId, this.deps.progressTimeoutMs);
    } catch (error) {
      // Kafka did not answer the offsets request: as retriable as a timeout, and the stream must
      // end with a status either way (a rejected open would leave the client without an answer).
      this.fail(
        new UnavailableError('ingestion', `progress of the simulation not readable: ${messageOf(error)}`),
      );
      return;
    }
    if (!current) {
      this.fail(new UnavailableError('ingestion', 'progress of the simulation not read up to date; retry'));
      return;
    }
    if (this.ended) return;
    this.deps.metrics.takeoverSeconds.observe((performance.now() - started) / 1000);
    const durable = this.deps.progress.lastDurableStep(open.simulationId);
    this.lastStep = durable ?? -1;
    this.deps.logger.info(
      {
        simulationId: open.simulationId,
        tenant: this.caller.tenant,
        lastDurableStep: durable,
        stream: this.id,
        attributes: open.attributes,
      },
      'stream opened',
    );
    this.write({
      opened: {
        simulationId: open.simulationId,
        ...(durable === undefined ? {} : { lastDurableStep: durable }),
        limits: {
          maxFrameBytes: this.deps.limits.maxFrameBytes,
          maxStreamInFlightBytes: this.deps.streamBudgetBytes,
          chunkBytes: this.deps.chunkBytes,
        },
        serverId: this.deps.serverId,
      },
    });
    if (subscription !== undefined && this.deps.events !== undefined)
      this.followEvents(subscription, durable);
  }

  private followEvents(subscription: Subscription, lastDurableStep: number | undefined): void {
    const call = this.call;
    this.events = new EventStream(
      this.deps.events!,
      {
        write: (message) => this.write(message),
        canWrite: () => !this.ended && (call.canWrite?.() ?? true),
        onceDrained: (listener) => (call.onceDrained ? call.onceDrained(listener) : queueMicrotask(listener)),
      },
      {
        tenant: this.caller.tenant,
        simulationId: this.simulationId!,
        subscription,
        lastDurableStep,
        streamId: this.id,
      },
    );
  }

  private frame(frame: ProtoFrameOutput): void {
    const receivedAt = performance.now();
    const bytes = dataBytes(frame);
    const m = this.deps.metrics;
    m.framesReceived.inc();
    m.bytesReceived.inc(bytes);
    m.frameBytes.observe(bytes);
    this.take(bytes);
    // The intake chain resolves once the frame is handed to Kafka (order of writes); the
    // outcome resolves when it is durable (many frames can be in flight at once).
    const admitted = this.intake.then(() => this.admit(frame));
    this.intake = admitted;
    this.replies = this.replies.then(async () => {
      const result = await (await admitted).outcome;
      this.release(bytes);
      if (this.ended) return;
      if (result.kind === 'ack') {
        m.framesAccepted.inc();
        m.bytesAccepted.inc(bytes);
        this.write(ackMessage(result.ack));
      } else if (result.kind === 'rejected') {
        const status = errorStatus(result.error);
        m.framesRejected.inc({ reason: status.reason });
        this.write(rejectionMessage(this.simulationId ?? frame.simulationId, result.step, status));
      } else {
        m.framesRejected.inc({ reason: errorStatus(result.error).reason });
        this.fail(result.error);
        return;
      }
      m.ackLatency.observe((performance.now() - receivedAt) / 1000);
    });
  }

  /** Validates and hands the frame to Kafka; `outcome` resolves when it is durable or refused. */
  private async admit(frame: ProtoFrameOutput): Promise<{ outcome: Promise<Outcome> }> {
    const checked = await this.check(frame);
    return { outcome: checked.kind === 'valid' ? this.enqueue(checked.valid) : Promise.resolve(checked) };
  }

  private async check(frame: ProtoFrameOutput): Promise<Outcome | { kind: 'valid'; valid: ValidFrame }> {
    if (this.ended) return { kind: 'failed', error: new CancelledError('stream ended') };
    if (this.simulationId === undefined || this.writer === undefined) {
      return {
        kind: 'failed',
        error: new FailedPreconditionError('STREAM_NOT_OPEN', 'send OpenStream before frames'),
      };
    }
    if (frame.simulationId !== '' && frame.simulationId !== this.simulationId) {
      return {
        kind: 'rejected',
        step: frame.step,
        error: new ValidationError([
          {
            field: 'simulation_id',
            reason: 'SIMULATION_ID_MISMATCH',
            description: `frame is for '${frame.simulationId}' but the stream is for '${this.simulationId}'`,
          },
        ]),
      };
    }
    let valid;
    try {
      valid = await validateFrame(incomingFrame(frame, this.simulationId), this.deps.limits);
    } catch (error) {
      return { kind: 'rejected', step: frame.step, error };
    }
    if (valid.step <= this.lastStep) {
      return {
        kind: 'rejected',
        step: valid.step,
        error: new FailedPreconditionError(
          'STEP_NOT_INCREASING',
          `step ${valid.step} is not after step ${this.lastStep}, already accepted or durable for '${valid.simulationId}'`,
        ),
      };
    }
    this.lastStep = valid.step;
    // Frame attributes win over the stream's, so a frame can say what changed.
    return {
      kind: 'valid',
      valid: { ...valid, attributes: { ...this.streamAttributes, ...valid.attributes } },
    };
  }

  private enqueue(valid: ValidFrame): Promise<Outcome> {
    const started = performance.now();
    this.trackWrite(1);
    const writer = this.writer;
    if (writer === undefined)
      return Promise.resolve({ kind: 'failed', error: new CancelledError('stream ended') });
    const write = this.deps.ingestor.write(valid, this.caller.tenant, writer, {
      orderingKey: this.id,
      signal: this.cancel.signal,
    });
    return write
      .then(
        (ack): Outcome => {
          this.deps.metrics.produceLatency.observe((performance.now() - started) / 1000);
          if (ack.chunks > 1) this.deps.metrics.chunkedFrames.inc();
          return { kind: 'ack', ack };
        },
        (error: unknown): Outcome => ({ kind: 'failed', error }),
      )
      .finally(() => this.trackWrite(-1));
  }

  private trackWrite(delta: number): void {
    if (this.pendingWrites === 0 && delta > 0)
      this.writesSettled = new Promise((resolve) => (this.settleWrites = resolve));
    this.pendingWrites += delta;
    if (this.pendingWrites === 0) this.settleWrites();
  }

  private take(bytes: number): void {
    this.inFlight += bytes;
    this.deps.processBudget.take(bytes);
    this.deps.metrics.inFlightBytes.inc(bytes);
    if (!this.paused && (this.inFlight >= this.deps.streamBudgetBytes || this.deps.processBudget.exhausted)) {
      this.paused = true;
      this.deps.metrics.streamsPaused.inc();
      this.call.pause();
    }
  }

  private release(bytes: number): void {
    this.inFlight -= bytes;
    this.deps.metrics.inFlightBytes.dec(bytes);
    this.deps.processBudget.release(bytes);
    this.maybeResume();
  }

  private maybeResume(): void {
    if (
      this.paused &&
      !this.ended &&
      this.inFlight < this.deps.streamBudgetBytes &&
      !this.deps.processBudget.exhausted
    ) {
      this.paused = false;
      this.call.resume();
    }
  }

  private write(message: StreamFramesResponse): void {
    if (!this.ended) this.call.write(message);
  }

  /** Ends the stream with an error status after the replies already due. */
  private fail(error: unknown): void {
    if (this.ended) return;
    this.cancel.abort();
    if (!(error instanceof CancelledError)) {
      const status = errorStatus(error);
      this.deps.logger.warn(
        {
          stream: this.id,
          simulationId: this.simulationId,
          code: Status[status.code],
          reason: status.reason,
          err: messageOf(error),
        },
        'stream failed',
      );
    }
    this.finish(error);
  }

  private finish(error?: unknown): void {
    if (this.ended) return;
    if (error === undefined && !this.halfClosed) return;
    this.ended = true;
    this.call.end(error);
    this.close();
  }

  private close(): void {
    this.ended = true;
    if (this.closed) return;
    this.closed = true;
    this.events?.stop();
    this.unsubscribe();
    this.deps.sessions.all.delete(this);
    this.deps.metrics.openStreams.dec();
    this.tornDown = this.tearDown();
  }

  /** Waits for what was admitted to settle, closes the writer, lets go of the simulation. */
  private async tearDown(): Promise<void> {
    await this.intake.catch(() => undefined);
    await this.writesSettled;
    await this.writer
      ?.close()
      .catch((error: unknown) =>
        this.deps.logger.warn({ stream: this.id, err: messageOf(error) }, 'closing the writer failed'),
      );
    if (this.simulationId !== undefined) this.deps.sessions.release(this.simulationId, this);
  }
}
