// Original file: proto/simstream/v1/ingestion.proto

import type { AnalysisEventKind as _simstream_v1_AnalysisEventKind, AnalysisEventKind__Output as _simstream_v1_AnalysisEventKind__Output } from '../../simstream/v1/AnalysisEventKind.js';
import type { NeuromorphicEventDetail as _simstream_v1_NeuromorphicEventDetail, NeuromorphicEventDetail__Output as _simstream_v1_NeuromorphicEventDetail__Output } from '../../simstream/v1/NeuromorphicEventDetail.js';
import type { PartitionEventDetail as _simstream_v1_PartitionEventDetail, PartitionEventDetail__Output as _simstream_v1_PartitionEventDetail__Output } from '../../simstream/v1/PartitionEventDetail.js';
import type { Long } from '@grpc/proto-loader';

export interface AnalysisEvent {
  'simulationId'?: (string);
  'step'?: (number | string | Long);
  'kind'?: (_simstream_v1_AnalysisEventKind);
  'score'?: (number | string);
  'reason'?: (string);
  'producedAtMs'?: (number | string | Long);
  'droppedBefore'?: (number | string | Long);
  'neuromorphic'?: (_simstream_v1_NeuromorphicEventDetail | null);
  'partition'?: (_simstream_v1_PartitionEventDetail | null);
  'detail'?: "neuromorphic"|"partition";
}

export interface AnalysisEvent__Output {
  'simulationId': (string);
  'step': (number);
  'kind': (_simstream_v1_AnalysisEventKind__Output);
  'score': (number);
  'reason': (string);
  'producedAtMs': (number);
  'droppedBefore': (number);
  'neuromorphic'?: (_simstream_v1_NeuromorphicEventDetail__Output | null);
  'partition'?: (_simstream_v1_PartitionEventDetail__Output | null);
  'detail'?: "neuromorphic"|"partition";
}
