// Original file: proto/simstream/v1/ingestion.proto

import type { Frame as _simstream_v1_Frame, Frame__Output as _simstream_v1_Frame__Output } from '../../simstream/v1/Frame.js';

export interface IngestBatchRequest {
  'frames'?: (_simstream_v1_Frame)[];
}

export interface IngestBatchRequest__Output {
  'frames': (_simstream_v1_Frame__Output)[];
}
