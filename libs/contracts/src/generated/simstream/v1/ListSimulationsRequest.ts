// Original file: proto/simstream/v1/query.proto


export interface ListSimulationsRequest {
  'tenant'?: (string);
  'pageSize'?: (number);
  'pageToken'?: (string);
}

export interface ListSimulationsRequest__Output {
  'tenant': (string);
  'pageSize': (number);
  'pageToken': (string);
}
