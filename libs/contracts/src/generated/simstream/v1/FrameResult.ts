// Original file: proto/simstream/v1/ingestion.proto

import type { FrameAck as _simstream_v1_FrameAck, FrameAck__Output as _simstream_v1_FrameAck__Output } from '../../simstream/v1/FrameAck.js';
import type { FrameRejected as _simstream_v1_FrameRejected, FrameRejected__Output as _simstream_v1_FrameRejected__Output } from '../../simstream/v1/FrameRejected.js';

export interface FrameResult {
  'ack'?: (_simstream_v1_FrameAck | null);
  'rejected'?: (_simstream_v1_FrameRejected | null);
  'kind'?: "ack"|"rejected";
}

export interface FrameResult__Output {
  'ack'?: (_simstream_v1_FrameAck__Output | null);
  'rejected'?: (_simstream_v1_FrameRejected__Output | null);
  'kind'?: "ack"|"rejected";
}
