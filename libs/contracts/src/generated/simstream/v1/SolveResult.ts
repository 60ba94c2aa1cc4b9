// Original file: proto/simstream/v1/quantum.proto

import type { Long } from '@grpc/proto-loader';

export interface SolveResult {
  'energy'?: (number | string);
  'solution'?: (Buffer | Uint8Array | string);
  'cut'?: (number | string);
  'reads'?: (number);
  'sweeps'?: (number | string | Long);
  'timeToBestMs'?: (number | string);
  'totalMs'?: (number | string);
  'solver'?: (string);
  'backend'?: (string);
  'stoppedBy'?: (string);
  'problemHash'?: (string);
  'cached'?: (boolean);
  '_cut'?: "cut";
}

export interface SolveResult__Output {
  'energy': (number);
  'solution': (Buffer);
  'cut'?: (number);
  'reads': (number);
  'sweeps': (number);
  'timeToBestMs': (number);
  'totalMs': (number);
  'solver': (string);
  'backend': (string);
  'stoppedBy': (string);
  'problemHash': (string);
  'cached': (boolean);
  '_cut'?: "cut";
}
