/**
 * CPU of a process by stage of the ingest path, from a V8 CPU profile (`node --cpu-prof`): each
 * sample is billed to the innermost frame that belongs to a known stage, walking out from the
 * sampled function (so time in native code, Buffer copies and the like goes to whoever called
 * it). Idle time is left out; what fits no stage is `other`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export const STAGES = ['grpcReceive', 'validation', 'avro', 'produce', 'gc', 'other'] as const;
export type Stage = (typeof STAGES)[number];

/** The stage of one frame, or undefined when its caller should decide. */
function stageOf(frame: ProfileNode['callFrame']): Stage | undefined {
  const { functionName, url } = frame;
  if (functionName === '(garbage collector)') return 'gc';
  if (/kafkajs|@platformatic\+kafka|\/libs\/kafka\//.test(url)) return 'produce';
  if (/\/avsc|\/libs\/contracts\/dist\/avro/.test(url)) return 'avro';
  if (
    /\/libs\/contracts\/dist\/(validat|frame)|\/services\/ingestion\/dist\/(frame-input|stream-session)/.test(
      url,
    )
  )
    return 'validation';
  if (/@grpc\+grpc-js|protobufjs|node:internal\/http2|node:http2|node:internal\/tls|node:tls/.test(url))
    return 'grpcReceive';
  return undefined;
}

export interface CpuByStage {
  /** CPU milliseconds per stage (idle excluded). */
  readonly ms: Record<Stage, number>;
  readonly totalMs: number;
}

export function cpuByStage(profilePath: string): CpuByStage {
  const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, Stage | 'idle'>();
  const resolve = (id: number): Stage | 'idle' => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    let stage: Stage | 'idle';
    if (name === '(idle)' || name === '(program)') stage = 'idle';
    else {
      const own = stageOf(node.callFrame);
      const up = parent.get(id);
      stage = own ?? (up === undefined ? 'other' : resolve(up));
      if (stage === 'idle') stage = 'other';
    }
    memo.set(id, stage);
    return stage;
  };
  const ms = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const stage = resolve(id);
    if (stage === 'idle') return;
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    ms[stage] += dt;
    totalMs += dt;
  });
  return { ms, totalMs };
}
