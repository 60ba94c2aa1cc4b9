// Original file: proto/simstream/v1/frame.proto

import type { Field as _simstream_v1_Field, Field__Output as _simstream_v1_Field__Output } from '../../simstream/v1/Field.js';
import type { Long } from '@grpc/proto-loader';

export interface Frame {
  'simulationId'?: (string);
  'step'?: (number | string | Long);
  'simTime'?: (number | string);
  'fields'?: (_simstream_v1_Field)[];
  'attributes'?: ({[key: string]: string});
}

export interface Frame__Output {
  'simulationId': (string);
  'step': (number);
  'simTime': (number);
  'fields': (_simstream_v1_Field__Output)[];
  'attributes': ({[key: string]: string});
}
