// Original file: proto/simstream/v1/query.proto

import type { Result as _simstream_v1_Result, Result__Output as _simstream_v1_Result__Output } from '../../simstream/v1/Result.js';

export interface ListResultsResponse {
  'results'?: (_simstream_v1_Result)[];
  'nextPageToken'?: (string);
}

export interface ListResultsResponse__Output {
  'results': (_simstream_v1_Result__Output)[];
  'nextPageToken': (string);
}
