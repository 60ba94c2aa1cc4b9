/**
 * A kafkajs consumer that comes back after a crash kafkajs itself gives up on.
 *
 * kafkajs restarts a consumer only after retriable errors. Some errors of a broker outage are
 * not (e.g. "Failed to find group coordinator" while the coordinator is down): kafkajs then
 * emits CRASH with `restart: false` and the consumer simply stops, silently, for good — a
 * service keeps running without reading its topics, and a compacted table goes stale. Here such
 * a consumer is replaced by a fresh one (same group, so it resumes from its committed offsets),
 * with exponential backoff until it runs again or is stopped.
 */
import type { Consumer } from 'kafkajs';
import { messageOf } from '@simstream/errors';
import type { Logger } from '@simstream/observability';

export interface RevivingConsumerOptions {
  /** Makes a new consumer (with its event listeners). */
  readonly create: () => Consumer;
  /** Connects, subscribes and runs a consumer. */
  readonly start: (consumer: Consumer) => Promise<void>;
  readonly logger: Logger;
  /** For logs, e.g. the group id. */
  readonly name: string;
  /** Called after every restart (e.g. to forget per-partition state). */
  readonly onRestart?: () => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class RevivingConsumer {
  private consumer: Consumer;
  private stopped = false;
  private restarting: Promise<void> | undefined;
  /** Restarts after a crash kafkajs gave up on. */
  restarts = 0;

  constructor(private readonly options: RevivingConsumerOptions) {
    this.consumer = this.spawn();
  }

  /** The consumer in use now (a new one after each revival). */
  get current(): Consumer {
    return this.consumer;
  }

  async start(): Promise<void> {
    await this.options.start(this.consumer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.restarting;
    await this.consumer.disconnect();
  }

  private spawn(): Consumer {
    const consumer = this.options.create();
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.options.logger.error(
        { err: messageOf(error), restart, consumer: this.options.name },
        'consumer crashed',
      );
      if (!restart && !this.stopped && consumer === this.consumer) this.restarting ??= this.revive();
    });
    return consumer;
  }

  private async revive(): Promise<void> {
    try {
      for (let attempt = 0; !this.stopped; attempt++) {
        await sleep(Math.min(10_000, 250 * 2 ** attempt) * (0.5 + Math.random() / 2));
        if (this.stopped) return;
        await this.consumer.disconnect().catch(() => undefined);
        this.consumer = this.spawn();
        try {
          await this.options.start(this.consumer);
          this.restarts++;
          this.options.onRestart?.();
          this.options.logger.warn(
            { consumer: this.options.name, attempt },
            'consumer restarted after a crash',
          );
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
