// Original file: proto/simstream/v1/quantum.proto

export const ProblemKind = {
  PROBLEM_KIND_UNSPECIFIED: 'PROBLEM_KIND_UNSPECIFIED',
  PROBLEM_KIND_ISING: 'PROBLEM_KIND_ISING',
  PROBLEM_KIND_QUBO: 'PROBLEM_KIND_QUBO',
  PROBLEM_KIND_MAXCUT: 'PROBLEM_KIND_MAXCUT',
} as const;

export type ProblemKind =
  | 'PROBLEM_KIND_UNSPECIFIED'
  | 0
  | 'PROBLEM_KIND_ISING'
  | 1
  | 'PROBLEM_KIND_QUBO'
  | 2
  | 'PROBLEM_KIND_MAXCUT'
  | 3

export type ProblemKind__Output = typeof ProblemKind[keyof typeof ProblemKind]
