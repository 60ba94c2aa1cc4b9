// Original file: proto/simstream/v1/quantum.proto


export interface CancelJobRequest {
  'tenant'?: (string);
  'jobId'?: (string);
}

export interface CancelJobRequest__Output {
  'tenant': (string);
  'jobId': (string);
}
