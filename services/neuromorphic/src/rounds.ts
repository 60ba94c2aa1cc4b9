/**
 * The order frames are stepped in. A simulation's frames must go through its detector state one
 * after the other, in step order; frames of different simulations are independent. Round r holds
 * the r-th frame of every simulation in the batch, so one tensor op per round (and detector)
 * serves them all, and each simulation keeps its own order.
 */

export interface Keyed {
  readonly simulationId: string;
}

/** Rounds of `items` (given in stream order); simulations in order of first appearance. */
export function rounds<T extends Keyed>(items: readonly T[]): T[][] {
  const bySimulation = new Map<string, T[]>();
  for (const item of items) {
    const list = bySimulation.get(item.simulationId);
    if (list === undefined) bySimulation.set(item.simulationId, [item]);
    else list.push(item);
  }
  const out: T[][] = [];
  for (const list of bySimulation.values()) {
    list.forEach((item, r) => {
      const round = out[r];
      if (round === undefined) out[r] = [item];
      else round.push(item);
    });
  }
  return out;
}

/** Groups items by a key, keeping their order within each group. */
export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [item]);
    else list.push(item);
  }
  return groups;
}
