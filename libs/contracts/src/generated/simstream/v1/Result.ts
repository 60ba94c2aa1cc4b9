// Original file: proto/simstream/v1/results.proto

import type { ResultKind as _simstream_v1_ResultKind, ResultKind__Output as _simstream_v1_ResultKind__Output } from '../../simstream/v1/ResultKind.js';
import type { NeuromorphicOutput as _simstream_v1_NeuromorphicOutput, NeuromorphicOutput__Output as _simstream_v1_NeuromorphicOutput__Output } from '../../simstream/v1/NeuromorphicOutput.js';
import type { QuantumOutput as _simstream_v1_QuantumOutput, QuantumOutput__Output as _simstream_v1_QuantumOutput__Output } from '../../simstream/v1/QuantumOutput.js';
import type { FrameSummary as _simstream_v1_FrameSummary, FrameSummary__Output as _simstream_v1_FrameSummary__Output } from '../../simstream/v1/FrameSummary.js';
import type { Long } from '@grpc/proto-loader';

export interface Result {
  'simulationId'?: (string);
  'step'?: (number | string | Long);
  'kind'?: (_simstream_v1_ResultKind);
  'simTime'?: (number | string);
  'producedAtMs'?: (number | string | Long);
  'score'?: (number | string);
  'neuromorphic'?: (_simstream_v1_NeuromorphicOutput | null);
  'quantum'?: (_simstream_v1_QuantumOutput | null);
  'frame'?: (_simstream_v1_FrameSummary | null);
  'output'?: "neuromorphic"|"quantum"|"frame";
}

export interface Result__Output {
  'simulationId': (string);
  'step': (number);
  'kind': (_simstream_v1_ResultKind__Output);
  'simTime': (number);
  'producedAtMs': (number);
  'score': (number);
  'neuromorphic'?: (_simstream_v1_NeuromorphicOutput__Output | null);
  'quantum'?: (_simstream_v1_QuantumOutput__Output | null);
  'frame'?: (_simstream_v1_FrameSummary__Output | null);
  'output'?: "neuromorphic"|"quantum"|"frame";
}
