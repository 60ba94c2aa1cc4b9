// Original file: proto/simstream/v1/results.proto

export const ResultKind = {
  RESULT_KIND_UNSPECIFIED: 'RESULT_KIND_UNSPECIFIED',
  RESULT_KIND_NEUROMORPHIC: 'RESULT_KIND_NEUROMORPHIC',
  RESULT_KIND_QUANTUM: 'RESULT_KIND_QUANTUM',
  RESULT_KIND_FRAME: 'RESULT_KIND_FRAME',
} as const;

export type ResultKind =
  | 'RESULT_KIND_UNSPECIFIED'
  | 0
  | 'RESULT_KIND_NEUROMORPHIC'
  | 1
  | 'RESULT_KIND_QUANTUM'
  | 2
  | 'RESULT_KIND_FRAME'
  | 3

export type ResultKind__Output = typeof ResultKind[keyof typeof ResultKind]
