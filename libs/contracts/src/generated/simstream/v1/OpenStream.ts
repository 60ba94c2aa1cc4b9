// Original file: proto/simstream/v1/ingestion.proto


export interface OpenStream {
  'simulationId'?: (string);
  'attributes'?: ({[key: string]: string});
}

export interface OpenStream__Output {
  'simulationId': (string);
  'attributes': ({[key: string]: string});
}
