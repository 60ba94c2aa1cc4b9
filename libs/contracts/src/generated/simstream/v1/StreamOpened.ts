// Original file: proto/simstream/v1/ingestion.proto

import type { Limits as _simstream_v1_Limits, Limits__Output as _simstream_v1_Limits__Output } from '../../simstream/v1/Limits.js';
import type { Long } from '@grpc/proto-loader';

export interface StreamOpened {
  'simulationId'?: (string);
  'lastDurableStep'?: (number | string | Long);
  'limits'?: (_simstream_v1_Limits | null);
  'serverId'?: (string);
  '_lastDurableStep'?: "lastDurableStep";
}

export interface StreamOpened__Output {
  'simulationId': (string);
  'lastDurableStep'?: (number);
  'limits': (_simstream_v1_Limits__Output | null);
  'serverId': (string);
  '_lastDurableStep'?: "lastDurableStep";
}
