import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { CancelJobRequest as _simstream_v1_CancelJobRequest, CancelJobRequest__Output as _simstream_v1_CancelJobRequest__Output } from './simstream/v1/CancelJobRequest.js';
import type { GetJobRequest as _simstream_v1_GetJobRequest, GetJobRequest__Output as _simstream_v1_GetJobRequest__Output } from './simstream/v1/GetJobRequest.js';
import type { Job as _simstream_v1_Job, Job__Output as _simstream_v1_Job__Output } from './simstream/v1/Job.js';
import type { Problem as _simstream_v1_Problem, Problem__Output as _simstream_v1_Problem__Output } from './simstream/v1/Problem.js';
import type { QuantumServiceClient as _simstream_v1_QuantumServiceClient, QuantumServiceDefinition as _simstream_v1_QuantumServiceDefinition } from './simstream/v1/QuantumService.js';
import type { SolveProgress as _simstream_v1_SolveProgress, SolveProgress__Output as _simstream_v1_SolveProgress__Output } from './simstream/v1/SolveProgress.js';
import type { SolveRequest as _simstream_v1_SolveRequest, SolveRequest__Output as _simstream_v1_SolveRequest__Output } from './simstream/v1/SolveRequest.js';
import type { SolveResult as _simstream_v1_SolveResult, SolveResult__Output as _simstream_v1_SolveResult__Output } from './simstream/v1/SolveResult.js';
import type { SolveUpdate as _simstream_v1_SolveUpdate, SolveUpdate__Output as _simstream_v1_SolveUpdate__Output } from './simstream/v1/SolveUpdate.js';
import type { SolverParams as _simstream_v1_SolverParams, SolverParams__Output as _simstream_v1_SolverParams__Output } from './simstream/v1/SolverParams.js';
import type { SubmitJobRequest as _simstream_v1_SubmitJobRequest, SubmitJobRequest__Output as _simstream_v1_SubmitJobRequest__Output } from './simstream/v1/SubmitJobRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  simstream: {
    v1: {
      CancelJobRequest: MessageTypeDefinition<_simstream_v1_CancelJobRequest, _simstream_v1_CancelJobRequest__Output>
      GetJobRequest: MessageTypeDefinition<_simstream_v1_GetJobRequest, _simstream_v1_GetJobRequest__Output>
      Job: MessageTypeDefinition<_simstream_v1_Job, _simstream_v1_Job__Output>
      JobStatus: EnumTypeDefinition
      Problem: MessageTypeDefinition<_simstream_v1_Problem, _simstream_v1_Problem__Output>
      ProblemKind: EnumTypeDefinition
      QuantumService: SubtypeConstructor<typeof grpc.Client, _simstream_v1_QuantumServiceClient> & { service: _simstream_v1_QuantumServiceDefinition }
      SolveProgress: MessageTypeDefinition<_simstream_v1_SolveProgress, _simstream_v1_SolveProgress__Output>
      SolveRequest: MessageTypeDefinition<_simstream_v1_SolveRequest, _simstream_v1_SolveRequest__Output>
      SolveResult: MessageTypeDefinition<_simstream_v1_SolveResult, _simstream_v1_SolveResult__Output>
      SolveUpdate: MessageTypeDefinition<_simstream_v1_SolveUpdate, _simstream_v1_SolveUpdate__Output>
      SolverParams: MessageTypeDefinition<_simstream_v1_SolverParams, _simstream_v1_SolverParams__Output>
      SubmitJobRequest: MessageTypeDefinition<_simstream_v1_SubmitJobRequest, _simstream_v1_SubmitJobRequest__Output>
    }
  }
}

