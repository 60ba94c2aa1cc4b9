// Original file: proto/simstream/v1/query.proto


export interface GetSimulationRequest {
  'tenant'?: (string);
  'simulationId'?: (string);
}

export interface GetSimulationRequest__Output {
  'tenant': (string);
  'simulationId': (string);
}
