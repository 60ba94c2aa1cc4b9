/**
 * The open event streams of this replica: a cap (each holds a socket and, for results, a share
 * of an upstream tail) and a way to end them all when the gateway shuts down.
 */
import { HttpError } from '../problem.js';
import type { SseWriter } from './sse-writer.js';

export class SseClients {
  private readonly writers = new Set<SseWriter>();
  private reserved = 0;

  constructor(private readonly max: number) {}

  get count(): number {
    return this.reserved;
  }

  /** Takes a slot (503 TOO_MANY_STREAMS when none is left); call the result to give it back. */
  reserve(): () => void {
    if (this.reserved >= this.max)
      throw new HttpError(
        503,
        'TOO_MANY_STREAMS',
        `this gateway already serves ${this.reserved} event streams`,
        {
          headers: { 'retry-after': '5' },
        },
      );
    this.reserved++;
    let released = false;
    return () => {
      if (!released) this.reserved--;
      released = true;
    };
  }

  track(writer: SseWriter): void {
    this.writers.add(writer);
    writer.onClose(() => this.writers.delete(writer));
  }

  closeAll(): void {
    for (const writer of [...this.writers]) writer.close();
  }
}
