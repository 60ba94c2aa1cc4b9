/**
 * At most `size` tasks at once; up to `maxWaiting` more wait in arrival order, and past that a
 * task is refused at once (the caller answers "busy, retry" instead of queueing without bound).
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly size: number,
    private readonly maxWaiting = Number.POSITIVE_INFINITY,
  ) {}

  /** Runs `task` when a place is free; `refuse()` is thrown instead when the line is full. */
  async run<T>(task: () => Promise<T>, refuse: () => Error = () => new Error('busy')): Promise<T> {
    if (this.active >= this.size) {
      if (this.waiting.length >= this.maxWaiting) throw refuse();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.active--;
      else next();
    }
  }
}
