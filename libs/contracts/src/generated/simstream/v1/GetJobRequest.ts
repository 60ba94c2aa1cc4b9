// Original file: proto/simstream/v1/quantum.proto


export interface GetJobRequest {
  'tenant'?: (string);
  'jobId'?: (string);
}

export interface GetJobRequest__Output {
  'tenant': (string);
  'jobId': (string);
}
