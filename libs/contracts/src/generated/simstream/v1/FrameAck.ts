// Original file: proto/simstream/v1/ingestion.proto

import type { Long } from '@grpc/proto-loader';

export interface FrameAck {
  'simulationId'?: (string);
  'step'?: (number | string | Long);
  'partition'?: (number);
  'offset'?: (number | string | Long);
  'chunks'?: (number);
  'lastDurableStep'?: (number | string | Long);
  '_lastDurableStep'?: "lastDurableStep";
}

export interface FrameAck__Output {
  'simulationId': (string);
  'step': (number);
  'partition': (number);
  'offset': (number);
  'chunks': (number);
  'lastDurableStep'?: (number);
  '_lastDurableStep'?: "lastDurableStep";
}
