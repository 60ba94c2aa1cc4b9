// Original file: proto/simstream/v1/results.proto

import type { Long } from '@grpc/proto-loader';

export interface QuantumOutput {
  'problemKind'?: (string);
  'problemHash'?: (string);
  'variables'?: (number);
  'solver'?: (string);
  'backend'?: (string);
  'energy'?: (number | string);
  'cut'?: (number | string);
  'imbalance'?: (number | string);
  'solution'?: (Buffer | Uint8Array | string);
  'reads'?: (number);
  'sweeps'?: (number | string | Long);
  'timeToBestMs'?: (number | string);
  'totalMs'?: (number | string);
  'stoppedBy'?: (string);
  'cached'?: (boolean);
  '_cut'?: "cut";
  '_imbalance'?: "imbalance";
}

export interface QuantumOutput__Output {
  'problemKind': (string);
  'problemHash': (string);
  'variables': (number);
  'solver': (string);
  'backend': (string);
  'energy': (number);
  'cut'?: (number);
  'imbalance'?: (number);
  'solution': (Buffer);
  'reads': (number);
  'sweeps': (number);
  'timeToBestMs': (number);
  'totalMs': (number);
  'stoppedBy': (string);
  'cached': (boolean);
  '_cut'?: "cut";
  '_imbalance'?: "imbalance";
}
