// Original file: proto/simstream/v1/query.proto

import type { Long } from '@grpc/proto-loader';

export interface Simulation {
  'simulationId'?: (string);
  'tenant'?: (string);
  'kind'?: (string);
  'attributes'?: ({[key: string]: string});
  'frames'?: (number | string | Long);
  'firstStep'?: (number | string | Long);
  'lastStep'?: (number | string | Long);
  'firstSeenMs'?: (number | string | Long);
  'lastSeenMs'?: (number | string | Long);
  'neuromorphicResults'?: (number | string | Long);
  'quantumResults'?: (number | string | Long);
  'lastAnomalyScore'?: (number | string);
  '_lastAnomalyScore'?: "lastAnomalyScore";
}

export interface Simulation__Output {
  'simulationId': (string);
  'tenant': (string);
  'kind': (string);
  'attributes': ({[key: string]: string});
  'frames': (number);
  'firstStep': (number);
  'lastStep': (number);
  'firstSeenMs': (number);
  'lastSeenMs': (number);
  'neuromorphicResults': (number);
  'quantumResults': (number);
  'lastAnomalyScore'?: (number);
  '_lastAnomalyScore'?: "lastAnomalyScore";
}
