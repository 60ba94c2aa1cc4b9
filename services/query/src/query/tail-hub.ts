/** Which open tails to wake when a simulation changes (from the version notifications). */
import type { VersionMessage } from '../cache/version-bus.js';
import type { Waker } from './tail.js';
import type { QueryKind } from './store.js';

export class TailHub {
  private readonly bySimulation = new Map<string, Set<{ kind: QueryKind; waker: Waker }>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  subscribe(simulationId: string, kind: QueryKind, waker: Waker): () => void {
    let set = this.bySimulation.get(simulationId);
    if (set === undefined) {
      set = new Set();
      this.bySimulation.set(simulationId, set);
    }
    const entry = { kind, waker };
    set.add(entry);
    this.count++;
    return () => {
      if (!set.delete(entry)) return;
      this.count--;
      if (set.size === 0) this.bySimulation.delete(simulationId);
    };
  }

  notify(message: VersionMessage): void {
    const set = this.bySimulation.get(message.simulationId);
    if (set === undefined) return;
    for (const { kind, waker } of set) if (message.kinds.includes(kind)) waker.wake();
  }
}
