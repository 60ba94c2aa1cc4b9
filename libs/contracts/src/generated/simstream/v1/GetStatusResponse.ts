// Original file: proto/simstream/v1/ingestion.proto

import type { Long } from '@grpc/proto-loader';

export interface GetStatusResponse {
  'serverId'?: (string);
  'ready'?: (boolean);
  'openStreams'?: (number);
  'inFlightBytes'?: (number | string | Long);
  'maxInFlightBytes'?: (number | string | Long);
  'framesAcked'?: (number | string | Long);
  'framesRejected'?: (number | string | Long);
  'simulationId'?: (string);
  'lastDurableStep'?: (number | string | Long);
  '_lastDurableStep'?: "lastDurableStep";
}

export interface GetStatusResponse__Output {
  'serverId': (string);
  'ready': (boolean);
  'openStreams': (number);
  'inFlightBytes': (number);
  'maxInFlightBytes': (number);
  'framesAcked': (number);
  'framesRejected': (number);
  'simulationId': (string);
  'lastDurableStep'?: (number);
  '_lastDurableStep'?: "lastDurableStep";
}
