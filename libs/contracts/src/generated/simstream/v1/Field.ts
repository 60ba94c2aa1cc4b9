// Original file: proto/simstream/v1/frame.proto

import type { DType as _simstream_v1_DType, DType__Output as _simstream_v1_DType__Output } from '../../simstream/v1/DType.js';
import type { Codec as _simstream_v1_Codec, Codec__Output as _simstream_v1_Codec__Output } from '../../simstream/v1/Codec.js';
import type { Long } from '@grpc/proto-loader';

export interface Field {
  'name'?: (string);
  'dtype'?: (_simstream_v1_DType);
  'shape'?: (number | string | Long)[];
  'codec'?: (_simstream_v1_Codec);
  'data'?: (Buffer | Uint8Array | string);
}

export interface Field__Output {
  'name': (string);
  'dtype': (_simstream_v1_DType__Output);
  'shape': (number)[];
  'codec': (_simstream_v1_Codec__Output);
  'data': (Buffer);
}
