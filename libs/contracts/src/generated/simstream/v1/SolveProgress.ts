// Original file: proto/simstream/v1/quantum.proto

import type { Long } from '@grpc/proto-loader';

export interface SolveProgress {
  'bestEnergy'?: (number | string);
  'elapsedMs'?: (number | string);
  'sweeps'?: (number | string | Long);
}

export interface SolveProgress__Output {
  'bestEnergy': (number);
  'elapsedMs': (number);
  'sweeps': (number);
}
