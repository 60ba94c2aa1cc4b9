// Original file: proto/simstream/v1/results.proto

import type { FieldSummary as _simstream_v1_FieldSummary, FieldSummary__Output as _simstream_v1_FieldSummary__Output } from '../../simstream/v1/FieldSummary.js';
import type { Long } from '@grpc/proto-loader';

export interface FrameSummary {
  'frameId'?: (string);
  'bytes'?: (number | string | Long);
  'partition'?: (number);
  'offset'?: (number | string | Long);
  'fields'?: (_simstream_v1_FieldSummary)[];
}

export interface FrameSummary__Output {
  'frameId': (string);
  'bytes': (number);
  'partition': (number);
  'offset': (number);
  'fields': (_simstream_v1_FieldSummary__Output)[];
}
