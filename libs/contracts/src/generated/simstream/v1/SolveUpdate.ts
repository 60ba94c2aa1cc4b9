// Original file: proto/simstream/v1/quantum.proto

import type { SolveProgress as _simstream_v1_SolveProgress, SolveProgress__Output as _simstream_v1_SolveProgress__Output } from '../../simstream/v1/SolveProgress.js';
import type { SolveResult as _simstream_v1_SolveResult, SolveResult__Output as _simstream_v1_SolveResult__Output } from '../../simstream/v1/SolveResult.js';

export interface SolveUpdate {
  'progress'?: (_simstream_v1_SolveProgress | null);
  'result'?: (_simstream_v1_SolveResult | null);
  'kind'?: "progress"|"result";
}

export interface SolveUpdate__Output {
  'progress'?: (_simstream_v1_SolveProgress__Output | null);
  'result'?: (_simstream_v1_SolveResult__Output | null);
  'kind'?: "progress"|"result";
}
