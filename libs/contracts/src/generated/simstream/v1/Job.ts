// Original file: proto/simstream/v1/quantum.proto

import type { JobStatus as _simstream_v1_JobStatus, JobStatus__Output as _simstream_v1_JobStatus__Output } from '../../simstream/v1/JobStatus.js';
import type { SolveResult as _simstream_v1_SolveResult, SolveResult__Output as _simstream_v1_SolveResult__Output } from '../../simstream/v1/SolveResult.js';
import type { Long } from '@grpc/proto-loader';

export interface Job {
  'jobId'?: (string);
  'tenant'?: (string);
  'status'?: (_simstream_v1_JobStatus);
  'submittedAtMs'?: (number | string | Long);
  'startedAtMs'?: (number | string | Long);
  'finishedAtMs'?: (number | string | Long);
  'result'?: (_simstream_v1_SolveResult | null);
  'error'?: (string);
  'variables'?: (number);
  '_result'?: "result";
}

export interface Job__Output {
  'jobId': (string);
  'tenant': (string);
  'status': (_simstream_v1_JobStatus__Output);
  'submittedAtMs': (number);
  'startedAtMs': (number);
  'finishedAtMs': (number);
  'result'?: (_simstream_v1_SolveResult__Output | null);
  'error': (string);
  'variables': (number);
  '_result'?: "result";
}
