// Original file: proto/simstream/v1/ingestion.proto

import type { OpenStream as _simstream_v1_OpenStream, OpenStream__Output as _simstream_v1_OpenStream__Output } from '../../simstream/v1/OpenStream.js';
import type { Frame as _simstream_v1_Frame, Frame__Output as _simstream_v1_Frame__Output } from '../../simstream/v1/Frame.js';

export interface StreamFramesRequest {
  'open'?: (_simstream_v1_OpenStream | null);
  'frame'?: (_simstream_v1_Frame | null);
  'kind'?: "open"|"frame";
}

export interface StreamFramesRequest__Output {
  'open'?: (_simstream_v1_OpenStream__Output | null);
  'frame'?: (_simstream_v1_Frame__Output | null);
  'kind'?: "open"|"frame";
}
