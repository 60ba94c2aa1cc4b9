// Original file: proto/simstream/v1/ingestion.proto

import type { AnalysisEventKind as _simstream_v1_AnalysisEventKind, AnalysisEventKind__Output as _simstream_v1_AnalysisEventKind__Output } from '../../simstream/v1/AnalysisEventKind.js';
import type { Long } from '@grpc/proto-loader';

export interface EventSubscription {
  'kinds'?: (_simstream_v1_AnalysisEventKind)[];
  'anomalyThreshold'?: (number | string);
  'sinceStep'?: (number | string | Long);
  '_anomalyThreshold'?: "anomalyThreshold";
  '_sinceStep'?: "sinceStep";
}

export interface EventSubscription__Output {
  'kinds': (_simstream_v1_AnalysisEventKind__Output)[];
  'anomalyThreshold'?: (number);
  'sinceStep'?: (number);
  '_anomalyThreshold'?: "anomalyThreshold";
  '_sinceStep'?: "sinceStep";
}
