/**
 * `simstream validate FILE`: an upload body checked offline exactly as the gateway decodes it
 * (@simstream/uploads, same limits and worker deadline) and as ingestion validates each frame
 * (@simstream/contracts validateFrame: shapes against data length, dtypes, codecs). Returns a
 * report to print; never throws for a bad file, so every outcome has a code and an exit status.
 */
import { open } from 'node:fs/promises';
import { DEFAULT_FRAME_LIMITS, validateFrame, type FrameLimits } from '@simstream/contracts';
import { ValidationError, type FieldViolation } from '@simstream/errors';
import {
  DEFAULT_UPLOAD_LIMITS,
  UploadError,
  decodeUpload,
  guessFormat,
  type UploadFormat,
  type UploadFrame,
  type UploadLimits,
} from '@simstream/uploads';

/** The gateway's default body limit (GATEWAY_MAX_BODY_BYTES). */
export const MAX_FILE_BYTES = 64 * 2 ** 20;
/** A frame that names no simulation is checked as if uploaded to this one. */
const PLACEHOLDER_SIMULATION = 'validate';

export interface FrameProblem {
  readonly index: number;
  readonly step: number;
  readonly violations: readonly FieldViolation[];
}

export type ValidateReport =
  | {
      readonly valid: true;
      readonly format: UploadFormat;
      readonly frames: number;
      readonly simulations: readonly string[];
      readonly steps: { readonly first: number; readonly last: number };
      readonly fields: readonly string[];
    }
  | {
      readonly valid: false;
      readonly format?: UploadFormat;
      readonly code: string;
      readonly status?: number;
      readonly message: string;
      readonly violations: readonly FieldViolation[];
      readonly frameProblems: readonly FrameProblem[];
    };

export interface ValidateOptions {
  readonly format?: UploadFormat;
  readonly uploadLimits?: UploadLimits;
  readonly frameLimits?: FrameLimits;
}

function failure(
  code: string,
  message: string,
  extra: Partial<ValidateReport & { valid: false }> = {},
): ValidateReport {
  return { valid: false, code, message, violations: [], frameProblems: [], ...extra };
}

async function readHead(file: string): Promise<{ bytes: Buffer; size: number }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size > MAX_FILE_BYTES) return { bytes: Buffer.alloc(0), size };
    return { bytes: await handle.readFile(), size };
  } finally {
    await handle.close();
  }
}

function describeField(frame: UploadFrame): string[] {
  return frame.fields.map((f) => `${f.name} ${f.dtype} [${f.shape.join(', ')}] ${f.codec}`);
}

export async function validateFile(file: string, options: ValidateOptions = {}): Promise<ValidateReport> {
  let read: { bytes: Buffer; size: number };
  try {
    read = await readHead(file);
  } catch (error) {
    return failure('FILE_UNREADABLE', `cannot read ${file}: ${(error as Error).message}`);
  }
  if (read.size > MAX_FILE_BYTES)
    return failure('BODY_TOO_LARGE', `${read.size} bytes; the gateway accepts ${MAX_FILE_BYTES} at most`, {
      status: 413,
    });
  const format = options.format ?? guessFormat(file, read.bytes.subarray(0, 64));
  if (format === undefined)
    return failure(
      'UPLOAD_FORMAT_UNKNOWN',
      'cannot tell the format from the name or the first bytes; pass --format',
      {
        status: 415,
      },
    );
  let body: unknown = read.bytes;
  if (format === 'json') {
    try {
      body = JSON.parse(read.bytes.toString('utf8'));
    } catch (error) {
      return failure('MALFORMED_JSON', `body is not valid JSON: ${(error as Error).message}`, {
        format,
        status: 400,
      });
    }
  }
  let frames: UploadFrame[];
  try {
    frames = await decodeUpload(format, body, options.uploadLimits ?? DEFAULT_UPLOAD_LIMITS);
  } catch (error) {
    if (!(error instanceof UploadError)) throw error;
    return failure(error.code, error.message, { format, status: error.status, violations: error.violations });
  }
  if (frames.length === 0)
    return failure('FRAMES_EMPTY', 'the body holds no frames', { format, status: 400 });
  const frameProblems: FrameProblem[] = [];
  for (const [index, frame] of frames.entries()) {
    try {
      await validateFrame(
        { ...frame, simulationId: frame.simulationId ?? PLACEHOLDER_SIMULATION },
        options.frameLimits ?? DEFAULT_FRAME_LIMITS,
      );
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      frameProblems.push({ index, step: frame.step, violations: error.violations });
    }
  }
  if (frameProblems.length > 0)
    return failure('INVALID_ARGUMENT', `${frameProblems.length} of ${frames.length} frames fail validation`, {
      format,
      frameProblems,
    });
  const steps = frames.map((f) => f.step);
  return {
    valid: true,
    format,
    frames: frames.length,
    simulations: [...new Set(frames.map((f) => f.simulationId ?? '(the upload path names it)'))],
    steps: { first: Math.min(...steps), last: Math.max(...steps) },
    fields: [...new Set(frames.flatMap(describeField))],
  };
}

/** The report as the CLI prints it. */
export function formatReport(file: string, report: ValidateReport): string {
  if (report.valid)
    return [
      `${file}: valid ${report.format}, ${report.frames} frame${report.frames === 1 ? '' : 's'}`,
      `  simulation: ${report.simulations.join(', ')}`,
      `  steps: ${report.steps.first}..${report.steps.last}`,
      `  fields: ${report.fields.join('; ')}`,
    ].join('\n');
  const lines = [
    `${file}: invalid${report.format === undefined ? '' : ` ${report.format}`}: ${report.code}: ${report.message}`,
  ];
  for (const v of report.violations.slice(0, 20)) lines.push(`  ${v.field} ${v.reason}: ${v.description}`);
  for (const p of report.frameProblems.slice(0, 20))
    for (const v of p.violations)
      lines.push(`  frame ${p.index} (step ${p.step}): ${v.field} ${v.reason}: ${v.description}`);
  return lines.join('\n');
}
