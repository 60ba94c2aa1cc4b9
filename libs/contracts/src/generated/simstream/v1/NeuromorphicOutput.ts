// Original file: proto/simstream/v1/results.proto


export interface NeuromorphicOutput {
  'anomalyScore'?: (number | string);
  'rawScore'?: (number | string);
  'featureNames'?: (string)[];
  'features'?: (number | string)[];
  'prediction'?: (number | string)[];
  'spikeRate'?: (number | string);
  'patternId'?: (number);
  'novelty'?: (number | string);
  'processingMs'?: (number | string);
  'backend'?: (string);
  'model'?: (string);
}

export interface NeuromorphicOutput__Output {
  'anomalyScore': (number);
  'rawScore': (number);
  'featureNames': (string)[];
  'features': (number)[];
  'prediction': (number)[];
  'spikeRate': (number);
  'patternId': (number);
  'novelty': (number);
  'processingMs': (number);
  'backend': (string);
  'model': (string);
}
