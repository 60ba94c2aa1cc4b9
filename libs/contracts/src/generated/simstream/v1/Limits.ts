// Original file: proto/simstream/v1/ingestion.proto

import type { Long } from '@grpc/proto-loader';

export interface Limits {
  'maxFrameBytes'?: (number | string | Long);
  'maxStreamInFlightBytes'?: (number | string | Long);
  'chunkBytes'?: (number | string | Long);
}

export interface Limits__Output {
  'maxFrameBytes': (number);
  'maxStreamInFlightBytes': (number);
  'chunkBytes': (number);
}
