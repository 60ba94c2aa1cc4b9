// Original file: proto/simstream/v1/quantum.proto

import type { Problem as _simstream_v1_Problem, Problem__Output as _simstream_v1_Problem__Output } from '../../simstream/v1/Problem.js';
import type { SolverParams as _simstream_v1_SolverParams, SolverParams__Output as _simstream_v1_SolverParams__Output } from '../../simstream/v1/SolverParams.js';

export interface SolveRequest {
  'tenant'?: (string);
  'problem'?: (_simstream_v1_Problem | null);
  'params'?: (_simstream_v1_SolverParams | null);
}

export interface SolveRequest__Output {
  'tenant': (string);
  'problem': (_simstream_v1_Problem__Output | null);
  'params': (_simstream_v1_SolverParams__Output | null);
}
