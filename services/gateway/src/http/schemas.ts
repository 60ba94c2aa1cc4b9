/**
 * Shared JSON schemas of the REST API (registered with $id, referenced as `Name#`): they
 * validate requests, serialize answers (fields not listed are never sent) and become the
 * OpenAPI components.
 */
import { CODECS, DTYPES } from '@simstream/contracts';

const nullableNumber = { type: ['number', 'null'] } as const;
const nullableString = { type: ['string', 'null'] } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

export const ProblemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem document; `code` is stable and listed in docs/errors.md',
  properties: {
    type: { type: 'string', example: 'urn:simstream:error:INVALID_ARGUMENT' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string' },
    retriable: { type: 'boolean' },
    violations: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          field: { type: 'string' },
          reason: { type: 'string' },
          description: { type: 'string' },
        },
      },
    },
  },
  required: ['type', 'title', 'status', 'detail', 'code'],
} as const;

export const SimulationSchema = {
  $id: 'Simulation',
  type: 'object',
  properties: {
    simulation_id: { type: 'string' },
    tenant: { type: 'string' },
    kind: { type: 'string' },
    attributes: stringMap,
    frames: { type: 'integer' },
    first_step: { type: 'integer' },
    last_step: { type: 'integer' },
    first_seen: { ...nullableString, format: 'date-time' },
    last_seen: { ...nullableString, format: 'date-time' },
    neuromorphic_results: { type: 'integer' },
    quantum_results: { type: 'integer' },
    last_anomaly_score: nullableNumber,
  },
} as const;

const numbers = { type: 'array', items: { type: 'number' } } as const;
const int8s = { type: 'array', items: { type: 'integer' }, description: 'int8 per variable' } as const;

export const SolveResultSchema = {
  $id: 'SolveResult',
  type: 'object',
  properties: {
    energy: { type: 'number' },
    solution: int8s,
    cut: nullableNumber,
    reads: { type: 'integer' },
    sweeps: { type: 'integer' },
    time_to_best_ms: { type: 'number' },
    total_ms: { type: 'number' },
    solver: { type: 'string' },
    backend: { type: 'string' },
    stopped_by: { type: 'string', description: 'completed, time_limit, target, cancelled' },
    problem_hash: { type: 'string' },
    cached: { type: 'boolean' },
  },
} as const;

export const ResultSchema = {
  $id: 'Result',
  type: 'object',
  properties: {
    simulation_id: { type: 'string' },
    step: { type: 'integer' },
    kind: { type: 'string', enum: ['neuromorphic', 'quantum', 'frame', 'unspecified'] },
    sim_time: { type: 'number' },
    produced_at: { ...nullableString, format: 'date-time' },
    score: { type: 'number', description: 'anomaly score, energy, or the mean of the first field' },
    neuromorphic: {
      type: 'object',
      properties: {
        anomaly_score: { type: 'number' },
        raw_score: { type: 'number' },
        feature_names: { type: 'array', items: { type: 'string' } },
        features: numbers,
        prediction: numbers,
        spike_rate: { type: 'number' },
        pattern_id: { type: 'integer' },
        novelty: { type: 'number' },
        processing_ms: { type: 'number' },
        backend: { type: 'string' },
        model: { type: 'string' },
      },
    },
    quantum: {
      type: 'object',
      properties: {
        problem_kind: { type: 'string' },
        problem_hash: { type: 'string' },
        variables: { type: 'integer' },
        solver: { type: 'string' },
        backend: { type: 'string' },
        energy: { type: 'number' },
        cut: nullableNumber,
        imbalance: nullableNumber,
        solution: int8s,
        reads: { type: 'integer' },
        sweeps: { type: 'integer' },
        time_to_best_ms: { type: 'number' },
        total_ms: { type: 'number' },
        stopped_by: { type: 'string' },
        cached: { type: 'boolean' },
      },
    },
    frame: {
      type: 'object',
      properties: {
        frame_id: { type: 'string' },
        bytes: { type: 'integer' },
        partition: { type: 'integer' },
        offset: { type: 'integer' },
        fields: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              dtype: { type: 'string' },
              shape: { type: 'array', items: { type: 'integer' } },
              codec: { type: 'string' },
              bytes: { type: 'integer' },
              min: { type: 'number' },
              max: { type: 'number' },
              mean: { type: 'number' },
              std: { type: 'number' },
              l2: { type: 'number' },
            },
          },
        },
      },
    },
  },
} as const;

export const JobSchema = {
  $id: 'Job',
  type: 'object',
  properties: {
    job_id: { type: 'string' },
    status: {
      type: 'string',
      enum: ['unspecified', 'queued', 'running', 'succeeded', 'failed', 'cancelled'],
    },
    variables: { type: 'integer' },
    submitted_at: { ...nullableString, format: 'date-time' },
    started_at: { ...nullableString, format: 'date-time' },
    finished_at: { ...nullableString, format: 'date-time' },
    result: { anyOf: [{ $ref: 'SolveResult#' }, { type: 'null' }] },
    error: nullableString,
  },
} as const;

export const ApiKeySchema = {
  $id: 'ApiKey',
  type: 'object',
  properties: {
    key_id: { type: 'string' },
    tenant: { type: 'string' },
    name: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string', enum: ['ingest', 'read', 'admin'] } },
    created_at: { type: 'string', format: 'date-time' },
    revoked_at: { ...nullableString, format: 'date-time' },
    last_used_at: { ...nullableString, format: 'date-time' },
  },
} as const;

export const FrameUploadSchema = {
  $id: 'FrameUpload',
  type: 'object',
  additionalProperties: false,
  required: ['frames'],
  properties: {
    frames: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['step', 'sim_time', 'fields'],
        properties: {
          step: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
          sim_time: { type: 'number' },
          simulation_id: { type: 'string', description: 'optional; must equal the path id' },
          attributes: stringMap,
          fields: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'dtype', 'shape', 'data'],
              properties: {
                name: { type: 'string', minLength: 1, maxLength: 64 },
                dtype: { type: 'string', enum: [...DTYPES] },
                shape: { type: 'array', minItems: 1, maxItems: 8, items: { type: 'integer', minimum: 1 } },
                codec: { type: 'string', enum: [...CODECS], default: 'none' },
                data: {
                  type: 'string',
                  description: 'little-endian array bytes, base64',
                  contentEncoding: 'base64',
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

export const FrameUploadResultSchema = {
  $id: 'FrameUploadResult',
  type: 'object',
  properties: {
    simulation_id: { type: 'string' },
    format: { type: 'string', enum: ['json', 'arrow', 'avro'] },
    accepted: { type: 'integer' },
    rejected: { type: 'integer' },
    last_durable_step: { type: ['integer', 'null'] },
    results: {
      type: 'array',
      description: 'one per frame, in the order of the body',
      items: {
        type: 'object',
        properties: {
          step: { type: 'integer' },
          status: { type: 'string', enum: ['acked', 'rejected'] },
          partition: { type: 'integer' },
          offset: { type: 'integer' },
          chunks: { type: 'integer' },
          code: { type: 'string', description: 'rejections: stable reason (docs/errors.md)' },
          message: { type: 'string' },
          retriable: { type: 'boolean' },
          violations: ProblemSchema.properties.violations,
        },
      },
    },
  },
} as const;

export const SHARED_SCHEMAS = [
  ProblemSchema,
  SimulationSchema,
  SolveResultSchema,
  ResultSchema,
  JobSchema,
  ApiKeySchema,
  FrameUploadSchema,
  FrameUploadResultSchema,
];

/** Problem answers for the given statuses (the body is always application/problem+json). */
export function problems(...statuses: number[]): Record<number, unknown> {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: `problem (${s})`,
        content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
      },
    ]),
  );
}

/** Every authenticated route may answer these. */
export const COMMON_PROBLEMS = [400, 401, 403, 429, 503] as const;

/**
 * Numeric inputs carry their real domain, so a value no row or solver can have is a 400 naming
 * the parameter here, never an error of a downstream (an int8 overflow in SQL used to come
 * back as a 502 and count against the shared breaker). Steps are safe integers (int8 in
 * Postgres, written from JS numbers); uint32 fields of the protos stop at 2^32 - 1.
 */
export const STEP = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
export const UINT32_MAX = 4294967295;

export const SimulationIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,127}$' } },
} as const;
