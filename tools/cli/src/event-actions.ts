/**
 * What `simstream simulate` does when an analysis event arrives (`--events`, `--on-event`):
 * print it, or also checkpoint the simulation's current fields, so that a scientist can look at
 * the state that made the detector fire (the run goes on; the checkpoint is a side copy).
 *
 * A checkpoint is a folder `<dir>/<simulation>/step-<current step>-<event>-<event step>/` with one
 * raw little-endian array per field (`<name>.<dtype>`, readable with numpy.fromfile) and a
 * `meta.json` naming the shapes, the simulation's attributes and the event.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { eventName, type AnalysisEventName } from '@simstream/client';
import type { AnalysisEventOutput } from '@simstream/contracts';
import { ValidationError } from '@simstream/errors';
import type { Simulation } from '@simstream/sims';

export type EventAction = 'log' | 'checkpoint';

const ALIASES: Record<string, AnalysisEventName> = {
  anomaly: 'anomaly',
  pattern: 'pattern_change',
  pattern_change: 'pattern_change',
  quantum: 'quantum_partition',
  partition: 'quantum_partition',
  quantum_partition: 'quantum_partition',
};

/** `anomaly,pattern,quantum` (or `all`) as event kinds; an unknown name is a ValidationError. */
export function parseEventKinds(text: string): AnalysisEventName[] {
  const names = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  if (names.length === 0 || names.includes('all')) return ['anomaly', 'pattern_change', 'quantum_partition'];
  const kinds = names.map((name) => {
    const kind = ALIASES[name];
    if (kind === undefined)
      throw new ValidationError([
        {
          field: '--events',
          reason: 'EVENT_KIND_INVALID',
          description: `'${name}' is not one of anomaly, pattern, quantum, all`,
        },
      ]);
    return kind;
  });
  return [...new Set(kinds)];
}

/** One line for a person: `step 120 anomaly: anomaly score 0.97 >= 0.90`. */
export function formatEvent(event: AnalysisEventOutput): string {
  const dropped = event.droppedBefore > 0 ? ` (${event.droppedBefore} events dropped before it)` : '';
  return `event: step ${event.step} ${eventName(event) ?? event.kind}: ${event.reason}${dropped}`;
}

/** Writes the simulation's current fields beside the event; returns the folder. */
export async function writeCheckpoint(
  dir: string,
  simulationId: string,
  sim: Simulation,
  event: AnalysisEventOutput,
): Promise<string> {
  const folder = path.join(
    dir,
    simulationId,
    `step-${sim.step}-${eventName(event) ?? 'event'}-${event.step}`,
  );
  await mkdir(folder, { recursive: true });
  const fields = sim.fields();
  for (const f of fields) {
    const bytes = new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.byteLength);
    await writeFile(path.join(folder, `${f.name}.${f.dtype}`), bytes);
  }
  const meta = {
    simulationId,
    kind: sim.kind,
    step: sim.step,
    simTime: sim.time,
    attributes: sim.attributes(),
    fields: fields.map((f) => ({
      name: f.name,
      dtype: f.dtype,
      shape: f.shape,
      file: `${f.name}.${f.dtype}`,
    })),
    event: { ...event, kind: eventName(event) ?? event.kind },
  };
  await writeFile(path.join(folder, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return folder;
}
