/**
 * `pnpm bench sim-events --stream <class> [--seed 4]`: sends one labelled run of the sim-events
 * bench through a running stack (e.g. `DEMO_KEEP=1 ./dev demo`), so the dashboard shows its
 * score over steps with the event marked. The labels travel as frame attributes on every frame
 * (the query service keeps a simulation's latest frame attributes, which the gateway's
 * simulation list returns and the dashboard reads): `benchmark`, `event_class`, `event`,
 * `event_onset_step` and `event_window_end_step` (NAB window, as the bench scores it), beside the
 * simulation's own attributes (which follow its updates: the Reynolds number after the onset …).
 * Steps are frame indices. Reads SIMSTREAM_INGEST (host:port), SIMSTREAM_API_KEY and
 * SIMSTREAM_CA (the stack's CA file), as the Python example does.
 */
import { FrameUploader, IngestionClient } from '@simstream/client';
import { ValidationError } from '@simstream/errors';
import {
  DEFAULT_SHAPE,
  EVENT_CLASSES,
  QUIET_CLASSES,
  type RunClass,
  type StreamFrame,
  generateRun,
} from './sim-events-runs.js';
import { eventWindow } from './sim-events-score.js';

const log = (msg: string): void => void process.stderr.write(`[sim-events] ${msg}\n`);

/** The label attributes of a run (empty values for a quiet control). */
export function labelAttributes(
  cls: RunClass,
  event: string,
  window: { left: number; right: number } | undefined,
): Record<string, string> {
  return {
    benchmark: 'sim-events',
    event_class: cls,
    event,
    event_onset_step: window === undefined ? '' : String(window.left),
    event_window_end_step: window === undefined ? '' : String(window.right),
  };
}

export async function streamRun(cls: string, seed: number, env: NodeJS.ProcessEnv): Promise<unknown> {
  const classes: readonly string[] = [...EVENT_CLASSES, ...QUIET_CLASSES];
  const problems = [];
  if (!classes.includes(cls))
    problems.push({
      field: '--stream',
      reason: 'UNKNOWN_CLASS',
      description: `use one of ${classes.join(', ')}`,
    });
  for (const name of ['SIMSTREAM_INGEST', 'SIMSTREAM_API_KEY', 'SIMSTREAM_CA'])
    if ((env[name] ?? '') === '')
      problems.push({ field: name, reason: 'MISSING', description: 'must be set' });
  if (problems.length > 0) throw new ValidationError(problems);
  const frames: StreamFrame[] = [];
  const run = generateRun(cls as RunClass, seed, DEFAULT_SHAPE, (f) => frames.push(f));
  const labels = labelAttributes(run.cls, run.event, eventWindow(run));
  const simulationId = `sim-events-${cls}-${seed}-${Date.now().toString(36)}`;
  const client = new IngestionClient({
    address: env['SIMSTREAM_INGEST'],
    apiKey: env['SIMSTREAM_API_KEY'],
    caFile: env['SIMSTREAM_CA'],
  });
  const uploader = new FrameUploader(client, { simulationId, attributes: labels });
  log(
    `streaming ${run.id} (${frames.length} frames${run.onset === undefined ? '' : `, ${run.event} at step ${run.onset}`}) as ${simulationId}`,
  );
  try {
    await uploader.start();
    for (const f of frames) {
      await uploader.send({
        step: f.index,
        simTime: f.simTime,
        fields: f.fields.map((x) => ({ name: x.name, dtype: 'float32', shape: x.shape, data: x.values })),
        attributes: { ...f.attributes, ...labels },
      });
    }
    await uploader.close();
  } finally {
    client.close();
  }
  return {
    simulationId,
    run: run.id,
    frames: frames.length,
    labels,
    acked: uploader.stats.acked,
    rejected: uploader.stats.rejected,
  };
}
