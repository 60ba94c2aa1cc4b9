/**
 * Frame uploads over HTTP: JSON (base64 data) for small batches, an Arrow IPC stream or an Avro
 * object container file for bulk; decoded here, passed to ingestion in one IngestBatch with the
 * caller's tenant. The answer has one result per frame (acked with its Kafka position, or
 * rejected with ingestion's reason); a 400 only when the body as a whole cannot be read. The
 * first tenant to upload an id owns it (ownership.ts); others get 409.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { pb } from '@simstream/contracts';
import { principalOf, type RouteDeps } from '../http/context.js';
import { COMMON_PROBLEMS, SimulationIdParams, problems } from '../http/schemas.js';
import {
  DEFAULT_UPLOAD_LIMITS,
  dataBytes,
  decodeUpload,
  toProtoFrame,
  type JsonUpload,
  type UploadFormat,
} from '@simstream/uploads';
import { UploadBudgets, ingestionBusy, type UploadHold } from '../frames/upload-budgets.js';
import { rateGuarded } from '../frames/upload-rate.js';
import { HttpError } from '../problem.js';
import { ARROW_STREAM } from './simulations.js';

export const AVRO_CONTAINER = 'application/avro';
const RETRIABLE_CODES = new Set([8, 14]); // RESOURCE_EXHAUSTED, UNAVAILABLE

interface FrameOutcome {
  step: number;
  status: 'acked' | 'rejected';
  partition?: number;
  offset?: number;
  chunks?: number;
  code?: string;
  message?: string;
  retriable?: boolean;
  violations?: { field: string; reason: string; description: string }[];
}

const UPLOAD_TYPES = new Set(['application/json', ARROW_STREAM, AVRO_CONTAINER]);

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

function outcomeOf(result: pb.FrameResult__Output, step: number): FrameOutcome {
  if (result.ack != null)
    return {
      step,
      status: 'acked',
      partition: result.ack.partition,
      offset: result.ack.offset,
      chunks: result.ack.chunks,
    };
  const r = result.rejected;
  return {
    step,
    status: 'rejected',
    code: r?.reason || 'REJECTED',
    message: r?.message ?? '',
    retriable: RETRIABLE_CODES.has(r?.code ?? 0),
    violations: (r?.violations ?? []).map((v) => ({
      field: v.field,
      reason: v.reason,
      description: v.description,
    })),
  };
}

const FRAMES_DESCRIPTION = `Frames of one simulation, in step order.

* \`application/json\`: \`{frames: [{step, sim_time, fields: [{name, dtype, shape, codec, data}], attributes}]}\`, data in base64.
* \`${ARROW_STREAM}\`: an Arrow IPC stream, one row per frame: \`step\` (integer), \`sim_time\` (float), optional
  \`attributes\` (utf8 JSON object) and \`simulation_id\` (utf8); every other column is a field of that name, either
  binary (raw little-endian bytes; field metadata \`dtype\` required, \`shape\` as a JSON array, \`codec\` none|deflate|gzip)
  or a list / fixed-size list of a numeric type (dtype from the element type; metadata \`shape\`). A null cell leaves
  the field out of that frame.
* \`${AVRO_CONTAINER}\`: an Avro object container file (codec null or deflate) whose records are
  \`io.simstream.v1.Frame\` (libs/contracts/avro/frame.v2.avsc works as is; frameId, ingestedAt and tenant are
  ignored), i.e. at least \`step\` (long), \`simTime\` (double) and \`fields\` (name, dtype enum, shape, codec enum, data bytes).

One result per frame, in order; resending frames already durable yields STEP_NOT_INCREASING for them.`;

export function frameRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { limits } = deps.config;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: limits.maxJsonFramesBytes },
    app.getDefaultJsonParser('error', 'error'),
  );
  for (const type of [ARROW_STREAM, AVRO_CONTAINER])
    app.addContentTypeParser(
      type,
      { parseAs: 'buffer', bodyLimit: limits.maxBodyBytes },
      (_request, body, done) => done(null, body),
    );

  const budgets = new UploadBudgets(
    limits.maxUploadInFlightBytes,
    deps.config.perTenant.maxUploadBytes,
    (bytes) => deps.metrics.uploadInFlightBytes.set(bytes),
  );
  // The hold of each upload in progress, grown once its body is decoded.
  const holds = new WeakMap<FastifyRequest, { hold: UploadHold; reserved: number }>();

  app.post<{ Params: { id: string }; Body: JsonUpload | Buffer }>(
    '/v1/simulations/:id/frames',
    {
      config: { scope: 'ingest' },
      // Before the body is read: a type we decode, then the declared size (or the route's
      // limit when unknown) reserved for the tenant and the replica, then a minimum rate.
      preParsing: async (request, reply, payload) => {
        if (!UPLOAD_TYPES.has(mediaType(request)))
          throw new HttpError(
            415,
            'UNSUPPORTED_MEDIA_TYPE',
            `frames are uploaded as application/json, ${ARROW_STREAM} or ${AVRO_CONTAINER}`,
            { headers: { connection: 'close' } },
          );
        const declared = Number(request.headers['content-length']);
        const bytes =
          Number.isFinite(declared) && declared > 0
            ? Math.min(declared, limits.maxBodyBytes)
            : limits.maxBodyBytes;
        const hold = budgets.reserve(principalOf(request).tenant, bytes);
        holds.set(request, { hold, reserved: bytes });
        reply.raw.once('close', () => hold.release());
        return rateGuarded(payload, deps.config.uploadRate, bytes);
      },
      schema: {
        summary: 'Upload frames (JSON, Arrow or Avro)',
        description: FRAMES_DESCRIPTION,
        tags: ['frames'],
        security: [{ bearerAuth: [] }],
        params: SimulationIdParams,
        body: {
          content: {
            'application/json': { schema: { $ref: 'FrameUpload#' } },
            [ARROW_STREAM]: {
              schema: { description: 'Arrow IPC stream, one row per frame (binary)' },
            },
            [AVRO_CONTAINER]: {
              schema: { description: 'Avro object container file of frames (binary)' },
            },
          },
        },
        response: {
          200: { $ref: 'FrameUploadResult#' },
          ...problems(...COMMON_PROBLEMS, 408, 409, 413, 415, 422),
        },
      },
    },
    async (request) => {
      const { tenant } = principalOf(request);
      const { id } = request.params;
      const type = mediaType(request);
      const format: UploadFormat =
        type === ARROW_STREAM ? 'arrow' : type === AVRO_CONTAINER ? 'avro' : 'json';
      const bodyBytes = Buffer.isBuffer(request.body)
        ? request.body.length
        : Number(request.headers['content-length'] ?? 0);
      deps.metrics.uploadBytes.inc({ format }, bodyBytes);
      deps.metrics.uploadBodyBytes.observe({ format }, bodyBytes);

      // In a worker with a deadline (Arrow, Avro); the body's memory moves there, not copied.
      const frames = await decodeUpload(
        format,
        request.body,
        {
          ...DEFAULT_UPLOAD_LIMITS,
          deadlineBaseMs: deps.config.decode.deadlineBaseMs,
          deadlineMsPerMiB: deps.config.decode.deadlineMsPerMiB,
          maxFrames: limits.maxFramesPerUpload,
          // Once inflated, no larger than the body limit the client is told about.
          maxDecodedBytes: limits.maxBodyBytes,
        },
        { transferBody: true, pool: deps.decodePool },
      );
      if (frames.length === 0) throw new HttpError(400, 'FRAMES_EMPTY', 'the body holds no frames');
      // Decoded (decompressed) data is held too: it counts against the same budgets.
      const held = holds.get(request);
      const decodedBytes = frames.reduce((s, f) => s + dataBytes(f), 0);
      if (held !== undefined && decodedBytes > held.reserved) held.hold.grow(decodedBytes - held.reserved);

      const owner = await deps.ownership.claim(id, tenant);
      if (owner !== tenant)
        throw new HttpError(
          409,
          'SIMULATION_ID_UNAVAILABLE',
          `simulation id '${id}' belongs to another tenant; choose another id`,
        );

      const outcomes: (FrameOutcome | undefined)[] = frames.map((f) =>
        f.simulationId !== undefined && f.simulationId !== id
          ? {
              step: f.step,
              status: 'rejected',
              code: 'SIMULATION_ID_MISMATCH',
              message: `frame names simulation '${f.simulationId.slice(0, 130)}', uploaded to '${id}'`,
              retriable: false,
              violations: [],
            }
          : undefined,
      );
      const toSend = frames.filter((_, i) => outcomes[i] === undefined);
      let lastDurable: number | null = null;
      if (toSend.length > 0) {
        const results = await deps.ingestion
          .ingestBatch(
            tenant,
            toSend.map((f) => toProtoFrame(id, f)),
          )
          .catch(ingestionBusy);
        let next = 0;
        for (let i = 0; i < frames.length; i++) {
          if (outcomes[i] !== undefined) continue;
          const result = results[next++];
          outcomes[i] =
            result === undefined
              ? {
                  step: frames[i]!.step,
                  status: 'rejected',
                  code: 'UNAVAILABLE',
                  message: 'no result from ingestion',
                  retriable: true,
                }
              : outcomeOf(result, frames[i]!.step);
          const durable = result?.ack?.lastDurableStep;
          if (durable !== undefined && (lastDurable === null || durable > lastDurable)) lastDurable = durable;
        }
      }
      const done = outcomes as FrameOutcome[];
      const accepted = done.filter((o) => o.status === 'acked').length;
      deps.metrics.uploadFrames.inc({ format, outcome: 'acked' }, accepted);
      deps.metrics.uploadFrames.inc({ format, outcome: 'rejected' }, done.length - accepted);
      request.log.info(
        {
          simulationId: id,
          tenant,
          format,
          frames: frames.length,
          accepted,
          bytes: decodedBytes,
        },
        'frames uploaded',
      );
      return {
        simulation_id: id,
        format,
        accepted,
        rejected: done.length - accepted,
        last_durable_step: lastDurable,
        results: done,
      };
    },
  );
}
