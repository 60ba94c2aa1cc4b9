/**
 * `pnpm bench uploads [--reps n]`: the upload decoders (@simstream/uploads, through the worker
 * pool as the gateway runs them) on valid bodies of 1 and 16 MiB (Arrow, Avro null and deflate)
 * beside hostile ones (the regression corpus, a 200 MiB deflate bomb, 16 MiB bodies with one
 * header count set huge). For each: ms per decode (median, max), ms per MiB, the outcome, and the
 * largest event-loop delay the main thread saw while decoding (monitorEventLoopDelay): what every
 * other request on the gateway would have waited; with the lag of an idle wait beside it (a shared
 * machine delays timers too) and the main thread's own busy time (eventLoopUtilization).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_UPLOAD_LIMITS,
  DecodePool,
  UploadError,
  decodeUpload,
  type UploadFormat,
} from '@simstream/uploads';
import { deflateBomb, sampleArrow, sampleAvro } from '@simstream/uploads/samples';

const MiB = 2 ** 20;
const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../libs/uploads/corpus');
const LIMITS = { ...DEFAULT_UPLOAD_LIMITS, maxDecodedBytes: 64 * MiB };

interface Case {
  readonly name: string;
  readonly kind: 'valid' | 'hostile';
  readonly format: UploadFormat;
  readonly body: Buffer;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const mib of [1, 16]) {
    const rows = 16 * mib; // 64 KiB of float32 per frame
    out.push({ name: `arrow ${mib} MiB`, kind: 'valid', format: 'arrow', body: sampleArrow(rows, 16_384) });
    out.push({ name: `avro ${mib} MiB`, kind: 'valid', format: 'avro', body: sampleAvro(rows, 16_384) });
    out.push({
      name: `avro deflate ${mib} MiB decoded`,
      kind: 'valid',
      format: 'avro',
      body: sampleAvro(rows, 16_384, { codec: 'deflate' }),
    });
  }
  const bigArrow = sampleArrow(256, 16_384);
  // The record batch's length field: found by locating the row count (256) after the schema.
  const hugeRows = Buffer.from(bigArrow);
  const at = hugeRows.indexOf(Buffer.from([0, 1, 0, 0, 0, 0, 0, 0]), 200);
  hugeRows.writeBigInt64LE(2n ** 40n, at);
  out.push({ name: 'arrow 16 MiB, batch length 2^40', kind: 'hostile', format: 'arrow', body: hugeRows });
  out.push({ name: 'avro deflate bomb (200 MiB)', kind: 'hostile', format: 'avro', body: deflateBomb() });
  for (const format of ['arrow', 'avro'] as const)
    for (const file of readdirSync(path.join(CORPUS, format)).sort())
      out.push({
        name: `corpus ${format}/${file}`,
        kind: 'hostile',
        format,
        body: readFileSync(path.join(CORPUS, format, file)),
      });
  return out;
}

async function measure(pool: DecodePool, c: Case, reps: number) {
  const times: number[] = [];
  let busyMs = 0;
  let outcome = '';
  const lag = monitorEventLoopDelay({ resolution: 1 });
  for (let i = 0; i < reps; i++) {
    // A fresh copy each time, moved to the worker as the gateway moves its request bodies.
    const body = Buffer.from(c.body);
    lag.enable();
    const elu = performance.eventLoopUtilization();
    const started = performance.now();
    outcome = await decodeUpload(c.format, body, LIMITS, { pool, transferBody: true }).then(
      (frames) => `${frames.length} frames`,
      (error: unknown) => (error instanceof UploadError ? error.code : String(error)),
    );
    times.push(performance.now() - started);
    // Time the main thread spent running (not waiting for the worker): robust to a busy machine.
    busyMs = Math.max(busyMs, performance.eventLoopUtilization(elu).active);
    lag.disable();
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const mib = c.body.length / MiB;
  return {
    case: c.name,
    kind: c.kind,
    bodyBytes: c.body.length,
    outcome,
    medianMs: +median.toFixed(2),
    maxMs: +times[times.length - 1]!.toFixed(2),
    // Per MiB of body; for bodies under 64 KiB it mostly measures the worker round trip.
    msPerMiB: +(median / mib).toFixed(1),
    maxEventLoopLagMs: +(lag.max / 1e6).toFixed(2),
    p99EventLoopLagMs: +(lag.percentile(99) / 1e6).toFixed(2),
    maxMainThreadBusyMs: +busyMs.toFixed(2),
  };
}

/** The same histogram over an idle wait: on a shared machine, the lag that is not ours. */
async function idleLag(ms: number): Promise<{ maxMs: number; p99Ms: number }> {
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  await new Promise((resolve) => setTimeout(resolve, ms));
  lag.disable();
  return { maxMs: +(lag.max / 1e6).toFixed(2), p99Ms: +(lag.percentile(99) / 1e6).toFixed(2) };
}

export default async function uploads(args: string[]): Promise<unknown> {
  const repsArg = args.indexOf('--reps');
  const reps = repsArg >= 0 ? Number(args[repsArg + 1]) : 5;
  const pool = new DecodePool({ size: 1 });
  try {
    const all = cases();
    await decodeUpload('arrow', all[0]!.body, LIMITS, { pool }); // worker started and warm
    const idle = await idleLag(2_000);
    const results: Awaited<ReturnType<typeof measure>>[] = [];
    for (const c of all) {
      process.stderr.write(`${c.name}\n`);
      results.push(await measure(pool, c, reps));
    }
    const ofKind = (kind: Case['kind']) => results.filter((r) => r.kind === kind);
    const large = results.filter((r) => r.bodyBytes >= MiB);
    return {
      reps,
      deadline: `${LIMITS.deadlineBaseMs} ms + ${LIMITS.deadlineMsPerMiB} ms/MiB`,
      summary: {
        validMaxMsPerMiB: Math.max(...ofKind('valid').map((r) => r.msPerMiB)),
        hostileMaxMs: Math.max(...ofKind('hostile').map((r) => r.maxMs)),
        maxMsPerMiBOfBodiesOver1MiB: Math.max(...large.map((r) => r.msPerMiB)),
        maxEventLoopLagMs: Math.max(...results.map((r) => r.maxEventLoopLagMs)),
        maxMainThreadBusyMs: Math.max(...results.map((r) => r.maxMainThreadBusyMs)),
        maxP99EventLoopLagMs: Math.max(...results.map((r) => r.p99EventLoopLagMs)),
        idleEventLoopLag: idle,
      },
      results,
    };
  } finally {
    await pool.close();
  }
}
