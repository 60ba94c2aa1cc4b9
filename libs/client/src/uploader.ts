/**
 * Resumable, flow-controlled upload of one simulation's frames.
 *
 * Frames are kept until acknowledged, in a window bounded by bytes and count (`send` waits
 * while it is full). When the stream breaks (server restart, network, Kafka outage), the
 * uploader reconnects with backoff, learns the last durable step from the server, drops what
 * is durable and resends the rest in order. A process that restarts calls `start()`, which
 * returns the last durable step, and continues after it.
 *
 * With `events`, the stream opts in to the simulation's analysis events (event-inbox.ts): they
 * arrive between the acks, once each by (kind, step), and a reconnect asks for those since the
 * last event step seen.
 */
import { EventEmitter, once } from 'node:events';
import { status as Status, type ServiceError } from '@grpc/grpc-js';
import type {
  AnalysisEventOutput,
  ProtoFrameAckOutput as FrameAckOutput,
  ProtoFrameRejectedOutput as FrameRejectedOutput,
  StreamFramesResponseOutput,
} from '@simstream/contracts';
import { SimstreamError, UnavailableError, messageOf } from '@simstream/errors';
import { EventInbox, type EventOptions } from './event-inbox.js';
import { prepareFrame, type ClientFrame, type PreparedFrame } from './frames.js';
import type { FrameStreamCall, IngestionClient } from './ingestion-client.js';

export interface UploaderOptions {
  readonly simulationId: string;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly maxUnackedBytes?: number;
  readonly maxUnackedFrames?: number;
  readonly reconnect?: {
    readonly initialDelayMs?: number;
    readonly maxDelayMs?: number;
    readonly giveUpAfterMs?: number;
  };
  /** Opt in to the simulation's analysis events (anomaly, pattern change, quantum partition). */
  readonly events?: EventOptions;
  readonly onAck?: (ack: FrameAckOutput) => void;
  readonly onReject?: (rejection: FrameRejectedOutput) => void;
  /** A stream broke (attempt 0) or a reopen attempt failed (attempt ≥ 1, retried after delayMs). */
  readonly onReconnect?: (info: { attempt: number; error: string; delayMs: number }) => void;
  readonly onResume?: (info: {
    lastDurableStep: number | undefined;
    resent: number;
    alreadyDurable: number;
  }) => void;
}

/** The stream failed in a way reconnecting cannot fix (bad simulation id, superseded ...). */
export class UploadFailedError extends SimstreamError {
  readonly grpcCode: number | undefined;
  constructor(message: string, grpcCode?: number, cause?: unknown) {
    super('UPLOAD_FAILED', message, { cause });
    this.grpcCode = grpcCode;
  }
}

const RETRIABLE = new Set<number>([
  Status.UNAVAILABLE,
  Status.INTERNAL,
  Status.UNKNOWN,
  Status.DEADLINE_EXCEEDED,
  Status.RESOURCE_EXHAUSTED,
  Status.CANCELLED,
]);

interface Entry {
  readonly frame: PreparedFrame;
  /** The stream generation it was last written on. */
  sentOn: number;
}

export class FrameUploader {
  lastDurableStep: number | undefined;
  /** reconnects: streams that broke and were reopened; failedAttempts: reopen attempts that failed. */
  readonly stats = { acked: 0, rejected: 0, resent: 0, reconnects: 0, failedAttempts: 0, alreadyDurable: 0 };
  private readonly window: Entry[] = [];
  private windowBytes = 0;
  private lastStep = -1;
  private call: FrameStreamCall | undefined;
  private generation = 0;
  private closing = false;
  private failure: Error | undefined;
  private readonly events = new EventEmitter();
  private connecting: Promise<void> | undefined;
  private firstFailureAt: number | undefined;
  private readonly maxBytes: number;
  private readonly maxFrames: number;
  private readonly inbox: EventInbox | undefined;

  constructor(
    private readonly client: IngestionClient,
    private readonly options: UploaderOptions,
  ) {
    this.maxBytes = options.maxUnackedBytes ?? 64 * 1024 * 1024;
    this.maxFrames = options.maxUnackedFrames ?? 256;
    this.events.setMaxListeners(0);
    this.inbox = options.events === undefined ? undefined : new EventInbox(options.events);
  }

  /** Analysis events received, once each; ends when the uploader closes. Needs `events`. */
  analysisEvents(): AsyncGenerator<AnalysisEventOutput> {
    if (this.inbox === undefined) throw new UploadFailedError('the uploader was created without `events`');
    return this.inbox.iterate();
  }

  /** Counts of analysis events: received, duplicates dropped, dropped by the server or here. */
  get eventStats(): EventInbox['stats'] | undefined {
    return this.inbox?.stats;
  }

  /** Frames written and not yet acknowledged. */
  get unacked(): number {
    return this.window.length;
  }

  /** Opens the stream; resolves with the simulation's last durable step (undefined: none yet). */
  async start(): Promise<number | undefined> {
    await this.connect();
    return this.lastDurableStep;
  }

  /** Enqueues a frame (its bytes are copied); waits while the window is full. */
  async send(frame: ClientFrame): Promise<void> {
    this.throwIfFailed();
    if (this.closing) throw new UploadFailedError('uploader is closed');
    if (!Number.isSafeInteger(frame.step) || frame.step <= this.lastStep) {
      throw new UploadFailedError(
        `step ${frame.step} must be an integer after the last step sent (${this.lastStep})`,
      );
    }
    if (this.lastDurableStep !== undefined && frame.step <= this.lastDurableStep) {
      throw new UploadFailedError(
        `step ${frame.step} is already durable (last durable step ${this.lastDurableStep}); continue after it`,
      );
    }
    this.lastStep = frame.step;
    const prepared = await prepareFrame(this.options.simulationId, frame);
    while (
      this.window.length > 0 &&
      (this.window.length >= this.maxFrames || this.windowBytes + prepared.bytes > this.maxBytes)
    ) {
      await once(this.events, 'progress');
      this.throwIfFailed();
    }
    this.window.push({ frame: prepared, sentOn: -1 });
    this.windowBytes += prepared.bytes;
    if (this.call === undefined) await this.connect();
    else this.pump();
  }

  /** Resolves when every frame sent so far is acknowledged or rejected. */
  async flush(): Promise<void> {
    while (this.window.length > 0) {
      this.throwIfFailed();
      await once(this.events, 'progress');
    }
    this.throwIfFailed();
  }

  /**
   * Flushes, then ends the stream. `eventsLingerMs`: keep it open that long after the last ack
   * for the events of the last frames (the server stops sending events at half-close).
   */
  async close(options: { eventsLingerMs?: number } = {}): Promise<void> {
    await this.flush();
    if ((options.eventsLingerMs ?? 0) > 0)
      await new Promise((resolve) => setTimeout(resolve, options.eventsLingerMs));
    this.closing = true;
    this.inbox?.close();
    const call = this.call;
    this.call = undefined;
    if (call !== undefined) {
      const ended = new Promise<void>((resolve) => {
        call.once('status', () => resolve());
        call.once('error', () => resolve());
      });
      call.end();
      await ended;
    }
  }

  /** Stops at once; unacknowledged frames are dropped. */
  abort(): void {
    this.closing = true;
    this.inbox?.close();
    this.call?.cancel();
    this.call = undefined;
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.inbox?.close();
    this.events.emit('progress');
  }

  private connect(): Promise<void> {
    this.connecting ??= this.reconnectLoop().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async reconnectLoop(): Promise<void> {
    const r = this.options.reconnect ?? {};
    for (let attempt = 0; ; attempt++) {
      try {
        await this.openStream();
        this.firstFailureAt = undefined;
        return;
      } catch (error) {
        if (error instanceof UploadFailedError) {
          this.fail(error);
          throw error;
        }
        this.firstFailureAt ??= Date.now();
        if (Date.now() - this.firstFailureAt > (r.giveUpAfterMs ?? 300_000)) {
          const failed = new UploadFailedError(`gave up reconnecting: ${messageOf(error)}`, undefined, error);
          this.fail(failed);
          throw failed;
        }
        const delayMs =
          Math.min(r.maxDelayMs ?? 5000, (r.initialDelayMs ?? 200) * 2 ** attempt) *
          (0.5 + Math.random() / 2);
        this.stats.reconnects++;
        this.options.onReconnect?.({
          attempt: attempt + 1,
          error: messageOf(error),
          delayMs: Math.round(delayMs),
        });
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  /** Opens a stream, waits for StreamOpened, prunes what is durable and resends the rest. */
  private async openStream(): Promise<void> {
    const generation = ++this.generation;
    const call = this.client.streamFrames();
    // Events can follow StreamOpened at once (history since since_step): keep them for later.
    const early: StreamFramesResponseOutput[] = [];
    let isOpen = false;
    const opened = new Promise<number | undefined>((resolve, reject) => {
      const onData = (response: StreamFramesResponseOutput) => {
        if (isOpen) early.push(response);
        else if (response.opened != null) {
          isOpen = true;
          resolve(response.opened.lastDurableStep ?? undefined);
        }
      };
      call.on('data', onData);
      call.once('error', reject);
      call.once('end', () => reject(new UnavailableError('ingestion', 'stream ended before it opened')));
    });
    call.write({
      open: {
        simulationId: this.options.simulationId,
        attributes: { ...(this.options.attributes ?? {}) },
        ...(this.inbox === undefined ? {} : { events: this.inbox.subscription() }),
      },
    });
    let durable: number | undefined;
    try {
      durable = await opened;
    } catch (error) {
      call.cancel();
      throw this.classify(error);
    }
    call.removeAllListeners();
    this.lastDurableStep = durable;
    let alreadyDurable = 0;
    while (durable !== undefined && this.window.length > 0 && this.window[0]!.frame.step <= durable) {
      const entry = this.window.shift()!;
      this.windowBytes -= entry.frame.bytes;
      alreadyDurable++;
    }
    this.stats.alreadyDurable += alreadyDurable;
    const resent = this.window.filter((e) => e.sentOn >= 0).length;
    this.stats.resent += resent;
    this.options.onResume?.({ lastDurableStep: durable, resent, alreadyDurable });
    this.call = call;
    call.on('data', (response: StreamFramesResponseOutput) => this.onResponse(generation, response));
    call.on('error', (error: ServiceError) => this.onBroken(generation, error));
    call.on('end', () =>
      this.onBroken(generation, new UnavailableError('ingestion', 'stream ended by the server')),
    );
    call.on('drain', () => this.pump());
    for (const response of early) this.onResponse(generation, response);
    if (alreadyDurable > 0) this.events.emit('progress');
    this.pump();
  }

  private classify(error: unknown): Error {
    const code = (error as Partial<ServiceError>).code;
    if (code !== undefined && !RETRIABLE.has(code)) {
      return new UploadFailedError(`ingestion refused the stream: ${messageOf(error)}`, code, error);
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  /** Writes window entries not yet written on the current stream, respecting write backpressure. */
  private pump(): void {
    const call = this.call;
    if (call === undefined) return;
    for (const entry of this.window) {
      if (entry.sentOn === this.generation) continue;
      entry.sentOn = this.generation;
      if (!call.write({ frame: entry.frame.message })) return; // resumes on 'drain'
    }
  }

  private onResponse(generation: number, response: StreamFramesResponseOutput): void {
    if (generation !== this.generation) return;
    if (response.event != null) {
      this.inbox?.accept(response.event);
      return;
    }
    const result = response.ack ?? response.rejected;
    if (result == null) return;
    const head = this.window[0];
    if (head === undefined || head.frame.step !== result.step) {
      this.onBroken(
        generation,
        new UnavailableError(
          'ingestion',
          `response for step ${result.step} does not match the oldest unacknowledged step ${head?.frame.step}`,
        ),
      );
      return;
    }
    this.window.shift();
    this.windowBytes -= head.frame.bytes;
    if (response.ack != null) {
      this.stats.acked++;
      if (response.ack.lastDurableStep != null) this.lastDurableStep = response.ack.lastDurableStep;
      this.options.onAck?.(response.ack);
    } else if (response.rejected != null) {
      this.stats.rejected++;
      this.options.onReject?.(response.rejected);
    }
    this.events.emit('progress');
  }

  private onBroken(generation: number, error: Error): void {
    if (generation !== this.generation || this.closing) return;
    const call = this.call;
    this.call = undefined;
    call?.removeAllListeners();
    call?.on('error', () => undefined);
    call?.cancel();
    const classified = this.classify(error);
    if (classified instanceof UploadFailedError) {
      this.fail(classified);
      return;
    }
    this.stats.reconnects++;
    this.options.onReconnect?.({ attempt: 0, error: messageOf(error), delayMs: 0 });
    void this.connect().catch(() => undefined);
  }
}
