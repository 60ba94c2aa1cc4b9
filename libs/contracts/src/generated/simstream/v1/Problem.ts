// Original file: proto/simstream/v1/quantum.proto

import type { ProblemKind as _simstream_v1_ProblemKind, ProblemKind__Output as _simstream_v1_ProblemKind__Output } from '../../simstream/v1/ProblemKind.js';

export interface Problem {
  'kind'?: (_simstream_v1_ProblemKind);
  'variables'?: (number);
  'linear'?: (number | string)[];
  'i'?: (number)[];
  'j'?: (number)[];
  'value'?: (number | string)[];
  'offset'?: (number | string);
}

export interface Problem__Output {
  'kind': (_simstream_v1_ProblemKind__Output);
  'variables': (number);
  'linear': (number)[];
  'i': (number)[];
  'j': (number)[];
  'value': (number)[];
  'offset': (number);
}
