// Original file: proto/simstream/v1/ingestion.proto

import type { StreamOpened as _simstream_v1_StreamOpened, StreamOpened__Output as _simstream_v1_StreamOpened__Output } from '../../simstream/v1/StreamOpened.js';
import type { FrameAck as _simstream_v1_FrameAck, FrameAck__Output as _simstream_v1_FrameAck__Output } from '../../simstream/v1/FrameAck.js';
import type { FrameRejected as _simstream_v1_FrameRejected, FrameRejected__Output as _simstream_v1_FrameRejected__Output } from '../../simstream/v1/FrameRejected.js';
import type { AnalysisEvent as _simstream_v1_AnalysisEvent, AnalysisEvent__Output as _simstream_v1_AnalysisEvent__Output } from '../../simstream/v1/AnalysisEvent.js';

export interface StreamFramesResponse {
  'opened'?: (_simstream_v1_StreamOpened | null);
  'ack'?: (_simstream_v1_FrameAck | null);
  'rejected'?: (_simstream_v1_FrameRejected | null);
  'event'?: (_simstream_v1_AnalysisEvent | null);
  'kind'?: "opened"|"ack"|"rejected"|"event";
}

export interface StreamFramesResponse__Output {
  'opened'?: (_simstream_v1_StreamOpened__Output | null);
  'ack'?: (_simstream_v1_FrameAck__Output | null);
  'rejected'?: (_simstream_v1_FrameRejected__Output | null);
  'event'?: (_simstream_v1_AnalysisEvent__Output | null);
  'kind'?: "opened"|"ack"|"rejected"|"event";
}
