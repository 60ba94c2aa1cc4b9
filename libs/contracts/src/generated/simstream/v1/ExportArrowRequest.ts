// Original file: proto/simstream/v1/query.proto

import type { ResultKind as _simstream_v1_ResultKind, ResultKind__Output as _simstream_v1_ResultKind__Output } from '../../simstream/v1/ResultKind.js';
import type { Long } from '@grpc/proto-loader';

export interface ExportArrowRequest {
  'tenant'?: (string);
  'simulationId'?: (string);
  'kind'?: (_simstream_v1_ResultKind);
  'fromStep'?: (number | string | Long);
  'toStep'?: (number | string | Long);
  '_fromStep'?: "fromStep";
  '_toStep'?: "toStep";
}

export interface ExportArrowRequest__Output {
  'tenant': (string);
  'simulationId': (string);
  'kind': (_simstream_v1_ResultKind__Output);
  'fromStep'?: (number);
  'toStep'?: (number);
  '_fromStep'?: "fromStep";
  '_toStep'?: "toStep";
}
