// Original file: proto/simstream/v1/ingestion.proto


export interface NeuromorphicEventDetail {
  'anomalyScore'?: (number | string);
  'rawScore'?: (number | string);
  'patternId'?: (number);
  'previousPatternId'?: (number);
  'novelty'?: (number | string);
  'threshold'?: (number | string);
  '_previousPatternId'?: "previousPatternId";
}

export interface NeuromorphicEventDetail__Output {
  'anomalyScore': (number);
  'rawScore': (number);
  'patternId': (number);
  'previousPatternId'?: (number);
  'novelty': (number);
  'threshold': (number);
  '_previousPatternId'?: "previousPatternId";
}
