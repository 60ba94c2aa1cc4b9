// Original file: proto/simstream/v1/ingestion.proto


export interface GetStatusRequest {
  'simulationId'?: (string);
}

export interface GetStatusRequest__Output {
  'simulationId': (string);
}
