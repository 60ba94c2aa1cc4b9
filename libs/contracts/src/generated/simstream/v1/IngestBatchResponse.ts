// Original file: proto/simstream/v1/ingestion.proto

import type { FrameResult as _simstream_v1_FrameResult, FrameResult__Output as _simstream_v1_FrameResult__Output } from '../../simstream/v1/FrameResult.js';

export interface IngestBatchResponse {
  'results'?: (_simstream_v1_FrameResult)[];
}

export interface IngestBatchResponse__Output {
  'results': (_simstream_v1_FrameResult__Output)[];
}
