// Original file: proto/simstream/v1/ingestion.proto

import type { FieldViolation as _simstream_v1_FieldViolation, FieldViolation__Output as _simstream_v1_FieldViolation__Output } from '../../simstream/v1/FieldViolation.js';
import type { Long } from '@grpc/proto-loader';

export interface FrameRejected {
  'simulationId'?: (string);
  'step'?: (number | string | Long);
  'code'?: (number);
  'reason'?: (string);
  'message'?: (string);
  'violations'?: (_simstream_v1_FieldViolation)[];
}

export interface FrameRejected__Output {
  'simulationId': (string);
  'step': (number);
  'code': (number);
  'reason': (string);
  'message': (string);
  'violations': (_simstream_v1_FieldViolation__Output)[];
}
