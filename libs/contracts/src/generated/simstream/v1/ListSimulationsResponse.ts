// Original file: proto/simstream/v1/query.proto

import type { Simulation as _simstream_v1_Simulation, Simulation__Output as _simstream_v1_Simulation__Output } from '../../simstream/v1/Simulation.js';

export interface ListSimulationsResponse {
  'simulations'?: (_simstream_v1_Simulation)[];
  'nextPageToken'?: (string);
}

export interface ListSimulationsResponse__Output {
  'simulations': (_simstream_v1_Simulation__Output)[];
  'nextPageToken': (string);
}
