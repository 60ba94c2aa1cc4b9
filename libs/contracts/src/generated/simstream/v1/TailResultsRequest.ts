// Original file: proto/simstream/v1/query.proto

import type { ResultKind as _simstream_v1_ResultKind, ResultKind__Output as _simstream_v1_ResultKind__Output } from '../../simstream/v1/ResultKind.js';
import type { Long } from '@grpc/proto-loader';

export interface TailResultsRequest {
  'tenant'?: (string);
  'simulationId'?: (string);
  'kind'?: (_simstream_v1_ResultKind);
  'fromStep'?: (number | string | Long);
  'latestOnly'?: (boolean);
  '_fromStep'?: "fromStep";
}

export interface TailResultsRequest__Output {
  'tenant': (string);
  'simulationId': (string);
  'kind': (_simstream_v1_ResultKind__Output);
  'fromStep'?: (number);
  'latestOnly': (boolean);
  '_fromStep'?: "fromStep";
}
