/**
 * The worker thread that runs apache-arrow and avsc on upload bodies (decode-pool.ts starts it
 * and terminates it at the deadline). One job at a time: a body in, packed frames or the coded
 * error out.
 */
import { parentPort } from 'node:worker_threads';
import { arrowFrames } from './arrow-frames.js';
import { avroFrames } from './avro-frames.js';
import { pack } from './frame-transfer.js';
import type { UploadLimits } from './limits.js';
import { UploadError } from './upload-error.js';

export interface DecodeJob {
  readonly format: 'arrow' | 'avro';
  readonly body: Uint8Array;
  readonly limits: UploadLimits;
}

export type DecodeReply =
  | { readonly ok: true; readonly packed: ReturnType<typeof pack> }
  | {
      readonly ok: false;
      readonly status: UploadError['status'];
      readonly code: string;
      readonly message: string;
      readonly violations: UploadError['violations'];
    };

function run(job: DecodeJob): { reply: DecodeReply; transfer: ArrayBuffer[] } {
  try {
    const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
    const frames =
      job.format === 'arrow' ? arrowFrames(body, job.limits.maxFrames) : avroFrames(body, job.limits);
    const packed = pack(frames);
    return { reply: { ok: true, packed }, transfer: [packed.data] };
  } catch (error) {
    if (error instanceof UploadError)
      return {
        reply: {
          ok: false,
          status: error.status,
          code: error.code,
          message: error.message,
          violations: error.violations,
        },
        transfer: [],
      };
    // A decoder bug or a third-party exception we did not wrap: still the client's body at fault.
    const message = error instanceof Error ? error.message.slice(0, 200) : String(error);
    return {
      reply: {
        ok: false,
        status: 422,
        code: 'UPLOAD_DECODE_FAILED',
        message: `the body could not be decoded: ${message}`,
        violations: [],
      },
      transfer: [],
    };
  }
}

parentPort?.on('message', (job: DecodeJob) => {
  const { reply, transfer } = run(job);
  parentPort!.postMessage(reply, transfer);
});
