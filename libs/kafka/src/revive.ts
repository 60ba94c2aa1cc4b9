/**
 * A consumer (any ConsumerTransport) that comes back after a crash its client library gives up on.
 *
 * kafkajs restarts a consumer only after retriable errors. Some errors of a broker outage are
 * not (e.g. "Failed to find group coordinator" while the coordinator is down): kafkajs then
 * emits CRASH with `restart: false` and the consumer simply stops, silently, for good — a
 * service keeps running without reading its topics, and a compacted table goes stale. Here such
 * a consumer is replaced by a fresh one (same group, so it resumes from its committed offsets),
 * with exponential backoff until it runs again or is stopped.
 *
 * A consumer can also stall without a word: after a partition leader was SIGKILLed on a
 * 3-broker cluster (test:chaos), a service's kafkajs consumer stopped fetching, logged nothing,
 * and its group went Empty while the service looked healthy. With `stallMs`, a consumer that
 * shows no sign of life (no fetch, batch or heartbeat: the transport's `alive` event) for that long, while it is not
 * meant to be quiet, is replaced the same way; `stalled` says so to readiness meanwhile.
 */
import { messageOf } from '@simstream/errors';
import type { Logger } from '@simstream/observability';
import type { ConsumerTransport } from './consumer-transport.js';

export interface RevivingConsumerOptions {
  /** Makes a new consumer (with its event listeners). */
  readonly create: () => ConsumerTransport;
  /** Connects, subscribes and runs a consumer. */
  readonly start: (consumer: ConsumerTransport) => Promise<void>;
  readonly logger: Logger;
  /** For logs, e.g. the group id. */
  readonly name: string;
  /** Called after every restart (e.g. to forget per-partition state). */
  readonly onRestart?: () => void;
  /** Replace a consumer silent for this long (no fetch, batch or heartbeat); off when absent. */
  readonly stallMs?: number;
  /** True while silence is expected (e.g. the service paused the consumer). */
  readonly quiet?: () => boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class RevivingConsumer {
  private consumer: ConsumerTransport;
  private stopped = false;
  private restarting: Promise<void> | undefined;
  /** Restarts after a crash its client library gave up on, or a stall. */
  restarts = 0;
  private started = false;
  private lastSign = Date.now();
  private readonly watchdog: NodeJS.Timeout | undefined;

  constructor(private readonly options: RevivingConsumerOptions) {
    this.consumer = this.spawn();
    const stallMs = options.stallMs;
    if (stallMs !== undefined) {
      this.watchdog = setInterval(() => this.checkStall(stallMs), Math.max(250, stallMs / 4));
      this.watchdog.unref();
    }
  }

  /** True while the consumer is being replaced or has been silent for too long. */
  get stalled(): boolean {
    return this.restarting !== undefined;
  }

  /** The consumer in use now (a new one after each revival). */
  get current(): ConsumerTransport {
    return this.consumer;
  }

  async start(): Promise<void> {
    await this.options.start(this.consumer);
    this.started = true;
    this.lastSign = Date.now();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watchdog);
    await this.restarting;
    await this.consumer.disconnect();
  }

  private spawn(): ConsumerTransport {
    const consumer = this.options.create();
    consumer.on('alive', () => {
      if (consumer === this.consumer) this.lastSign = Date.now();
    });
    consumer.on('crash', (error, restart) => {
      this.options.logger.error(
        { err: messageOf(error), restart, consumer: this.options.name },
        'consumer crashed',
      );
      if (!restart && !this.stopped && consumer === this.consumer) this.restarting ??= this.revive();
    });
    return consumer;
  }

  private checkStall(stallMs: number): void {
    if (!this.started || this.stopped || this.restarting !== undefined) return;
    if (this.options.quiet?.() === true) {
      this.lastSign = Date.now();
      return;
    }
    const silentMs = Date.now() - this.lastSign;
    if (silentMs < stallMs) return;
    this.options.logger.error({ consumer: this.options.name, silentMs }, 'consumer stalled; replacing it');
    this.restarting = this.revive();
  }

  private async revive(): Promise<void> {
    try {
      for (let attempt = 0; !this.stopped; attempt++) {
        await sleep(Math.min(10_000, 250 * 2 ** attempt) * (0.5 + Math.random() / 2));
        if (this.stopped) return;
        // A stalled consumer may not manage to leave: do not wait for it for long.
        await Promise.race([this.consumer.disconnect().catch(() => undefined), sleep(10_000)]);
        this.consumer = this.spawn();
        try {
          await this.options.start(this.consumer);
          this.restarts++;
          this.lastSign = Date.now();
          this.options.onRestart?.();
          this.options.logger.warn({ consumer: this.options.name, attempt }, 'consumer replaced');
          return;
        } catch (error) {
          this.options.logger.warn(
            { consumer: this.options.name, attempt, err: messageOf(error) },
            'consumer restart failed; retrying',
          );
        }
      }
    } finally {
      this.restarting = undefined;
    }
  }
}
