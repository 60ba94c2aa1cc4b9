// Original file: proto/simstream/v1/query.proto

import type { ResultKind as _simstream_v1_ResultKind, ResultKind__Output as _simstream_v1_ResultKind__Output } from '../../simstream/v1/ResultKind.js';
import type { Long } from '@grpc/proto-loader';

export interface ListResultsRequest {
  'tenant'?: (string);
  'simulationId'?: (string);
  'kind'?: (_simstream_v1_ResultKind);
  'fromStep'?: (number | string | Long);
  'toStep'?: (number | string | Long);
  'fromTimeMs'?: (number | string | Long);
  'toTimeMs'?: (number | string | Long);
  'pageSize'?: (number);
  'pageToken'?: (string);
  '_fromStep'?: "fromStep";
  '_toStep'?: "toStep";
  '_fromTimeMs'?: "fromTimeMs";
  '_toTimeMs'?: "toTimeMs";
}

export interface ListResultsRequest__Output {
  'tenant': (string);
  'simulationId': (string);
  'kind': (_simstream_v1_ResultKind__Output);
  'fromStep'?: (number);
  'toStep'?: (number);
  'fromTimeMs'?: (number);
  'toTimeMs'?: (number);
  'pageSize': (number);
  'pageToken': (string);
  '_fromStep'?: "fromStep";
  '_toStep'?: "toStep";
  '_fromTimeMs'?: "fromTimeMs";
  '_toTimeMs'?: "toTimeMs";
}
