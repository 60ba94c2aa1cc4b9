// Original file: proto/simstream/v1/quantum.proto

import type { Long } from '@grpc/proto-loader';

export interface SolverParams {
  'solver'?: (string);
  'seed'?: (number | string | Long);
  'timeLimitMs'?: (number);
  'reads'?: (number);
  'targetEnergy'?: (number | string);
  '_targetEnergy'?: "targetEnergy";
}

export interface SolverParams__Output {
  'solver': (string);
  'seed': (number);
  'timeLimitMs': (number);
  'reads': (number);
  'targetEnergy'?: (number);
  '_targetEnergy'?: "targetEnergy";
}
