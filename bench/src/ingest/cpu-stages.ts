/**
 * CPU of a process by stage of the ingest path, from a V8 CPU profile (`node --cpu-prof`): each
 * sample is billed to the innermost frame that belongs to a known stage, walking out from the
 * sampled function (so time in native code, Buffer copies and the like goes to whoever called
 * it). Idle time is left out; what fits no stage is `other`.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FullPathTarget } from './full-path.js';
import type { BenchIngestion } from './ingestion.js';
import { round } from './stats.js';

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

/**
 * Ingestion's CPU milliseconds per MB of frames, by stage: two profiled ingestion processes, one
 * that only starts and takes a warm-up, one that also takes `frames` frames; the difference is
 * what those frames cost (start-up, JIT warm-up and shutdown cancel out).
 */
export async function cpuPerMbByStage(
  start: (nodeArgs: readonly string[]) => Promise<BenchIngestion>,
  run: (target: FullPathTarget, frames: number, tag: string) => Promise<unknown>,
  frames: number,
  megabytes: number,
): Promise<Record<Stage | 'total', number>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'simstream-cpu-'));
  const profiled = async (measured: number): Promise<CpuByStage> => {
    const out = path.join(dir, String(measured));
    const ingestion = await start(['--cpu-prof', `--cpu-prof-dir=${out}`]);
    try {
      await run(ingestion.target, 64, `cpu-warm-${measured}`);
      if (measured > 0) await run(ingestion.target, measured, 'cpu');
    } finally {
      await ingestion.stop();
    }
    const [file] = readdirSync(out).filter((f) => f.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error(`ingestion wrote no CPU profile to ${out}`);
    return cpuByStage(path.join(out, file));
  };
  try {
    const base = await profiled(0);
    const full = await profiled(frames);
    const per = (stage: Stage) => round(Math.max(0, full.ms[stage] - base.ms[stage]) / megabytes, 2);
    return {
      ...(Object.fromEntries(STAGES.map((s) => [s, per(s)])) as Record<Stage, number>),
      total: round(Math.max(0, full.totalMs - base.totalMs) / megabytes, 2),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
