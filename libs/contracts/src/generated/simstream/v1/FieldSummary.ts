// Original file: proto/simstream/v1/results.proto

import type { Long } from '@grpc/proto-loader';

export interface FieldSummary {
  'name'?: (string);
  'dtype'?: (string);
  'shape'?: (number | string | Long)[];
  'codec'?: (string);
  'bytes'?: (number | string | Long);
  'min'?: (number | string);
  'max'?: (number | string);
  'mean'?: (number | string);
  'std'?: (number | string);
  'l2'?: (number | string);
}

export interface FieldSummary__Output {
  'name': (string);
  'dtype': (string);
  'shape': (number)[];
  'codec': (string);
  'bytes': (number);
  'min': (number);
  'max': (number);
  'mean': (number);
  'std': (number);
  'l2': (number);
}
